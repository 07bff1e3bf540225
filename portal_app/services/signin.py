"""Signing in: a password, then a code from the authenticator app (or a recovery code).

Each step returns a ``Step`` instead of raising, because a failure must still be saved: its count
drives the delays and the 100-failure cap (services/throttle.py), and a raise would roll it back.

1. ``check_password`` — on success a session row is started and a *pending* token (5 minutes)
   names it; nothing is signed in yet.
2. ``check_second_factor`` — with the pending token and a fresh code, the row is marked verified
   and a one-time hand-off (60 s) is returned for ``/auth/complete`` to turn into the cookie.
Unknown user, disabled user and wrong password fail alike after the same hash work. Using a
recovery code sends the user a security notice. Every outcome is audited.

A staff account still on its one-time password gets a *set-up* token instead (``first_sign_in``):
services/staff_setup.py then replaces the password and enrols the app before any session starts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.people import Role, User
from portal_app.models.session import UserSession
from portal_app.services import audit, mfa, notify, staff_setup, throttle
from portal_app.services.access import Actor
from portal_app.services.passwords import verify_password
from portal_app.services.sessions import HANDOFF_LIFETIME

PENDING_LIFETIME = timedelta(minutes=5)
MAX_USERNAME = 64
MAX_PASSWORD = 256
MAX_CODE = 64


@dataclass(frozen=True)
class Step:
    ok: bool
    token: str = ""  # the pending token (after the password) or the hand-off (after the code)
    error: str = ""  # a translation key
    wait_seconds: int = 0
    first_sign_in: bool = False  # the token is a staff set-up token (services/staff_setup.py)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _own_chart(user: User) -> int | None:
    return user.patient_id if user.role == Role.PATIENT else None


def _refused(gate: throttle.Gate) -> Step:
    if gate.disabled:
        return Step(ok=False, error="signin.error.locked")
    return Step(ok=False, error="signin.error.wait", wait_seconds=gate.wait_seconds)


def _fail(session: Session, user: User | None, username: str, ip: str, detail: str) -> None:
    audit.record(session, Actor.for_user(user) if user else None, "sign_in_failed", "session", outcome="failure",
                 patient_id=_own_chart(user) if user else None, detail=f"{detail}: {username}"[:80], source_ip=ip)


def check_password(session: Session, username: str, password: str, ip: str = "", user_agent: str = "") -> Step:
    username = (username or "").strip().lower() if isinstance(username, str) else ""
    password = password if isinstance(password, str) else ""
    if not username or not password or len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD \
            or not username.isprintable():
        verify_password(password[:MAX_PASSWORD], None)  # the same work as a real check
        _fail(session, None, username[:MAX_USERNAME], ip, "password")
        return Step(ok=False, error="signin.error.wrong")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is not None:
        gate = throttle.gate(session, user.id, "password")
        if not gate.open:
            _fail(session, user, username, ip, "throttled")
            return _refused(gate)
    ok = verify_password(password, user.password_hash if user else None)
    if not (ok and user and user.is_active):
        if user is not None:
            throttle.failed(session, user.id, "password")
        _fail(session, user, username, ip, "password")
        return Step(ok=False, error="signin.error.wrong")
    throttle.succeeded(session, user.id, "password")
    setup = staff_setup.unfinished(session, user.id)
    if setup is not None and staff_setup.is_expired(setup):
        _fail(session, user, username, ip, "set-up expired")
        return Step(ok=False, error="signin.error.setup_expired")
    if setup is None and not mfa.has_authenticator(session, user.id):
        _fail(session, user, username, ip, "no second factor")
        return Step(ok=False, error="signin.error.setup_unfinished")
    pending = secrets.token_urlsafe(32)
    moment = clock.now()
    session.add(
        UserSession(
            user_id=user.id,
            handoff_hash=_digest(pending),
            handoff_expires_at=moment + (staff_setup.PENDING_LIFETIME if setup else PENDING_LIFETIME),
            last_seen_at=moment,
            expires_at=moment + timedelta(seconds=settings.session_max_seconds),
            user_agent=(user_agent or "")[:300],
            ip_address=(ip or "")[:64],
        )
    )
    return Step(ok=True, token=pending, first_sign_in=setup is not None)


def check_second_factor(session: Session, pending: str, code: str, *, recovery: bool = False, ip: str = "") -> Step:
    """The code step. ``recovery`` means ``code`` is one of the user's recovery codes."""
    if not isinstance(pending, str) or not pending or len(pending) > 100:
        return Step(ok=False, error="signin.error.start_again")
    row = session.exec(select(UserSession).where(UserSession.handoff_hash == _digest(pending))).first()
    moment = clock.now()
    if (row is None or row.factor_verified_at is not None or row.revoked_at is not None
            or clock.as_utc(row.handoff_expires_at) < moment):
        return Step(ok=False, error="signin.error.start_again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return Step(ok=False, error="signin.error.start_again")
    factor = "recovery" if recovery else "totp"
    gate = throttle.gate(session, user.id, factor)
    if not gate.open:
        _fail(session, user, user.username, ip, "throttled")
        return _refused(gate)
    code = code if isinstance(code, str) else ""
    if len(code) > MAX_CODE:
        code = ""
    ok = mfa.use_recovery_code(session, user.id, code) if recovery else mfa.check_code(session, user.id, code)
    if not ok:
        throttle.failed(session, user.id, factor)
        _fail(session, user, user.username, ip, factor)
        return Step(ok=False, error="signin.error.wrong_recovery" if recovery else "signin.error.wrong_code")
    throttle.succeeded(session, user.id, factor)
    handoff = secrets.token_urlsafe(32)
    row.factor_verified_at = moment
    row.handoff_hash = _digest(handoff)
    row.handoff_expires_at = moment + HANDOFF_LIFETIME
    session.add(row)
    audit.record(session, Actor.for_user(user), "sign_in", "session", patient_id=_own_chart(user), source_ip=ip,
                 detail="recovery code" if recovery else "authenticator")
    if recovery:
        _tell_user_a_recovery_code_was_used(session, user, row)
    return Step(ok=True, token=handoff)


def _tell_user_a_recovery_code_was_used(session: Session, user: User, row: UserSession) -> None:
    if not user.email:
        return
    notify.queue(session, dedupe_key=f"security:{user.id}:recovery:{row.id}", channel="email",
                 recipient=user.email, kind="security_notice", template_key="security_notice",
                 language=user.preferred_language, params={"what": "recovery_code_used"}, user_id=user.id)
