"""A staff account's first sign-in: replace the one-time password, enrol an authenticator app.
The same steps, from the app on, bring a patient back after a staff-assisted "lost my phone" reset
(services/authenticator_reset.py opens the set-up with the password already chosen).

An admin (``/console/staff`` or ``portal create-admin``) gives a new staff member a one-time
password. Signing in with it does not start a session: ``services/signin.py`` hands back a
*set-up* token (30 minutes) instead, and the steps below run with it — choose a password, enrol an
app with a first code (which ends the set-up and shows the recovery codes), then ``finish`` turns
that same sign-in into the usual 60-second hand-off. The whole set-up must be done within 7 days
of the one-time password, after which sign-in refuses it until an admin issues a new one.
Each step is audited; the finished set-up sends the member a security notice.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Role, User
from portal_app.models.session import UserSession
from portal_app.models.staff_setup import StaffSetup
from portal_app.services import audit, mfa, notify, password_policy
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.passwords import hash_password, verify_password
from portal_app.services.sessions import HANDOFF_LIFETIME

SETUP_LIFETIME = timedelta(days=7)  # from the one-time password to a finished set-up
PENDING_LIFETIME = timedelta(minutes=30)  # one sitting: time to install an app
MAX_TOKEN = 100
MAX_CODE = 20

PASSWORD_STEP, AUTHENTICATOR_STEP, RECOVERY_STEP = "password", "authenticator", "recovery"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def open_setup(session: Session, user_id: int, *, keep_password: bool = False) -> None:
    """A one-time password was just given to this account (or, ``keep_password``, its app was
    removed): its set-up starts (again) now."""
    row = session.exec(select(StaffSetup).where(StaffSetup.user_id == user_id)).first() or StaffSetup(
        user_id=user_id, expires_at=clock.now())
    row.expires_at = clock.now() + SETUP_LIFETIME
    row.completed_at = row.completed_session_id = None
    row.password_set_at = clock.now() if keep_password else None
    session.add(row)


def unfinished(session: Session, user_id: int) -> StaffSetup | None:
    row = session.exec(select(StaffSetup).where(StaffSetup.user_id == user_id)).first()
    return row if row is not None and row.completed_at is None else None


def is_expired(row: StaffSetup) -> bool:
    return clock.as_utc(row.expires_at) <= clock.now()


@dataclass
class _Context:
    sign_in: UserSession
    user: User
    setup: StaffSetup

    @property
    def actor(self) -> Actor:
        return Actor(role=self.user.role, user_id=self.user.id, display_name=self.user.display_name,
                     patient_id=self.user.patient_id if self.user.role == Role.PATIENT else None)

    @property
    def step(self) -> str:
        if self.setup.completed_at is not None:
            return RECOVERY_STEP
        return AUTHENTICATOR_STEP if self.setup.password_set_at is not None else PASSWORD_STEP


def _context(session: Session, token: object, *steps: str) -> _Context:
    """The set-up this token belongs to, if it is still live and at one of ``steps``."""
    lost = InvalidInput("signin.error.start_again")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise lost
    row = session.exec(select(UserSession).where(UserSession.handoff_hash == _digest(token))).first()
    if (row is None or row.factor_verified_at is not None or row.revoked_at is not None
            or clock.as_utc(row.handoff_expires_at) <= clock.now()):
        raise lost
    user = session.get(User, row.user_id)
    setup = session.exec(select(StaffSetup).where(StaffSetup.user_id == row.user_id)).first()
    if user is None or not user.is_active or setup is None:
        raise lost
    if setup.completed_at is not None and setup.completed_session_id != row.id:
        raise lost  # finished from another sign-in: this one must use the app's code now
    if setup.completed_at is None and is_expired(setup):
        raise InvalidInput("signin.error.setup_expired")
    context = _Context(sign_in=row, user=user, setup=setup)
    if context.step not in steps:
        raise lost
    return context


def current_step(session: Session, token: str) -> str:
    return _context(session, token, PASSWORD_STEP, AUTHENTICATOR_STEP, RECOVERY_STEP).step


def _personal(user: User) -> list[str]:
    return [word for word in (user.username, user.display_name, user.email or "") if word]


def password_feedback(session: Session, token: str, password: str) -> password_policy.PasswordCheck:
    """Live advice while the new password is typed (nothing is stored)."""
    context = _context(session, token, PASSWORD_STEP)
    if not isinstance(password, str) or len(password) > password_policy.MAX_LENGTH:
        return password_policy.PasswordCheck(problems=["password.error.too_long"], strength=0)
    return password_policy.check(password, _personal(context.user))


def choose_password(session: Session, token: str, password: str, ip: str = "") -> None:
    """Replace the one-time password; from now on it no longer works."""
    context = _context(session, token, PASSWORD_STEP)
    if not isinstance(password, str) or not password:
        raise InvalidInput("password.error.too_short")
    verdict = password_policy.check(password, _personal(context.user))
    if verdict.problems:
        raise InvalidInput(verdict.problems[0])
    if verify_password(password, context.user.password_hash):
        raise InvalidInput("staff_setup.error.same_password")
    context.user.password_hash = hash_password(password)
    context.setup.password_set_at = clock.now()
    session.add(context.user)
    session.add(context.setup)
    audit.record(session, context.actor, "update", "account", source_ip=ip, patient_id=context.actor.patient_id,
                 detail="first sign-in: one-time password replaced")


def begin_authenticator(session: Session, token: str) -> mfa.Enrolment:
    """A fresh secret for the app (QR code, link, text key); again on every call until confirmed."""
    return mfa.begin_enrolment(session, _context(session, token, AUTHENTICATOR_STEP).actor)


def confirm_authenticator(session: Session, token: str, code: str, ip: str = "") -> list[str]:
    """The app's first code finishes the set-up; returns the recovery codes, shown once."""
    context = _context(session, token, AUTHENTICATOR_STEP)
    if not isinstance(code, str) or len(code) > MAX_CODE:
        raise InvalidInput("mfa.error.wrong_code")
    recovery = mfa.confirm_enrolment(session, context.actor, code)
    moment = clock.now()
    context.setup.completed_at = moment
    context.setup.completed_session_id = context.sign_in.id
    session.add(context.setup)
    audit.record(session, context.actor, "update", "account", source_ip=ip, patient_id=context.actor.patient_id,
                 detail="first sign-in: authenticator app added, set-up finished")
    if context.user.email:
        notify.queue(session, dedupe_key=f"staff_setup:{context.setup.id}:{moment.timestamp():.0f}:done",
                     channel="email", recipient=context.user.email, kind="security_notice",
                     template_key="security_notice", language=context.user.preferred_language,
                     params={"what": "account_activated"}, user_id=context.user.id)
    return recovery


def finish(session: Session, token: str, ip: str = "") -> str:
    """The recovery codes were saved: this sign-in becomes a session (returns the 60-second hand-off)."""
    context = _context(session, token, RECOVERY_STEP)
    handoff = secrets.token_urlsafe(32)
    moment = clock.now()
    context.sign_in.factor_verified_at = moment
    context.sign_in.handoff_hash = _digest(handoff)
    context.sign_in.handoff_expires_at = moment + HANDOFF_LIFETIME
    session.add(context.sign_in)
    audit.record(session, context.actor, "sign_in", "session", source_ip=ip, patient_id=context.actor.patient_id,
                 detail="first sign-in")
    return handoff
