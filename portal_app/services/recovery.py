"""Forgotten passwords: an emailed, single-use link (60 minutes) to choose a new password.

``request_reset`` always answers the same way, whether or not an account matches, and does the same
kind of work (one look-up and one counter update) either way. When an active account with an email
matches, a link ``/reset?t=<token>`` is queued: 256 random bits, of which only the SHA-256 is kept.
Requests are throttled per account (3 links an hour) and per source address (20 requests an hour),
counted in the database so that every web worker shares them.

``reset_password`` spends the link: the new password must pass the password policy (with the
user's own words), every session of the user ends, and the user is told by email. The second
factor is never touched: the next sign-in still needs the authenticator app.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.people import Patient, Role, User
from portal_app.models.recovery import PasswordReset, RequestCounter
from portal_app.models.session import UserSession
from portal_app.services import audit, notify, password_policy
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.passwords import hash_password

LIFETIME = timedelta(minutes=60)
WINDOW = timedelta(hours=1)
ACCOUNT_MAX = 3  # reset links per account per hour
SOURCE_MAX = 20  # reset requests per source address per hour
MAX_IDENTIFIER = 254
TOKEN_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# ---- counters shared with services/signup.py ----------------------------------------------------


def bucket(what: str, who: str) -> str:
    message = f"{what}:{who}".encode()
    return hmac.new(settings.password_pepper.encode(), message, hashlib.sha256).hexdigest()


def take(session: Session, key: str, limit: int, window: timedelta = WINDOW) -> bool:
    """Count one request in the bucket; False when the bucket is already full for this window."""
    moment = clock.now()
    table = RequestCounter.__table__
    session.execute(delete(table).where(table.c.window_started_at < moment - timedelta(days=1)))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    session.execute(insert.values(bucket_key=key, window_started_at=moment, count=0)
                    .on_conflict_do_nothing(index_elements=["bucket_key"]))
    session.execute(update(table).where(table.c.bucket_key == key, table.c.window_started_at <= moment - window)
                    .values(window_started_at=moment, count=0))
    result = session.execute(update(table).where(table.c.bucket_key == key, table.c.count < limit)
                             .values(count=table.c.count + 1))
    return bool(result.rowcount)


# ---- asking for a link --------------------------------------------------------------------------


def _clean_identifier(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text or len(text) > MAX_IDENTIFIER or not text.isprintable():
        return ""
    return text


def _find(session: Session, identifier: str) -> User | None:
    if "@" in identifier:
        users = session.exec(select(User).where(func.lower(User.email) == identifier, User.is_active.is_(True))).all()
        return users[0] if len(users) == 1 else None  # a shared address names no one account
    return session.exec(select(User).where(User.username == identifier, User.is_active.is_(True))).first()


def _own_chart(user: User) -> int | None:
    return user.patient_id if user.role == Role.PATIENT else None


def reset_url(origin: str, token: str) -> str:
    return f"{origin.rstrip('/')}/reset?t={token}"


def request_reset(session: Session, identifier: str, source_ip: str = "", origin: str = "") -> None:
    """Queue a reset link if an active account with an email matches; the caller always shows one answer.

    ``origin`` is the portal address the link points at; it must be one of ``PORTAL_ORIGINS``
    (otherwise the first is used), so a forged Host or Origin header cannot redirect the link.
    """
    typed = _clean_identifier(identifier)
    if not typed or not isinstance(source_ip, str):
        return  # malformed: nothing is written
    if not take(session, bucket("reset-source", source_ip), SOURCE_MAX):
        audit.record(session, None, "update", "account", outcome="denied", detail="password reset: throttled address",
                     source_ip=source_ip)
        return
    user = _find(session, typed)
    if user is None or not user.email:
        audit.record(session, None, "update", "account", outcome="failure", detail="password reset: no match",
                     source_ip=source_ip)
        return
    if not take(session, bucket("reset-account", str(user.id)), ACCOUNT_MAX):
        audit.record(session, Actor.for_user(user), "update", "account", outcome="denied", patient_id=_own_chart(user),
                     detail="password reset: throttled account", source_ip=source_ip)
        return
    moment = clock.now()
    for older in session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                          PasswordReset.used_at.is_(None))).all():
        older.used_at = moment  # only the newest link works
        session.add(older)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = PasswordReset(user_id=user.id, token_hash=_digest(token), created_at=moment, expires_at=moment + LIFETIME)
    session.add(row)
    session.flush()
    origin = origin if origin in settings.origins else settings.origins[0]
    notify.queue(session, dedupe_key=f"password_reset:{row.id}", channel="email", recipient=user.email,
                 kind="password_reset", template_key="password_reset", language=user.preferred_language,
                 params={"link": reset_url(origin, token), "minutes": int(LIFETIME.total_seconds() // 60)},
                 user_id=user.id)
    audit.record(session, Actor.for_user(user), "update", "account", patient_id=_own_chart(user),
                 detail="password reset link sent", source_ip=source_ip)


# ---- using it -----------------------------------------------------------------------------------


def _live_reset(session: Session, token: object) -> tuple[PasswordReset, User] | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == _digest(token))).first()
    if row is None or row.used_at is not None or clock.as_utc(row.expires_at) <= clock.now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def link_works(session: Session, token: str) -> bool:
    """Whether the reset page should ask for a new password (nothing is written)."""
    return _live_reset(session, token) is not None


def _personal(session: Session, user: User) -> list[str]:
    words = [user.username, user.display_name, user.email or ""]
    if user.patient_id:
        patient = session.get(Patient, user.patient_id)
        if patient is not None:
            words += [patient.given_name, patient.family_name, patient.email or ""]
    return [w for w in words if w]


def password_feedback(session: Session, token: str, password: str) -> password_policy.PasswordCheck:
    """Live advice while the new password is typed (nothing is stored)."""
    if not isinstance(password, str) or len(password) > password_policy.MAX_LENGTH + 1:
        return password_policy.PasswordCheck(problems=["password.error.too_long"], strength=0)
    found = _live_reset(session, token)
    return password_policy.check(password, _personal(session, found[1]) if found else [])


def reset_password(session: Session, token: str, new_password: str, source_ip: str = "") -> None:
    """Spend the link: new password, every session ended, a security notice queued. Raises InvalidInput."""
    found = _live_reset(session, token)
    if found is None:
        raise InvalidInput("reset.error.link")
    row, user = found
    if not isinstance(new_password, str):
        raise InvalidInput("password.error.too_short")
    verdict = password_policy.check(new_password, _personal(session, user))
    if verdict.problems:
        raise InvalidInput(verdict.problems[0])
    moment = clock.now()
    row.used_at = moment
    session.add(row)
    user.password_hash = hash_password(new_password)
    session.add(user)
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                    .values(revoked_at=moment).execution_options(synchronize_session=False))
    if user.email:
        notify.queue(session, dedupe_key=f"security:{user.id}:password_reset:{row.id}", channel="email",
                     recipient=user.email, kind="security_notice", template_key="security_notice",
                     language=user.preferred_language, params={"what": "password_reset"}, user_id=user.id)
    audit.record(session, Actor.for_user(user), "update", "account", patient_id=_own_chart(user),
                 detail="password reset by email link; sessions ended", source_ip=source_ip)
