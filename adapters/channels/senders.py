"""Channel senders: Twilio's REST API (WhatsApp, SMS), SMTP (e-mail) and a local log."""

from __future__ import annotations

import json
import logging
import secrets
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal, Protocol

from core.settings import Settings, SmtpSettings, TwilioSettings

log = logging.getLogger("topllantas.senders")


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Outgoing:
    """What a sender transmits (attachments: e-mail only)."""

    channel: str
    to: str
    body: str | None = None
    subject: str | None = None
    content_sid: str | None = None
    content_variables: Mapping[str, Any] | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Sent:
    """The provider accepted the message."""

    provider_sid: str


class SendError(Exception):
    """Sending failed; ``transient`` failures (timeouts, 429, 5xx) are retried."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Sender(Protocol):
    """One channel's way out."""

    def send(self, message: Outgoing) -> Sent:
        """Hand the message to the provider, or raise SendError."""
        ...


class TwilioSender:
    """WhatsApp or SMS through Twilio's REST API (the official client)."""

    def __init__(
        self,
        settings: TwilioSettings,
        channel: Literal["whatsapp", "sms"],
        *,
        status_callback: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
        from twilio.rest import Client  # type: ignore[import-untyped]

        token = settings.auth_token.get_secret_value() if settings.auth_token else None
        # environment={}: our settings are the only source (no TWILIO_* variables, no edge).
        self.client = Client(
            settings.account_sid,
            token,
            http_client=TwilioHttpClient(timeout=timeout_s),
            environment={},
        )
        # The Api domain keeps its base URL as an attribute used at request time; pointing it
        # elsewhere is how a test (or a regional proxy) receives the calls.
        self.client.api.base_url = settings.api_base_url.rstrip("/")
        sender = (settings.whatsapp_from if channel == "whatsapp" else settings.sms_from) or ""
        self.channel = channel
        self.sender = _whatsapp(sender) if channel == "whatsapp" else sender
        self.status_callback = status_callback

    def send(self, message: Outgoing) -> Sent:
        """POST /2010-04-01/Accounts/{Sid}/Messages.json."""
        from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]

        args: dict[str, Any] = {
            "to": _whatsapp(message.to) if self.channel == "whatsapp" else message.to,
            "from_": self.sender,
        }
        if message.content_sid:
            args["content_sid"] = message.content_sid
            args["content_variables"] = json.dumps(
                dict(message.content_variables or {}), ensure_ascii=False
            )
        else:
            args["body"] = message.body or ""
        if self.status_callback:
            args["status_callback"] = self.status_callback
        try:
            created = self.client.messages.create(**args)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio {exc.status} (code {exc.code}): {exc.msg}",
                transient=exc.status == 429 or exc.status >= 500,
            ) from exc
        except OSError as exc:  # requests' connection errors and timeouts are OSErrors
            raise SendError(f"Twilio unreachable: {exc}", transient=True) from exc
        return Sent(provider_sid=str(created.sid))


class SmtpSender:
    """E-mail over SMTP (465 = implicit TLS, otherwise STARTTLS when the server offers it)."""

    def __init__(self, settings: SmtpSettings, *, timeout_s: float = 10.0) -> None:
        self.settings = settings
        self.timeout_s = timeout_s

    def send(self, message: Outgoing) -> Sent:
        """Send one e-mail."""
        s = self.settings
        assert s.host
        msg = EmailMessage()
        msg_id = f"<{secrets.token_hex(12)}@topllantas>"
        msg["From"], msg["To"], msg["Message-ID"] = s.from_addr, message.to, msg_id
        msg["Subject"] = message.subject or "TopLlantas"
        msg.set_content(message.body or "")
        for item in message.attachments:
            main, _, sub = item.media_type.partition("/")
            msg.add_attachment(
                item.content, maintype=main, subtype=sub or "octet-stream", filename=item.filename
            )
        try:
            smtp: smtplib.SMTP = (
                smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout_s)
                if s.port == 465
                else smtplib.SMTP(s.host, s.port, timeout=self.timeout_s)
            )
            with smtp:
                smtp.ehlo()
                if s.port != 465 and smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
                if s.user and s.password:
                    smtp.login(s.user, s.password.get_secret_value())
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc.recipients}", transient=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", transient=exc.smtp_code < 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP failed: {exc}", transient=True) from exc
        return Sent(provider_sid=msg_id)


class LogSender:
    """Without credentials: the message is logged and counts as sent (a laptop's outbox)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Outgoing) -> Sent:
        """Log it."""
        what = (
            f"template {message.content_sid} {dict(message.content_variables or {})}"
            if message.content_sid
            else repr(message.body)
        )
        if message.attachments:
            what += f" (+ {', '.join(a.filename for a in message.attachments)})"
        log.info("local %s to %s: %s", self.channel, message.to, what)
        return Sent(provider_sid=f"local-{secrets.token_hex(8)}")


def build_senders(settings: Settings) -> dict[str, Sender]:
    """Real senders where credentials are configured, the local log elsewhere."""
    tw = settings.twilio
    callback = settings.public_base_url.rstrip("/") + "/webhooks/twilio/status"
    has_twilio = bool(tw.account_sid and tw.auth_token)
    return {
        "whatsapp": TwilioSender(tw, "whatsapp", status_callback=callback)
        if has_twilio and tw.whatsapp_from
        else LogSender("whatsapp"),
        "sms": TwilioSender(tw, "sms", status_callback=callback)
        if has_twilio and tw.sms_from
        else LogSender("sms"),
        "email": SmtpSender(settings.smtp) if settings.smtp.host else LogSender("email"),
    }


def _whatsapp(address: str) -> str:
    return address if address.startswith("whatsapp:") else f"whatsapp:{address}"
