"""Sign-in sessions kept on the server; the browser holds only an HttpOnly cookie.

The flow: ``sign_in`` checks the password and returns a one-time hand-off (60 s); the browser takes
it to ``/auth/complete``, which calls ``complete_handoff`` and sets the cookie. Every event then
calls ``resolve`` with the cookie, which enforces the idle timeout and absolute lifetime on the
server. Reflex's own client token is never used as the session id.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.people import STAFF_ROLES, User
from portal_app.models.session import UserSession
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.passwords import verify_password

HANDOFF_LIFETIME = timedelta(seconds=60)
MAX_USERNAME = 64
MAX_PASSWORD = 256


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def idle_limit(role: str) -> timedelta:
    seconds = settings.staff_idle_seconds if role in STAFF_ROLES else settings.patient_idle_seconds
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class SessionInfo:
    actor: Actor
    idle_seconds: int  # how long this session may sit unused
    language: str


def sign_in(session: Session, username: str, password: str, ip: str = "", user_agent: str = "") -> str:
    """Check the password; on success return the one-time hand-off for ``/auth/complete``.

    Unknown user, disabled user and wrong password all fail the same way after the same hash work.
    """
    username = (username or "").strip().lower()
    if not username or not password or len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        raise InvalidInput("signin.error.wrong")
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None)
    if not (ok and user and user.is_active):
        raise InvalidInput("signin.error.wrong")
    handoff = secrets.token_urlsafe(32)
    moment = clock.now()
    session.add(
        UserSession(
            user_id=user.id,
            handoff_hash=_digest(handoff),
            handoff_expires_at=moment + HANDOFF_LIFETIME,
            last_seen_at=moment,
            expires_at=moment + timedelta(seconds=settings.session_max_seconds),
            user_agent=user_agent[:300],
            ip_address=ip[:64],
        )
    )
    return handoff


def complete_handoff(session: Session, handoff: str) -> str | None:
    """Exchange a fresh hand-off for the session cookie value (once); None if spent or stale."""
    if not handoff or len(handoff) > 100:
        return None
    row = session.exec(select(UserSession).where(UserSession.handoff_hash == _digest(handoff))).first()
    moment = clock.now()
    if row is None or row.revoked_at is not None or clock.as_utc(row.handoff_expires_at) < moment:
        return None
    token = secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG
    row.handoff_hash = None
    row.handoff_expires_at = None
    row.token_hash = _digest(token)
    row.last_seen_at = moment
    session.add(row)
    return token


def resolve(session: Session, token: str | None, touch: bool = True) -> SessionInfo | None:
    """The signed-in actor for a cookie value, or None when absent, revoked, idle or expired."""
    if not token or len(token) > 100:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    moment = clock.now()
    if user is None or not user.is_active:
        return None
    limit = idle_limit(user.role)
    if clock.as_utc(row.expires_at) <= moment or clock.as_utc(row.last_seen_at) + limit <= moment:
        row.revoked_at = moment
        session.add(row)
        return None
    if touch:
        row.last_seen_at = moment
        session.add(row)
    actor = Actor(
        role=user.role,
        user_id=user.id,
        patient_id=user.patient_id,
        display_name=user.display_name,
        session_ref=_digest(f"ref:{row.id}:{row.token_hash}")[:16],
    )
    return SessionInfo(actor=actor, idle_seconds=int(limit.total_seconds()), language=user.preferred_language)


def sign_out(session: Session, token: str | None) -> None:
    if not token or len(token) > 100:
        return
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        session.add(row)
