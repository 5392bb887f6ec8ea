"""topllantas whatsapp: simulate a customer against a running server, notify, show the outbox."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

import httpx
import typer

from adapters.channels.twilio_whatsapp import SIGNATURE_HEADER, parse_twiml, sign
from cli.prompt import prompt_loop
from core.errors import DomainError
from core.settings import Settings, get_settings
from domain.phone import normalize_mx_phone

whatsapp_app = typer.Typer(
    no_args_is_help=True, help="WhatsApp: simulator, notifications, outbox.", add_completion=False
)
WEBHOOK_PATH = "/webhooks/twilio/whatsapp"
SANDBOX_NUMBER = "whatsapp:+14155238886"  # Twilio's WhatsApp sandbox sender


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def webhook_form(settings: Settings, phone: str, name: str, text: str) -> dict[str, str]:
    """The form Twilio posts for a customer's text message."""
    sid = "SM" + secrets.token_hex(16)
    return {
        "SmsMessageSid": sid,
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.twilio.account_sid or "AC" + "0" * 32,
        "From": f"whatsapp:{phone}",
        "To": settings.twilio.whatsapp_from or SANDBOX_NUMBER,
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "ProfileName": name,
        "WaId": phone.lstrip("+"),
        "SmsStatus": "received",
        "MessageType": "text",
        "ApiVersion": "2010-04-01",
    }


@whatsapp_app.command("simulate")
def simulate(
    phone: Annotated[
        str, typer.Option("--from", help="The customer's number: +5215512345678 or 55 1234 5678")
    ],
    url: Annotated[str, typer.Option(help="The running server")] = "http://127.0.0.1:8000",
    name: Annotated[str, typer.Option(help="WhatsApp profile name")] = "Cliente",
    message: Annotated[str | None, typer.Option(help="Send one message and exit")] = None,
) -> None:
    """Talk to a running server as a WhatsApp customer, through its Twilio webhook.

    Requests are signed like Twilio's with TOPLLANTAS_TWILIO__AUTH_TOKEN (unsigned without it)
    over TOPLLANTAS_PUBLIC_BASE_URL when set, else over --url. Write 'salir' to end."""
    try:
        phone = normalize_mx_phone(phone)
    except ValueError as exc:
        _fail(f"--from: {exc}")
    settings = get_settings()
    endpoint = url.rstrip("/") + WEBHOOK_PATH
    signed_url = endpoint
    if "public_base_url" in settings.model_fields_set:
        signed_url = settings.public_base_url.rstrip("/") + WEBHOOK_PATH
    token = settings.twilio.auth_token
    with httpx.Client(timeout=60) as http:

        def send(text: str) -> None:
            form = webhook_form(settings, phone, name, text)
            headers = (
                {SIGNATURE_HEADER: sign(token.get_secret_value(), signed_url, form)}
                if token
                else {}
            )
            try:
                answer = http.post(endpoint, data=form, headers=headers)
            except httpx.HTTPError as exc:
                _fail(f"{endpoint}: {exc}")
                return
            if answer.status_code != 200:
                _fail(f"{answer.status_code} {answer.text}")
            bubbles = parse_twiml(answer.text)
            if not bubbles:
                typer.echo("(acuse sin texto: la respuesta llega por la API REST de Twilio)")
            for bubble in bubbles:
                typer.echo(f"TopLlantas> {bubble}\n")

        if message is not None:
            send(message)
            return
        typer.echo(f"WhatsApp de {phone} ({name}) → {endpoint}. Escribe 'salir' para terminar.")
        prompt_loop(send)


@whatsapp_app.command("notify")
def notify(
    folio: Annotated[str, typer.Argument(help="Order folio, e.g. TL-001234")],
    kind: Annotated[
        str,
        typer.Option(
            help="order_ready, out_for_delivery, delivery_rescheduled, payment_received, "
            "reservation_expiring"
        ),
    ] = "out_for_delivery",
    channel: Annotated[str, typer.Option(help="whatsapp, sms or email")] = "whatsapp",
    var: Annotated[
        list[str] | None, typer.Option(help="Override a template variable: name=value")
    ] = None,
) -> None:
    """Queue a notification about an order in the outbox and send it."""
    from adapters.channels.notifier import Notifier
    from db.engine import make_engine
    from db.migrate import upgrade

    if channel not in ("whatsapp", "sms", "email"):
        _fail("--channel must be whatsapp, sms or email")
    variables = dict(v.split("=", 1) for v in var or [] if "=" in v)
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    via: Literal["whatsapp", "sms", "email"] = channel  # type: ignore[assignment]
    try:
        row = Notifier(engine, settings).notify_order(
            folio, kind, channel=via, variables=variables, actor="cli"
        )
    except DomainError as exc:
        _fail(exc.message)
        return
    finally:
        engine.dispose()
    what = row.body or f"plantilla {row.content_sid} {row.content_variables}"
    typer.echo(f"outbox #{row.id} {row.channel} → {row.to}: {row.status}")
    typer.echo(f"  {what}" + (f"\n  {row.error}" if row.error else ""))


@whatsapp_app.command("outbox")
def outbox(
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    status: Annotated[str | None, typer.Option(help="Only this status")] = None,
) -> None:
    """The newest outbound messages and their status."""
    from db.engine import make_engine, session_scope
    from db.migrate import upgrade
    from db.repositories.outbox import list_outbox, outbox_public

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        rows = [outbox_public(r) for r in list_outbox(session, limit=limit, status=status)]
    engine.dispose()
    for r in rows:
        text = (r.body or f"[{r.content_sid}]").replace("\n", " ")
        typer.echo(
            f"#{r.id:<5} {r.created_at:%Y-%m-%d %H:%M} {r.kind:<22} {r.channel:<8} {r.to:<16} "
            f"{r.status:<11} {text[:60]}"
        )
