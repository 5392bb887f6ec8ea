"""Deposit payment links: the customer's checkout page (/pay/{token}) and provider webhooks."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
from functools import partial
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from adapters.payments.base import PaymentEvent, PaymentProvider
from api.abuse import client_ip, first_wait, secret_key
from api.deps import EngineDep, PaymentProviderDep, SettingsDep, container_of, run_write
from api.ratelimit import RateLimiter
from core.errors import Conflict, NotFound, PermissionDenied
from db.engine import session_scope
from db.repositories import payments
from db.repositories.payments import PaymentLinkPublic, PaymentPage
from domain.pricing import format_mxn
from domain.spanish import local_moment

router = APIRouter(tags=["payments"])

SIGNATURE_HEADER = "X-TopLlantas-Signature"
PROVIDER_ACTOR = "provider:local"


def process_webhook(
    engine: Engine, provider: PaymentProvider, body: bytes, signature: str | None
) -> PaymentLinkPublic:
    """Verify a signed provider event and apply it: the webhook and local checkout share this.

    Raises:
        PermissionDenied: bad or missing signature (nothing is read or written).
    """
    if not provider.verify(body, signature):
        raise PermissionDenied(f"bad or missing {SIGNATURE_HEADER}", field=SIGNATURE_HEADER)
    event = PaymentEvent.from_json(body)
    with session_scope(engine, write=True) as session:
        return payments.apply_payment_event(
            session, event, actor=f"provider:{provider.name}", provider=provider
        )


@router.post("/webhooks/payments/local", summary="Local payment provider webhook")
async def local_webhook(
    request: Request,
    engine: EngineDep,
    provider: PaymentProviderDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> PaymentLinkPublic:
    """``{"token", "status": "paid"|"failed", "provider_ref", "amount_cents"}`` signed with
    ``X-TopLlantas-Signature`` = HMAC-SHA256 (hex) of the raw body. 403 for a bad signature,
    409 for an expired link, 422 for a wrong amount; a replayed event changes nothing."""
    body = await request.body()
    return await run_write(request, partial(process_webhook, engine, provider, body, signature))


@router.get("/pay/{token}", response_class=HTMLResponse, summary="Payment link page")
async def pay_page(
    request: Request,
    token: str,
    engine: EngineDep,
    settings: SettingsDep,
    provider: PaymentProviderDep,
) -> HTMLResponse:
    """The customer's page for a deposit link (Spanish HTML): pending, paid or expired."""
    if (slow := _throttled(request, token)) is not None:
        return slow

    def load() -> PaymentPage:
        # A write: opening a link that ran out marks it expired.
        with session_scope(engine, write=True) as session:
            return payments.payment_page(session, token, provider=provider)

    try:
        page = await run_write(request, load)
    except NotFound:
        return _html(_not_found_body(), status_code=404)
    if page.link.status == "paid":
        return _html(_paid_body(page))
    if page.link.status == "expired":
        return _html(_expired_body(page))
    return _html(_pending_body(page, simulated=settings.environment != "production"))


@router.post("/pay/{token}/confirm", summary="Simulated checkout of the local provider")
async def pay_confirm(
    request: Request,
    token: str,
    engine: EngineDep,
    settings: SettingsDep,
    provider: PaymentProviderDep,
) -> Response:
    """Pays the link as the local provider would (a signed event through the webhook code),
    then sends the browser back to the link page (303). Refused in production: it is a
    simulator, not a real charge."""
    if (slow := _throttled(request, token)) is not None:
        return slow
    if settings.environment == "production":
        return _html(_simulator_off_body(), status_code=403)

    def checkout() -> None:
        with session_scope(engine, write=True) as session:
            link = payments.get_payment_link(session, token)
        if link.status != "pending":
            return
        event = PaymentEvent(
            token=link.token,
            status="paid",
            provider_ref=f"local-{secrets.token_hex(8)}",
            amount_cents=link.amount_cents,
        )
        body = event.to_json()
        # Expired or paid in the meantime: the page it redirects to says which.
        with contextlib.suppress(Conflict):
            process_webhook(engine, provider, body, provider.sign(body))

    try:
        await run_write(request, checkout)
    except NotFound:
        return _html(_not_found_body(), status_code=404)
    return RedirectResponse(f"/pay/{quote(token, safe='')}", status_code=303)


def _throttled(request: Request, token: str) -> HTMLResponse | None:
    """429 (a Spanish page, Retry-After) once the caller's IP or this link has spent its
    budget: link tokens cannot be guessed by hammering, nor one link's page be hammered."""
    abuse = container_of(request.app).abuse
    wait = first_wait(
        (abuse.pay_ip, f"ip:{client_ip(request)}"), (abuse.pay_link, f"link:{secret_key(token)}")
    )
    if wait <= 0:
        return None
    response = _html(_too_many_body(), title="Espera un momento", status_code=429)
    response.headers["Retry-After"] = RateLimiter.retry_after_header(wait)
    return response


# ---------------------------------------------------------------------------------------------
# HTML: self-contained (inline CSS, no scripts, no CDN), every value escaped.

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1d2430;background:#eef1f5}
.top{background:#0b2545;color:#fff;padding:14px 20px;display:flex;align-items:center;gap:10px}
.logo{font-weight:800;font-size:20px;letter-spacing:.2px}
.logo b{color:#ffb400}
.mark{width:26px;height:26px;border-radius:50%;border:5px solid #ffb400;flex:none}
main{max-width:460px;margin:16px auto;padding:0 12px}
.card{background:#fff;border-radius:14px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:22px;margin:0 0 4px}
.muted{color:#5b6576;font-size:14px;margin:0}
.folio{font-weight:700;color:#0b2545}
ul{list-style:none;padding:0;margin:16px 0;border-top:1px solid #e3e7ee}
li{display:flex;justify-content:space-between;gap:12px;padding:10px 0;
border-bottom:1px solid #e3e7ee}
li span:last-child{white-space:nowrap;font-variant-numeric:tabular-nums}
.row{display:flex;justify-content:space-between;gap:12px;margin:6px 0;
font-variant-numeric:tabular-nums}
.deposit{background:#fff6dc;border-radius:10px;padding:12px 14px;margin:14px 0;
font-size:18px;font-weight:700}
.info{font-size:14px;color:#3b4454;margin:6px 0}
button{width:100%;border:0;border-radius:10px;background:#ffb400;color:#1d2430;
font:inherit;font-weight:800;font-size:18px;padding:15px;margin-top:14px;cursor:pointer}
button:active{background:#e6a200}
.note{font-size:13px;color:#5b6576;text-align:center;margin:10px 0 0}
.ok{color:#14804a}.bad{color:#b42318}
.wa{display:block;text-align:center;text-decoration:none;border-radius:10px;background:#25d366;
color:#fff;font-weight:800;padding:14px;margin-top:16px}
footer{text-align:center;font-size:12px;color:#7a8394;margin:18px 0 28px}
"""
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
HEADERS = {
    # The token in the URL is the key to the link: never cache it, never send it as Referer.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _html(body: str, *, title: str = "Pago de anticipo", status_code: int = 200) -> HTMLResponse:
    page = (
        '<!doctype html><html lang="es-MX"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{escape(title)} · TopLlantas</title><style>{CSS}</style></head><body>"
        '<header class="top"><span class="mark"></span>'
        '<span class="logo">Top<b>Llantas</b></span></header>'
        f'<main><div class="card">{body}</div></main>'
        "<footer>TopLlantas · Llantas para tu auto, camioneta y flotilla</footer></body></html>"
    )
    return HTMLResponse(page, status_code=status_code, headers=HEADERS)


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


def _lines(page: PaymentPage) -> str:
    items = "".join(
        f"<li><span>{escape(line.description)} × {line.quantity}</span>"
        f"<span>{escape(format_mxn(line.total_cents))}</span></li>"
        for line in page.order.lines
    )
    return f"<ul>{items}</ul>"


def _row(label: str, cents: int, css: str = "row") -> str:
    return (
        f'<div class="{css}"><span>{escape(label)}</span>'
        f"<span>{escape(format_mxn(cents))}</span></div>"
    )


def _branch(page: PaymentPage) -> str:
    where = "Recoge en" if page.order.fulfillment == "pickup" else "Sale de"
    return (
        f'<p class="info">{where}: <strong>{escape(page.branch_name)}</strong><br>'
        f"{escape(page.branch_address)}</p>"
    )


def _pending_body(page: PaymentPage, *, simulated: bool) -> str:
    link, order = page.link, page.order
    hello = _first_name(page.customer_name)
    greeting = f'<p class="muted">Hola, {escape(hello)}</p>' if hello else ""
    rest = order.total_cents - link.amount_cents
    action = f"/pay/{quote(link.token, safe='')}/confirm"
    pay = (
        f'<form method="post" action="{escape(action)}">'
        '<button type="submit">Pagar anticipo (simulado)</button></form>'
        '<p class="note">Pago de prueba: no se hace ningún cargo a tu tarjeta.</p>'
        if simulated
        else '<p class="note">El pago en línea no está disponible por ahora; '
        "paga tu anticipo en sucursal.</p>"
    )
    return (
        f"{greeting}<h1>Aparta tus llantas</h1>"
        f'<p class="muted">Pedido <span class="folio">{escape(link.folio)}</span></p>'
        f"{_lines(page)}"
        f"{_row('Total del pedido (con IVA)', order.total_cents)}"
        f"{_row('Anticipo para apartar', link.amount_cents, 'row deposit')}"
        f"{_row('Resto a pagar al recibir', rest) if rest > 0 else ''}"
        # The same words and clock as the chat's "te las aparto hasta el martes 1 de diciembre".
        f'<p class="info">Válido hasta el {escape(local_moment(link.expires_at))} '
        "(hora de la Ciudad de México)</p>"
        f"{_branch(page)}{pay}"
    )


def _paid_body(page: PaymentPage) -> str:
    link, order = page.link, page.order
    rest = order.total_cents - link.amount_cents
    return (
        '<h1 class="ok">¡Pago recibido!</h1>'
        f'<p class="muted">Pedido <span class="folio">{escape(link.folio)}</span></p>'
        f'<p class="info">Recibimos tu anticipo de <strong>{escape(format_mxn(link.amount_cents))}'
        "</strong>. Tus llantas quedan apartadas; te avisamos por WhatsApp cuando estén "
        "listas.</p>"
        f"{_lines(page)}"
        f"{_row('Total del pedido (con IVA)', order.total_cents)}"
        f"{_row('Anticipo pagado', link.amount_cents)}"
        f"{_row('Resto a pagar al recibir', rest) if rest > 0 else ''}"
        f"{_branch(page)}"
    )


def _whatsapp(phone: str, text: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    if not digits:
        return ""
    href = f"https://wa.me/{digits}?text={quote(text)}"
    return f'<a class="wa" href="{escape(href)}" rel="noreferrer">Escríbenos por WhatsApp</a>'


def _expired_body(page: PaymentPage) -> str:
    folio = page.link.folio
    return (
        '<h1 class="bad">Este enlace expiró</h1>'
        f'<p class="muted">Pedido <span class="folio">{escape(folio)}</span></p>'
        '<p class="info">El enlace de pago ya no es válido, así que no se hizo ningún cargo. '
        "Escríbenos por WhatsApp y con gusto te mandamos uno nuevo o te ayudamos a apartar "
        "tus llantas otra vez.</p>"
        f"{_whatsapp(page.branch_phone, f'Hola, mi enlace de pago del pedido {folio} expiró.')}"
    )


def _not_found_body() -> str:
    return (
        "<h1>No encontramos este enlace</h1>"
        '<p class="info">Revisa que el enlace esté completo, tal como te lo enviamos. '
        "Si el problema sigue, escríbenos por WhatsApp y te ayudamos con tu pedido.</p>"
    )


def _too_many_body() -> str:
    return (
        "<h1>Espera un momento</h1>"
        '<p class="info">Recibimos muchas solicitudes seguidas. Espera un minuto y vuelve a '
        "abrir tu enlace de pago.</p>"
    )


def _simulator_off_body() -> str:
    return (
        "<h1>Pago en línea no disponible</h1>"
        '<p class="info">Por ahora el anticipo se paga en sucursal. '
        "Escríbenos por WhatsApp si necesitas ayuda.</p>"
    )
