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
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.people import STAFF_ROLES, Role, User
from portal_app.models.session import UserSession
from portal_app.services import audit
from portal_app.services.access import Actor
from portal_app.services.errors import NotFound, PermissionDenied

HANDOFF_LIFETIME = timedelta(seconds=60)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _session_ref(row: UserSession) -> str:
    """The hashed session id that audit rows carry (``Actor.session_ref``)."""
    return _digest(f"ref:{row.id}:{row.token_hash}")[:16]


def _own_chart(user: User) -> int | None:
    """A patient's own sign-ins and sign-outs show in their record's access history."""
    return user.patient_id if user.role == Role.PATIENT else None


def idle_limit(role: str) -> timedelta:
    seconds = settings.staff_idle_seconds if role in STAFF_ROLES else settings.patient_idle_seconds
    return timedelta(seconds=seconds)


def touch_interval(limit: timedelta) -> timedelta:
    """How stale the recorded last activity may get before an event writes it again. Writing it on
    every click would make each click wait for a disk write; this way a session can end at most a
    60th of its idle limit early (15 s of 15 minutes), never late."""
    return limit / 60


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
        audit.record(session, Actor.for_user(user, session_ref=_session_ref(row)), "sign_out", "session", patient_id=_own_chart(user),
                     detail="timed out")
        return None
    if touch and moment - clock.as_utc(row.last_seen_at) >= touch_interval(limit):
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
            audit.record(session, Actor.for_user(user, session_ref=_session_ref(row)), "sign_out", "session",
                         patient_id=_own_chart(user))


# --- the user's own sessions: "where you are signed in" ------------------------------------------


@dataclass(frozen=True)
class SessionView:
    """One signed-in device, as its owner sees it (no token, no hash)."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    device: str  # e.g. "Chrome on Android"
    ip: str
    is_current: bool


_BROWSERS = (  # order matters: Edge and Opera also say "Chrome", Chrome also says "Safari"
    ("edg/", "Edge"), ("edga/", "Edge"), ("edgios/", "Edge"), ("opr/", "Opera"), ("samsungbrowser/", "Samsung Internet"),
    ("firefox/", "Firefox"), ("fxios/", "Firefox"), ("crios/", "Chrome"), ("chromium/", "Chromium"),
    ("chrome/", "Chrome"), ("safari/", "Safari"),
)
_SYSTEMS = (
    ("iphone", "iPhone"), ("ipad", "iPad"), ("android", "Android"), ("cros", "ChromeOS"),
    ("windows", "Windows"), ("mac os x", "Mac"), ("macintosh", "Mac"), ("linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """A readable "Browser on System" from a User-Agent header; "" when nothing is recognised."""
    agent = (user_agent or "").lower()[:300]
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system


def _live(row: UserSession, role: str, moment: datetime) -> bool:
    return (row.revoked_at is None and row.token_hash is not None and row.factor_verified_at is not None
            and clock.as_utc(row.expires_at) > moment and clock.as_utc(row.last_seen_at) + idle_limit(role) > moment)


def _own_user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if isinstance(actor.user_id, int) else None
    if user is None or not user.is_active:
        raise PermissionDenied()
    return user


def _active_rows(session: Session, user: User) -> list[UserSession]:
    moment = clock.now()
    rows = session.exec(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
                                  UserSession.token_hash.is_not(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [row for row in rows if _live(row, user.role, moment)]


def list_sessions(session: Session, actor: Actor, current_token: str | None = None) -> list[SessionView]:
    """The actor's own signed-in devices (active and verified only), most recently used first."""
    user = _own_user(session, actor)
    current = _digest(current_token) if isinstance(current_token, str) and 0 < len(current_token) <= 100 else None
    return [
        SessionView(id=row.id, created_at=clock.as_utc(row.created_at), last_seen_at=clock.as_utc(row.last_seen_at),
                    device=device_label(row.user_agent), ip=row.ip_address, is_current=row.token_hash == current)
        for row in _active_rows(session, user)
    ]


def _end(session: Session, user: User, row: UserSession, detail: str) -> None:
    row.revoked_at = clock.now()
    session.add(row)
    audit.record(session, Actor.for_user(user, session_ref=_session_ref(row)), "sign_out", "session", patient_id=_own_chart(user),
                 detail=detail)


def end_session(session: Session, actor: Actor, session_id: int, current_token: str | None = None) -> bool:
    """End one of the actor's own sessions; True when it was the one this request came from.

    Another user's session (or an unknown or already ended one) is NotFound, and the refusal is audited.
    """
    user = _own_user(session, actor)
    valid = isinstance(session_id, int) and not isinstance(session_id, bool)
    row = session.get(UserSession, session_id) if valid and 0 < session_id < 2**63 else None
    if row is None or row.user_id != user.id or not _live(row, user.role, clock.now()):
        audit.record_refusal(session, actor, "sign_out", "session", patient_id=_own_chart(user),
                             detail=f"end session {session_id if valid else '?'}"[:80])
        raise NotFound()
    current = isinstance(current_token, str) and 0 < len(current_token) <= 100 \
        and row.token_hash == _digest(current_token)
    _end(session, user, row, "ended on this device" if current else "ended from another device")
    return bool(current)


def end_all_sessions(session: Session, actor: Actor, keep_token: str | None = None) -> int:
    """"Sign out everywhere": end every active session of the actor's, except ``keep_token``'s if given."""
    user = _own_user(session, actor)
    keep = _digest(keep_token) if isinstance(keep_token, str) and 0 < len(keep_token) <= 100 else None
    ended = 0
    for row in _active_rows(session, user):
        if row.token_hash != keep:
            _end(session, user, row, "signed out everywhere")
            ended += 1
    return ended


def idle_status(session: Session, token: str | None) -> int | None:
    """Seconds until this session ends (idle or absolute limit), None if it already has.

    Does not count as activity: ``last_seen_at`` is left alone (an expired session is ended here,
    as ``resolve`` does at every event).
    """
    info = resolve(session, token, touch=False)
    if info is None:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).one()
    moment = clock.now()
    ends = min(clock.as_utc(row.last_seen_at) + timedelta(seconds=info.idle_seconds), clock.as_utc(row.expires_at))
    return max(0, int((ends - moment).total_seconds()))


def timed_out(session: Session, token: str | None) -> bool:
    """Whether this (ended) session ended because it sat unused or reached its lifetime."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return False
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is None:
        return False
    user = session.get(User, row.user_id)
    if user is None:
        return False
    revoked = clock.as_utc(row.revoked_at)
    return clock.as_utc(row.expires_at) <= revoked or clock.as_utc(row.last_seen_at) + idle_limit(user.role) <= revoked
