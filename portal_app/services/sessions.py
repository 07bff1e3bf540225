"""Sign-in sessions kept on the server; the browser holds only an HttpOnly cookie.

The flow: services/signin.py checks the password and the second factor and returns a one-time
hand-off (60 s); the browser takes it to ``/auth/complete``, which calls ``complete_handoff`` and
sets the cookie. Every event then
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
from portal_app.models.people import STAFF_ROLES, Role, User
from portal_app.models.session import UserSession
from portal_app.services import audit
from portal_app.services.access import Actor

HANDOFF_LIFETIME = timedelta(seconds=60)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _session_ref(row: UserSession) -> str:
    """The hashed session id that audit rows carry (``Actor.session_ref``)."""
    return _digest(f"ref:{row.id}:{row.token_hash}")[:16]


def _actor(user: User, session_ref: str = "") -> Actor:
    return Actor(role=user.role, user_id=user.id, patient_id=user.patient_id, display_name=user.display_name,
                 session_ref=session_ref)


def _own_chart(user: User) -> int | None:
    """A patient's own sign-ins and sign-outs show in their record's access history."""
    return user.patient_id if user.role == Role.PATIENT else None


def idle_limit(role: str) -> timedelta:
    seconds = settings.staff_idle_seconds if role in STAFF_ROLES else settings.patient_idle_seconds
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class SessionInfo:
    actor: Actor
    idle_seconds: int  # how long this session may sit unused
    language: str


def complete_handoff(session: Session, handoff: str) -> str | None:
    """Exchange a fresh hand-off for the session cookie value (once); None if spent or stale."""
    if not handoff or len(handoff) > 100:
        return None
    row = session.exec(select(UserSession).where(UserSession.handoff_hash == _digest(handoff))).first()
    moment = clock.now()
    if (row is None or row.revoked_at is not None or row.factor_verified_at is None
            or clock.as_utc(row.handoff_expires_at) < moment):
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
        audit.record(session, _actor(user, _session_ref(row)), "sign_out", "session", patient_id=_own_chart(user),
                     detail="timed out")
        return None
    if touch:
        row.last_seen_at = moment
        session.add(row)
    actor = Actor(
        role=user.role,
        user_id=user.id,
        patient_id=user.patient_id,
        display_name=user.display_name,
        session_ref=_session_ref(row),
    )
    return SessionInfo(actor=actor, idle_seconds=int(limit.total_seconds()), language=user.preferred_language)


def sign_out(session: Session, token: str | None) -> None:
    if not token or len(token) > 100:
        return
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        session.add(row)
        user = session.get(User, row.user_id)
        if user is not None:
            audit.record(session, _actor(user, _session_ref(row)), "sign_out", "session",
                         patient_id=_own_chart(user))
