"""Twilio's WhatsApp webhook: the form parsed, its signature checked, TwiML replies in bubbles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from adapters.channels.keywords import opt_change
from core.errors import InvalidRequest
from domain.phone import is_e164

SIGNATURE_HEADER = "X-Twilio-Signature"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
BUBBLE_CHARS = 1600  # Twilio's limit for one WhatsApp message body
# XML 1.0 forbids these control characters even escaped; a reply must never carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Media:
    """One attachment: Twilio's MediaUrlN and MediaContentTypeN."""

    url: str
    content_type: str


@dataclass(frozen=True)
class WhatsAppInbound:
    """A customer's WhatsApp message as Twilio posts it (fields we use; the rest are ignored)."""

    message_sid: str
    phone: str  # E.164, from From=whatsapp:+52...
    wa_id: str
    profile_name: str
    body: str
    media: tuple[Media, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    button_payload: str = ""
    button_text: str = ""

    @property
    def opt_change(self) -> bool | None:
        """False for BAJA/STOP, True for ALTA/START (also inside a sentence), None otherwise."""
        return opt_change(self.body)

    def agent_text(self) -> str:
        """What the agents read: the text, then a note per attachment or shared location."""
        parts = [self.body.strip() or self.button_text.strip() or self.button_payload.strip()]
        parts += [attachment_note(m.content_type) for m in self.media]
        if self.latitude is not None and self.longitude is not None:
            where = f" ({self.address})" if self.address else ""
            parts.append(
                f"[ubicación compartida: {self.latitude:.6f}, {self.longitude:.6f}{where}]"
            )
        return "\n".join(p for p in parts if p)


def attachment_note(content_type: str) -> str:
    """``[foto adjunta: image/jpeg]`` and its kin, so the agents know something came."""
    major = content_type.split("/", 1)[0].lower()
    label = {
        "image": "foto adjunta",
        "audio": "audio adjunto",
        "video": "video adjunto",
    }.get(major, "archivo adjunto")
    return f"[{label}: {content_type}]"


def _float(form: Mapping[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be a number", field=name) from None


def parse_inbound(form: Mapping[str, str]) -> WhatsAppInbound:
    """Validate Twilio's form. Raises InvalidRequest for a message we cannot attribute."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or ""
    if not re.fullmatch(r"[A-Za-z0-9]{10,64}", sid):
        raise InvalidRequest("MessageSid is missing or malformed", field="MessageSid")
    sender = form.get("From", "")
    if not sender.startswith("whatsapp:"):
        raise InvalidRequest("From must be a whatsapp: address", field="From")
    phone = sender.removeprefix("whatsapp:").strip()
    if not is_e164(phone):
        raise InvalidRequest("From must carry an E.164 number", field="From")
    try:
        count = min(int(form.get("NumMedia", "0") or 0), 10)
    except ValueError:
        raise InvalidRequest("NumMedia must be a whole number", field="NumMedia") from None
    media = tuple(
        Media(url=form[f"MediaUrl{n}"], content_type=form.get(f"MediaContentType{n}", ""))
        for n in range(count)
        if form.get(f"MediaUrl{n}")
    )
    return WhatsAppInbound(
        message_sid=sid,
        phone=phone,
        wa_id=form.get("WaId", phone.lstrip("+")),
        profile_name=form.get("ProfileName", "").strip(),
        body=form.get("Body", ""),
        media=media,
        latitude=_float(form, "Latitude"),
        longitude=_float(form, "Longitude"),
        address=form.get("Address", "").strip(),
        button_payload=form.get("ButtonPayload", ""),
        button_text=form.get("ButtonText", ""),
    )


def signature_ok(
    auth_token: str, urls: Iterable[str], params: Mapping[str, str], signature: str | None
) -> bool:
    """Twilio's X-Twilio-Signature (HMAC-SHA1 of the URL and every POST parameter, sorted)
    over any of the candidate URLs, compared in constant time by the twilio library."""
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    return any(bool(validator.validate(url, dict(params), signature)) for url in urls)


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send (for the simulator and tests)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


def split_bubbles(text: str, limit: int = BUBBLE_CHARS) -> list[str]:
    """Cut a reply into WhatsApp-sized messages on paragraph, then line, then word boundaries."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    bubbles: list[str] = []
    for sep in ("\n\n", "\n", " "):
        pieces = text.split(sep)
        if len(pieces) > 1:
            break
    else:  # one unbroken word longer than a bubble
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            bubbles.append(current)
        if len(piece) > limit:
            *whole, current = split_bubbles(piece, limit) or [""]
            bubbles += whole
        else:
            current = piece
    if current.strip():
        bubbles.append(current)
    return [b.strip() for b in bubbles if b.strip()]


def twiml(messages: Iterable[str]) -> str:
    """A TwiML ``<Response>`` with one ``<Message>`` per bubble (none = acknowledge only)."""
    body = "".join(f"<Message>{escape(_XML_ILLEGAL.sub('', m))}</Message>" for m in messages)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def parse_twiml(document: str) -> list[str]:
    """The ``<Message>`` texts of a TwiML answer (for the simulator and tests)."""
    root = ElementTree.fromstring(document)
    return [m.text or "" for m in root.iter("Message")]
