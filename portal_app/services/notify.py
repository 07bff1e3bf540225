"""Queueing notifications (email, SMS, web push) through the outbox.

``queue`` writes an ``outbox_message`` row in the caller's transaction: the notice exists if and
only if the change that caused it commits, and the sender (``jobs/outbox_sender.py``) delivers it
later. Each notice has a ``dedupe_key`` ("appointment:42:reminder:3d"); queueing the same key twice
writes one row (``INSERT ... ON CONFLICT DO NOTHING``, safe when two transactions race), so code
that queues may safely run again after a crash or on a second worker.

What a notice may say is fixed here. Email, SMS and push travel over channels the clinic does not
control and end up on lock screens, so a notice carries no health details: its subject and body
are translation templates (``notify.<template>.subject`` / ``.body`` in ``locales/*.json``) and the
only things a caller fills in are the parameters each template declares, each checked by a strict
rule (a code, a number of minutes, a choice from a fixed list). There is no parameter through
which free text — a message, a result, a diagnosis — could reach a notice.
"""

from __future__ import annotations

import base64
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock, i18n
from portal_app.config import Settings
from portal_app.config import settings as default_settings
from portal_app.models.outbox import Channel, OutboxMessage, OutboxStatus, PushSubscription

MAX_PARAM_LENGTH = 40
MAX_DEDUPE_KEY = 200


class TemplateError(ValueError):
    """A programming error: an unknown template or kind, or a parameter the template does not allow.

    Not a ``ServiceError``: no user input reaches a template, so this never needs translating.
    """


# ---- what a notice may contain ------------------------------------------------------------------

# Codes: 4-10 digits, or 2-6 groups of 4 symbols of Crockford's base32 (services/codes.py), which
# has no I, L, O or U: a shape that cannot hold a sentence, a name or a result.
_CODE = re.compile(r"[0-9]{4,10}|[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){1,5}")

# security_notice's {what}: one of these, translated; never text from the caller.
SECURITY_CHANGES = frozenset({
    "password_changed", "password_reset", "second_factor_added", "second_factor_removed",
    "recovery_code_used", "passkey_added", "email_changed", "phone_changed", "account_activated",
})


def _code(value: object, _language: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise TemplateError("code must be 4-10 digits or groups of 4 base32 symbols (XXXX-XXXX)")
    return value


def _minutes(value: object, _language: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24 * 60:
        raise TemplateError("minutes must be a whole number from 1 to 1440")
    return str(value)


def _count(value: object, _language: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise TemplateError("count must be a whole number from 1 to 1000000")
    return str(value)


def _hours(value: object, _language: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24 * 14:
        raise TemplateError("hours must be a whole number from 1 to 336")
    return str(value)


def _security_change(value: object, language: str) -> str:
    if not isinstance(value, str) or value not in SECURITY_CHANGES:
        raise TemplateError(f"what must be one of {sorted(SECURITY_CHANGES)}")
    return i18n.t(f"notify.what.{value}", language)


# {link}: only one of the portal's own pages with a 43-character token (/reset?t=..., the password
# reset; /appointments/earlier?t=..., a wait-list offer), on one of the portal's own origins
# (PORTAL_ORIGINS) — never an address a caller could choose.
LONG_PARAMS = {"link": 200}  # parameters allowed past MAX_PARAM_LENGTH, with their own limit


def _portal_link(path: str) -> Callable[[object, str], str]:
    pattern = re.compile(r"(?P<origin>https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?)" + re.escape(path)
                         + r"\?t=[A-Za-z0-9_-]{43}")

    def check(value: object, _language: str) -> str:
        match = pattern.fullmatch(value) if isinstance(value, str) else None
        if match is None or match.group("origin") not in default_settings.origins:
            raise TemplateError(f"link must be the portal's own {path}?t=<token> address")
        return value

    return check


# Parameters the portal fills in itself (the caller may not): the clinic's own name and phone.
_FILLED_BY_PORTAL: dict[str, Callable[[Settings], str]] = {
    "clinic": lambda s: s.clinic_name,
    "phone": lambda s: s.clinic_phone,
}


@dataclass(frozen=True)
class Template:
    params: Mapping[str, Callable[[object, str], str]]  # what the caller passes, with its rule
    carries_secret: bool = False  # a code: blanked from the row once the notice is finished


TEMPLATES: dict[str, Template] = {
    "activation_code": Template({"code": _code}, carries_secret=True),
    "verification_code": Template({"code": _code, "minutes": _minutes}, carries_secret=True),
    "new_message": Template({}),
    "result_ready": Template({}),
    "security_notice": Template({"what": _security_change}),
    "break_glass_alert": Template({}),  # to admins: a restricted chart was opened (no patient details)
    "password_reset": Template({"link": _portal_link("/reset"), "minutes": _minutes}, carries_secret=True),
    # Refills (services/refills.py, auto_refill.py, medication_reminders.py): never a drug name.
    "refill_approved": Template({}),
    "refill_denied": Template({}),
    "refill_ready": Template({}),
    "refill_auto_requested": Template({}),
    "refill_auto_skipped": Template({}),
    "medication_reminder": Template({}),
    # Messages (services/messages.py): to staff, how many threads are late; never a patient or a word of text.
    "messages_overdue": Template({"count": _count}),
    # Appointments (services/appointment_reminders.py): when, never why or with whom.
    "appointment_reminder": Template({"hours": _hours}),
    "appointment_moved": Template({}),  # services/schedule.py: the clinic moved a visit (not when, nor why)
    # Wait list (services/waitlist.py): "an earlier time is open", with the claim link; never when or with whom.
    "waitlist_offer": Template({"link": _portal_link("/appointments/earlier"), "hours": _hours}, carries_secret=True),
    # A copy of the record the patient asked to email (services/record_copy.py): the record is the
    # attachment only, never in the subject or body.
    "record_copy": Template({}),
}
KINDS = frozenset(TEMPLATES)

_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(template_key: str, language: str, params: Mapping[str, object],
           settings: Settings | None = None) -> Rendered:
    """Subject and body of a template, after checking every parameter against its rule."""
    settings = settings or default_settings
    template = TEMPLATES.get(template_key)
    if template is None:
        raise TemplateError(f"unknown notification template {template_key!r}")
    language = i18n.normalise(language)
    unexpected = set(params) - set(template.params)
    if unexpected:
        raise TemplateError(f"template {template_key!r} takes no parameter {sorted(unexpected)}")
    missing = set(template.params) - set(params)
    if missing:
        raise TemplateError(f"template {template_key!r} needs {sorted(missing)}")
    values: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise TemplateError(f"parameter {name!r} must be text or a whole number")
        if isinstance(value, str) and (len(value) > LONG_PARAMS.get(name, MAX_PARAM_LENGTH) or not value.isprintable()):
            raise TemplateError(f"parameter {name!r} must be short printable text")
        values[name] = template.params[name](value, language)
    values.update({name: fill(settings) for name, fill in _FILLED_BY_PORTAL.items()})
    subject = i18n.t(f"notify.{template_key}.subject", language)
    body = i18n.t(f"notify.{template_key}.body", language)
    return Rendered(subject=subject.format(**values), body=body.format(**values))


def _check_recipient(channel: str, recipient: str) -> str:
    recipient = recipient.strip()
    if channel == Channel.EMAIL and _EMAIL.fullmatch(recipient) and len(recipient) <= 254:
        return recipient
    if channel == Channel.SMS and _E164.fullmatch(recipient):
        return recipient
    if channel == Channel.PUSH and recipient.isdecimal() and len(recipient) <= 18:
        return recipient
    raise TemplateError(f"not a valid {channel} recipient")


def is_valid_recipient(channel: str, recipient: str) -> bool:
    """Whether ``queue`` would accept this address (an old chart may hold an unusable one)."""
    try:
        _check_recipient(channel, recipient)
    except TemplateError:
        return False
    return True


# ---- queueing -----------------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    dedupe_key: str,
    channel: str,
    recipient: str,
    kind: str,
    template_key: str,
    language: str,
    params: Mapping[str, object],
    user_id: int | None = None,
    patient_id: int | None = None,
    not_before: datetime | None = None,
    settings: Settings | None = None,
    attachment: Attachment | None = None,
) -> bool:
    """Queue one notice in the caller's transaction; False (and nothing written) if already queued.

    ``recipient`` is an email address, an E.164 phone number (``+15550100142``) or, for push, the
    id of a ``push_subscription`` row. The notice is sent no earlier than ``not_before``. Only an
    email may carry an ``attachment``, and only for a kind listed in ``ATTACHMENT_KINDS``.
    """
    if channel not in set(Channel):
        raise TemplateError(f"unknown channel {channel!r}")
    if kind not in KINDS:
        raise TemplateError(f"unknown notification kind {kind!r}")
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY or not dedupe_key.isprintable():
        raise TemplateError("dedupe_key must be 1-200 printable characters")
    recipient = _check_recipient(channel, recipient)
    if channel == Channel.PUSH and user_id is None:
        raise TemplateError("a push notice needs the user_id whose device it goes to")
    if attachment is not None:
        _check_attachment(channel, kind, attachment)
    rendered = render(template_key, language, params, settings)
    moment = clock.now()
    due = clock.as_utc(not_before) if not_before is not None else moment
    values = dict(
        dedupe_key=dedupe_key, user_id=user_id, patient_id=patient_id, channel=str(channel),
        recipient=recipient, kind=kind, subject=rendered.subject, body=rendered.body,
        created_at=moment, not_before=due, status=OutboxStatus.PENDING.value, attempts=0,
        next_attempt_at=due,
    )
    if attachment is not None:
        values.update(attachment_name=attachment.name, attachment_type=attachment.content_type,
                      attachment=attachment.data)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(OutboxMessage.__table__)
    elif dialect == "sqlite":
        insert = sqlite.insert(OutboxMessage.__table__)
    else:  # pragma: no cover - the portal runs on SQLite or PostgreSQL only
        raise RuntimeError(f"no race-safe insert for {dialect}")
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    # RETURNING gives a row only when the insert happened (rowcount is not reliable with RETURNING).
    return session.execute(statement.returning(OutboxMessage.__table__.c.id)).first() is not None


@dataclass(frozen=True)
class Attachment:
    """One file an email carries (kept on the outbox row only until the notice is finished)."""

    name: str
    content_type: str
    data: bytes


ATTACHMENT_KINDS = frozenset({"record_copy"})  # the only notices that may carry a file
MAX_ATTACHMENT = 10 * 1024 * 1024
_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
_ATTACHMENT_TYPES = frozenset({"application/pdf"})


def _check_attachment(channel: str, kind: str, attachment: Attachment) -> None:
    if channel != Channel.EMAIL or kind not in ATTACHMENT_KINDS:
        raise TemplateError(f"a {channel} {kind!r} notice carries no attachment")
    if not _ATTACHMENT_NAME.fullmatch(attachment.name) or attachment.content_type not in _ATTACHMENT_TYPES:
        raise TemplateError("attachment needs a plain file name and a known content type")
    if not isinstance(attachment.data, bytes) or not 0 < len(attachment.data) <= MAX_ATTACHMENT:
        raise TemplateError("attachment must be 1 byte to 10 MB")


def _secret_kinds() -> list[str]:
    return sorted(key for key, template in TEMPLATES.items() if template.carries_secret)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cancel(session: Session, dedupe_key_prefix: str) -> int:
    """Cancel the pending notices whose key starts with the prefix (in the caller's transaction).

    The prefix must end with ":" (``"appointment:42:"``), so that appointment 4 never cancels the
    reminders of appointment 42. A notice a sender has already claimed is not cancelled: it may be
    on its way. Returns how many were cancelled.
    """
    if not dedupe_key_prefix.endswith(":") or len(dedupe_key_prefix) < 2:
        raise TemplateError("a dedupe key prefix must end with ':'")
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.like(_escape_like(dedupe_key_prefix) + "%", escape="\\"),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(
            status=OutboxStatus.CANCELLED,
            claimed_by=None,
            claimed_until=None,
            body=case((OutboxMessage.kind.in_(_secret_kinds()), ""), else_=OutboxMessage.body),
            attachment=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# ---- web push subscriptions ---------------------------------------------------------------------

# Hosts of the browsers' push services. A subscription's endpoint is a URL the browser gives us
# and the sender posts to, so in production only these are accepted (no request to an inner host).
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com", "updates.push.services.mozilla.com", "push.services.mozilla.com",
    "notify.windows.com", "push.apple.com",
)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _endpoint_allowed(endpoint: str, settings: Settings) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in PUSH_SERVICE_HOSTS):
        return True
    # A laptop or a test may use a local stand-in for the push service.
    return not settings.production and parts.scheme in ("http", "https") and host in ("127.0.0.1", "localhost")


def save_push_subscription(session: Session, user_id: int, endpoint: str, p256dh: str, auth: str,
                           settings: Settings | None = None) -> int:
    """Record (or renew) the subscription a browser gave us; returns its id, the push recipient."""
    settings = settings or default_settings
    if len(endpoint) > 1000 or not _endpoint_allowed(endpoint, settings):
        raise TemplateError("push endpoint is not a known push service")
    try:
        key, secret = _b64url(p256dh), _b64url(auth)
    except ValueError:
        raise TemplateError("push keys must be base64url") from None
    if len(key) != 65 or key[0] != 4 or len(secret) != 16:
        raise TemplateError("push keys must be a P-256 public key and a 16-byte auth secret")
    existing = session.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    if existing is None:
        existing = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    else:
        # The same browser, perhaps now signed in to another account: it is that account's device
        # from now on (the sender checks a push's user against the subscription's before sending).
        existing.user_id, existing.p256dh, existing.auth, existing.revoked_at = user_id, p256dh, auth, None
    session.add(existing)
    session.flush()
    assert existing.id is not None
    return existing.id


def revoke_push_subscription(session: Session, user_id: int, subscription_id: int) -> bool:
    """The user turned notifications off on that device (or it told us it is gone)."""
    row = session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = clock.now()
    session.add(row)
    return True
