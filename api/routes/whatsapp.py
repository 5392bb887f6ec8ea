"""Twilio webhooks: customers' WhatsApp messages and the delivery status of ours.

A message is answered in the webhook's TwiML when its turn ends within the reply budget;
otherwise Twilio gets an empty TwiML at once and the reply follows through the outbox (REST).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.channels.twilio_whatsapp import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    parse_inbound,
    signature_ok,
    split_bubbles,
    twiml,
)
from api.deps import ChatServiceDep, EngineDep, SettingsDep, WhatsAppDeskDep, run_write
from conversation.whatsapp import WhatsAppDesk
from core.errors import InvalidRequest, PermissionDenied
from core.settings import Settings
from db.engine import session_scope
from db.repositories.outbox import apply_provider_status

router = APIRouter(tags=["whatsapp"])


def webhook_urls(request: Request, settings: Settings) -> list[str]:
    """The URLs Twilio may have signed: TOPLLANTAS_PUBLIC_BASE_URL + path + query; outside
    production, when that setting is left at its default, also the URL as the request arrived,
    rebuilt from X-Forwarded-Proto / X-Forwarded-Host (a tunnel such as ngrok on a laptop).
    Production never trusts those headers (and refuses to start without the setting)."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    urls = [settings.public_base_url.rstrip("/") + path]
    forwarded_ok = settings.environment != "production"
    if forwarded_ok and "public_base_url" not in settings.model_fields_set:
        headers = request.headers
        proto = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
        host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
        urls.append(f"{proto}://{host.split(',')[0].strip()}{path}")
    return urls


async def _signed_form(request: Request, settings: Settings, desk: WhatsAppDesk) -> dict[str, str]:
    """The POST parameters, after checking Twilio's signature over all of them.

    Raises:
        PermissionDenied: bad or missing signature (nothing is read or written after it).
    """
    form = await request.form()
    params = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    token = settings.twilio.auth_token
    if token is None:
        if settings.environment == "production":
            raise PermissionDenied(
                "TOPLLANTAS_TWILIO__AUTH_TOKEN is not set", field=SIGNATURE_HEADER
            )
        desk.warn_unsigned()
        return params
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature_ok(
        token.get_secret_value(), webhook_urls(request, settings), params, signature
    ):
        raise PermissionDenied(f"bad or missing {SIGNATURE_HEADER}", field=SIGNATURE_HEADER)
    return params


def _twiml(messages: list[str]) -> Response:
    return Response(twiml(messages), media_type="application/xml")


@router.post("/webhooks/twilio/whatsapp", response_class=Response, summary="Twilio WhatsApp")
async def whatsapp_webhook(
    request: Request, settings: SettingsDep, desk: WhatsAppDeskDep, service: ChatServiceDep
) -> Response:
    """Twilio's incoming-message webhook (form-encoded, signed with ``X-Twilio-Signature``).

    Answers TwiML: the agents' reply in ``<Message>`` bubbles, or an empty ``<Response/>`` when
    the reply will follow through the REST API. A retried delivery (same ``MessageSid`` or
    ``I-Twilio-Idempotency-Token``) gets the stored reply; it never runs a second turn."""
    msg = parse_inbound(await _signed_form(request, settings, desk))
    reply = await desk.handle(msg, request.headers.get(IDEMPOTENCY_HEADER), service)
    return _twiml(split_bubbles(reply) if reply else [])


@router.post("/webhooks/twilio/status", status_code=204, summary="Twilio message status")
async def status_webhook(
    request: Request, settings: SettingsDep, desk: WhatsAppDeskDep, engine: EngineDep
) -> Response:
    """Twilio's status callback for our messages (signed like the message webhook): moves the
    outbox row to sent, delivered, read, failed or undelivered (never backwards)."""
    params = await _signed_form(request, settings, desk)
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = params.get("MessageStatus") or params.get("SmsStatus")
    if not sid or not status:
        raise InvalidRequest("MessageSid and MessageStatus are required", field="MessageStatus")

    def apply() -> None:
        with session_scope(engine, write=True) as session:
            apply_provider_status(session, sid, status, params.get("ErrorCode") or None)

    await run_write(request, apply)
    return Response(status_code=204)
