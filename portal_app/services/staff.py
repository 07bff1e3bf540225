"""Staff accounts, for admins: list, create (with a one-time password), change role, disable,
enable, unlock, end sessions, start again with a new one-time password (a lost phone or an expired
first password); and the demo outbox view. Every change is audited.

Permission "staff.manage" (admins, and the operator's ``portal create-admin`` command).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.mfa import FactorFailures
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import STAFF_ROLES, Role, User
from portal_app.models.session import UserSession
from portal_app.services import audit, mfa, notify, staff_setup, throttle
from portal_app.services.access import Actor, allowed
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.passwords import hash_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
ROLES = (Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN)
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OUTBOX_LIMIT = 50


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    title: str
    role: str
    email: str
    active: bool
    locked: bool  # a factor was switched off after too many failures, or is waiting out a delay
    sessions: int  # sessions open now


@dataclass(frozen=True)
class Created:
    user_id: int
    username: str
    one_time_password: str  # shown once, never stored in plain text; works for 7 days, at the first sign-in


@dataclass(frozen=True)
class OutboxView:
    id: int
    created_at: datetime
    recipient: str  # masked except the last four characters
    channel: str
    kind: str
    status: str
    subject: str
    body: str


def _require(session: Session, actor: Actor | None, action: str, permission: str = "staff.manage") -> Actor:
    if not allowed(actor, permission):
        audit.record_refusal(session, actor, action, "staff")
        raise PermissionDenied()
    assert actor is not None
    return actor


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**62


def _text(value: object, limit: int, key: str, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(key)
    cleaned = " ".join(value.split())
    if (required and not cleaned) or len(cleaned) > limit or not cleaned.isprintable():
        raise InvalidInput(key)
    return cleaned


def _role(value: object) -> str:
    if not isinstance(value, str) or value not in ROLES:
        raise InvalidInput("staff.error.role")
    return str(value)


def _staff_user(session: Session, user_id: object) -> User:
    user = session.get(User, user_id) if _is_id(user_id) else None
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound()
    return user


def one_time_password() -> str:
    """16 characters from 56 symbols: about 93 bits."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))


def _open_sessions(session: Session) -> dict[int, int]:
    moment = clock.now()
    rows = session.exec(
        select(UserSession.user_id, func.count())
        .where(UserSession.revoked_at.is_(None), UserSession.token_hash.is_not(None),
               UserSession.expires_at > moment)
        .group_by(UserSession.user_id)
    ).all()
    return {user_id: count for user_id, count in rows}


def _locked(session: Session) -> set[int]:
    rows = session.exec(select(FactorFailures)).all()
    return {row.user_id for row in rows if row.disabled_at is not None or row.count >= throttle.FIRST_DELAYED_FAILURE}


def list_staff(session: Session, actor: Actor) -> list[StaffView]:
    _require(session, actor, "read")
    users = session.exec(select(User).where(User.role.in_([str(r) for r in ROLES])).order_by(User.display_name, User.id)).all()
    open_sessions, locked = _open_sessions(session), _locked(session)
    return [
        StaffView(id=u.id, username=u.username, display_name=u.display_name, title=u.title or "", role=u.role,
                  email=u.email or "", active=u.is_active, locked=u.id in locked, sessions=open_sessions.get(u.id, 0))
        for u in users
    ]


def create_staff(session: Session, actor: Actor, username: object, display_name: object, title: object,
                 role: object, email: object) -> Created:
    _require(session, actor, "create")
    name = _text(username, 64, "staff.error.username").lower()
    if not USERNAME.match(name):
        raise InvalidInput("staff.error.username")
    shown = _text(display_name, 200, "staff.error.display_name")
    job_title = _text(title, 64, "staff.error.title", required=False) or None
    chosen = _role(role)
    address = _text(email, 254, "staff.error.email", required=False)
    if address and not EMAIL.match(address):
        raise InvalidInput("staff.error.email")
    if session.exec(select(User.id).where(User.username == name)).first() is not None:
        raise InvalidInput("staff.error.taken")
    password = one_time_password()
    user = User(username=name, display_name=shown, title=job_title, role=chosen, email=address or None,
                password_hash=hash_password(password), is_active=True)
    session.add(user)
    session.flush()
    assert user.id is not None
    staff_setup.open_setup(session, user.id)
    audit.record(session, actor, "create", "staff", detail=f"user {user.id} role={chosen}")
    return Created(user_id=user.id, username=name, one_time_password=password)


def _admins_left(session: Session, excluding: int) -> int:
    return len(session.exec(select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True),
                                                  User.id != excluding)).all())


def change_role(session: Session, actor: Actor, user_id: object, role: object) -> None:
    _require(session, actor, "permission_change")
    chosen = _role(role)
    user = _staff_user(session, user_id)
    if user.role == chosen:
        return
    if user.role == Role.ADMIN and _admins_left(session, user.id) == 0:
        raise InvalidInput("staff.error.last_admin")
    before = user.role
    user.role = chosen
    session.add(user)
    _end_sessions(session, user.id)  # the new role applies from the next sign-in
    audit.record(session, actor, "permission_change", "staff", detail=f"user {user.id} {before}->{chosen}")


def _end_sessions(session: Session, user_id: int) -> int:
    moment = clock.now()
    rows = session.exec(select(UserSession).where(UserSession.user_id == user_id,
                                                   UserSession.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = moment
        session.add(row)
    return len(rows)


def set_active(session: Session, actor: Actor, user_id: object, active: object) -> None:
    _require(session, actor, "update")
    if not isinstance(active, bool):
        raise InvalidInput("staff.error.filter")
    user = _staff_user(session, user_id)
    if not active and user.id == actor.user_id:
        raise InvalidInput("staff.error.self")
    if not active and user.role == Role.ADMIN and _admins_left(session, user.id) == 0:
        raise InvalidInput("staff.error.last_admin")
    user.is_active = active
    session.add(user)
    ended = 0 if active else _end_sessions(session, user.id)
    audit.record(session, actor, "update", "staff",
                 detail=f"user {user.id} {'enabled' if active else 'disabled'}; {ended} sessions ended")


def unlock(session: Session, actor: Actor, user_id: object) -> None:
    _require(session, actor, "update")
    user = _staff_user(session, user_id)
    throttle.reset(session, user.id)
    audit.record(session, actor, "update", "staff", detail=f"user {user.id} unlocked")


def end_sessions(session: Session, actor: Actor, user_id: object) -> int:
    _require(session, actor, "update")
    user = _staff_user(session, user_id)
    ended = _end_sessions(session, user.id)
    audit.record(session, actor, "update", "staff", detail=f"user {user.id} {ended} sessions ended")
    return ended


def new_one_time_password(session: Session, actor: Actor, user_id: object) -> Created:
    """Start the account's first sign-in again: a new one-time password, no app, no sessions.

    For a lost phone or a first password that ran out. The member is told by email, if on file.
    """
    _require(session, actor, "update")
    user = _staff_user(session, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("staff.error.self")
    password = one_time_password()
    user.password_hash = hash_password(password)
    session.add(user)
    mfa.forget(session, user.id)
    staff_setup.open_setup(session, user.id)
    ended = _end_sessions(session, user.id)
    audit.record(session, actor, "update", "staff",
                 detail=f"user {user.id} new one-time password; app removed; {ended} sessions ended")
    if user.email:
        notify.queue(session, dedupe_key=f"staff:{user.id}:restart:{clock.now().timestamp():.0f}", channel="email",
                     recipient=user.email, kind="security_notice", template_key="security_notice",
                     language=user.preferred_language, params={"what": "second_factor_removed"}, user_id=user.id)
    return Created(user_id=user.id, username=user.username, one_time_password=password)


def admin_exists(session: Session) -> bool:
    return session.exec(select(User.id).where(User.role == Role.ADMIN)).first() is not None


def _mask(recipient: str) -> str:
    return "•" * min(max(len(recipient) - 4, 0), 12) + recipient[-4:]


def latest_outbox(session: Session, actor: Actor) -> list[OutboxView]:
    """The newest outbox messages, for a demo without a mail server. Refused in production."""
    if settings.production:
        audit.record_refusal(session, actor, "read", "outbox")
        raise PermissionDenied()
    _require(session, actor, "read", "outbox.view")
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(OUTBOX_LIMIT)).all()
    audit.record(session, actor, "read", "outbox", detail=f"{len(rows)} messages")
    return [
        OutboxView(id=r.id, created_at=clock.as_utc(r.created_at), recipient=_mask(r.recipient), channel=r.channel,
                   kind=r.kind, status=r.status, subject=r.subject, body=r.body)
        for r in rows
    ]


def audit_filter_ids(session: Session, actor: Actor, user: object, patient: object) -> tuple[int | None, int | None]:
    """The report's "user" (username or id) and "patient" (MRN or id) filters as ids; admins only.

    An unknown name or MRN gives -1, which matches no row (the report then shows nothing).
    """
    if not allowed(actor, "audit.report"):
        audit.record_refusal(session, actor, "read", "audit")
        raise PermissionDenied()
    from portal_app.models.people import Patient

    user_text = _text(user, 64, "audit.error.filter", required=False)
    patient_text = _text(patient, 32, "audit.error.filter", required=False)
    user_id = patient_id = None
    if user_text:
        if user_text.isdigit() and len(user_text) < 12:
            user_id = int(user_text)
        else:
            found = session.exec(select(User.id).where(User.username == user_text.lower())).first()
            user_id = found if found is not None else -1
    if patient_text:
        found = session.exec(select(Patient.id).where(func.upper(Patient.mrn) == patient_text.upper())).first()
        if found is None and patient_text.isdigit() and len(patient_text) < 12:
            found = int(patient_text)
        patient_id = found if found is not None else -1
    return user_id, patient_id
