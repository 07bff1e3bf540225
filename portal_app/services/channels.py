"""Delivery channels for the outbox sender: email (SMTP), SMS (a pluggable gateway), web push.

Plain functions over already-rendered text; no database. Each failure is a ``DeliveryError`` whose
``reason`` is short and fixed ("mail server unreachable (ConnectionRefusedError)") — never a
server's reply, which could echo an address — and says whether trying again could help.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from portal_app.config import PROJECT_ROOT, Settings

log = logging.getLogger("portal.notify")

SMTP_TIMEOUT_SECONDS = 20
PUSH_TIMEOUT_SECONDS = 10
PUSH_TTL_SECONDS = 24 * 60 * 60  # a phone that is off for a day still gets it, later not
VAPID_FILE = PROJECT_ROOT / "var" / "vapid.json"


class DeliveryError(Exception):
    """Sending failed. ``permanent``: trying again cannot help (the address or device is gone)."""

    def __init__(self, reason: str, *, permanent: bool = False, gone: bool = False):
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent or gone
        self.gone = gone  # a push subscription the push service no longer knows


def mask_phone(number: str) -> str:
    """``+15550100142`` -> ``+1555...0142``: enough to tell numbers apart in a log, not to dial."""
    return f"{number[:5]}...{number[-4:]}" if len(number) > 9 else "+..." + number[-2:]


# ---- email --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


class Mailer:
    """One SMTP connection per sender batch, opened on first use and reopened after a failure."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None  # after a failed connect, the rest of the batch waits too

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, to: str, subject: str, body: str, attachment: MailAttachment | None = None) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.settings.mail_from.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        message.set_content(body)
        if attachment is not None:
            maintype, _slash, subtype = attachment.content_type.partition("/")
            message.add_attachment(attachment.data, maintype=maintype or "application",
                                   subtype=subtype or "octet-stream", filename=attachment.name)
        if self._unreachable:
            raise DeliveryError(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except smtplib.SMTPAuthenticationError as failed:
                self._unreachable = f"mail server login failed ({failed.smtp_code})"
            except smtplib.SMTPNotSupportedError:
                self._unreachable = "mail server does not offer STARTTLS"
            except (smtplib.SMTPException, OSError) as failed:
                self._unreachable = f"mail server unreachable ({type(failed).__name__})"
            if self._unreachable:
                raise DeliveryError(self._unreachable) from None
        assert self._smtp is not None
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _text in refused.recipients.values()]
            raise DeliveryError(f"recipient refused ({','.join(map(str, codes))})",
                                permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as refused:
            # Sender or data refused. 5xx would be refused again, but is more often our relay's
            # configuration than this message; retrying costs little and gives up after 8 tries.
            self._reset()
            raise DeliveryError(f"mail server refused ({refused.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as failed:
            self._reset()  # the next message opens a new connection
            raise DeliveryError(f"mail server connection lost ({type(failed).__name__})") from None

    def _reset(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None


# ---- SMS ----------------------------------------------------------------------------------------


class SmsGateway(Protocol):
    def send(self, to: str, body: str) -> None:
        """Hand one text to the provider; raise ``DeliveryError`` when it refuses."""


class LogSmsGateway:
    """Sends nothing: logs the masked number and the text, so a developer can read a code.

    Only outside production: production refuses it (``PORTAL_SMS_GATEWAY`` in ``Settings.problems``,
    and here again), so a text — and the code in it — never goes to a production log.
    """

    def __init__(self, settings: Settings):
        if settings.production:
            raise DeliveryError("PORTAL_SMS_GATEWAY=log sends nothing in production")

    def send(self, to: str, body: str) -> None:
        log.info("SMS to %s queued (development log gateway): %s", mask_phone(to), body)


def sms_gateway(settings: Settings) -> SmsGateway:
    """The gateway ``PORTAL_SMS_GATEWAY`` names: ``log``, or ``package.module:factory`` called with settings."""
    if settings.sms_gateway == "log":
        return LogSmsGateway(settings)
    module_name, _, attribute = settings.sms_gateway.partition(":")
    factory = importlib.import_module(module_name)
    for part in attribute.split("."):
        factory = getattr(factory, part)
    return factory(settings)


# ---- web push -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the 32-byte P-256 private value
    public_key: str  # base64url of the 65-byte uncompressed public point (the browser's applicationServerKey)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def generate_vapid_keys() -> VapidKeys:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(
        private_key=_b64url(private.private_numbers().private_value.to_bytes(32, "big")),
        public_key=_b64url(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
    )


def vapid_keys(settings: Settings, path: Path = VAPID_FILE) -> VapidKeys:
    """The configured VAPID pair; without one (development only), a pair kept in ``var/vapid.json``.

    Two processes generating at once agree: the file is written whole under a temporary name and
    linked into place only if absent, so the loser reads the winner's pair.
    """
    if settings.vapid_private_key:
        return VapidKeys(settings.vapid_private_key, settings.vapid_public_key)
    if settings.production:
        raise DeliveryError("PORTAL_VAPID_PRIVATE_KEY is not set")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = generate_vapid_keys()
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump({"private_key": keys.private_key, "public_key": keys.public_key}, file)
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)
                log.info("generated a development VAPID key pair in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    stored = json.loads(path.read_text(encoding="utf-8"))
    return VapidKeys(stored["private_key"], stored["public_key"])


@dataclass(frozen=True)
class PushTarget:
    endpoint: str
    p256dh: str
    auth: str


def send_push(target: PushTarget, payload: dict, settings: Settings, keys: VapidKeys) -> None:
    """Encrypt ``payload`` (JSON) for the browser (RFC 8291, aes128gcm) and post it, VAPID-signed."""
    import requests
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    try:
        webpush(
            subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=Vapid.from_raw(keys.private_key.encode("ascii")),
            vapid_claims={"sub": settings.vapid_subject},  # webpush adds aud and exp to this dict
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as refused:
        status = refused.status_code
        if status in (404, 410):
            raise DeliveryError(f"push subscription gone ({status})", gone=True) from None
        permanent = status is not None and 400 <= status < 500 and status not in (401, 403, 408, 429)
        raise DeliveryError(f"push service answered {status}", permanent=permanent) from None
    except requests.RequestException as failed:
        raise DeliveryError(f"push service unreachable ({type(failed).__name__})") from None
