"""Inviting a patient to the portal, and the activation steps that turn the invitation into an account.

The front desk invites a patient (``invite``): a 12-symbol code (60 random bits) from the
unambiguous alphabet of ``services/codes.py``, printed as ``ABCD-EFGH-JKMN``, valid for 30 days and
for one activation; a new invitation voids the patient's older unused ones. Only a keyed hash of the
code is stored. The code is also queued by email and SMS when the chart has those contacts.

The patient redeems it only together with their date of birth (``start_activation``). A wrong code
and a wrong date of birth get the same answer. Wrong dates of birth count against that invitation
(void after 5), and every well-formed failed attempt counts against the source address: at most 20
an hour. That counter lives in the database, not in memory, so that it is shared by every web
worker (several behind Redis) and survives a restart; it is written only when an attempt fails.

Then, in order and each exactly once: ``accept_terms`` → ``choose_credentials`` (the account is
made, still switched off) → ``begin_authenticator`` / ``confirm_authenticator`` (recovery codes
are returned once) → ``finish`` (the account is switched on, the invitation is spent). A redeemed
but unfinished invitation resumes where it stopped when its code and date of birth are given again.

The activation id is a capability: only ``start_activation`` hands one out, and the web state keeps
it in a backend-only variable. Services here never commit, except to keep the record of a failed
attempt, which must outlast the refusal that follows it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock
from portal_app.config import settings
from portal_app.models.invitation import Activation, ActivationFailures, Invitation
from portal_app.models.outbox import Channel
from portal_app.models.people import Patient, Role, User
from portal_app.services import audit, codes, mfa, notify, password_policy
from portal_app.services.access import Actor, allowed
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.passwords import hash_password

CODE_LENGTH = 12  # 12 symbols x 5 bits = 60 bits
LIFETIME = timedelta(days=30)
MAX_FAILURES = 5  # wrong dates of birth for one invitation, then it is void
SOURCE_WINDOW = timedelta(hours=1)
SOURCE_MAX_FAILURES = 20  # failed redemptions from one address per window
PURPOSE = "activation"
TERMS_VERSION = "2026-11-24"  # change it whenever the "terms.*" texts change in meaning
USERNAME = re.compile(r"[a-z0-9._-]+")
USERNAME_MIN, USERNAME_MAX = 3, 64

STEPS = ("consent", "account", "authenticator", "recovery", "done")


@dataclass(frozen=True)
class Invited:
    code: str  # grouped for printing: ABCD-EFGH-JKMN
    expires_at: datetime
    sent_to: tuple[str, ...]  # "email", "sms": where the code was also queued


# ---- inviting -----------------------------------------------------------------------------------


def _patient(session: Session, patient_id: object) -> Patient:
    if isinstance(patient_id, bool) or not isinstance(patient_id, int):
        raise NotFound()
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound()
    return patient


def _unfinished_account(session: Session, patient_id: int) -> User | None:
    """A switched-off account left by an activation that never finished (it is taken over)."""
    return session.exec(
        select(User).join(Activation, Activation.user_id == User.id)
        .where(User.patient_id == patient_id, User.is_active.is_(False), Activation.step != "done")
    ).first()


def _has_account(session: Session, patient_id: int) -> bool:
    unfinished = _unfinished_account(session, patient_id)
    query = select(User.id).where(User.patient_id == patient_id, User.role == Role.PATIENT)
    if unfinished is not None:
        query = query.where(User.id != unfinished.id)
    return session.exec(query).first() is not None


def _new_invitation(session: Session, patient: Patient, created_by: int | None) -> tuple[Invitation, str]:
    """A fresh invitation that voids the patient's older unused ones; returns it and its plain code."""
    moment = clock.now()
    for older in session.exec(
        select(Invitation).where(Invitation.patient_id == patient.id, Invitation.used_at.is_(None),
                                 Invitation.voided_at.is_(None))
    ).all():
        older.voided_at = moment
        session.add(older)
        notify.cancel(session, f"invitation:{older.id}:")  # a void code is not worth sending
    code = codes.random_code(CODE_LENGTH)
    invitation = Invitation(patient_id=patient.id, code_hash=codes.digest(code, PURPOSE),
                            created_by=created_by, created_at=moment, expires_at=moment + LIFETIME)
    session.add(invitation)
    session.flush()
    return invitation, code


def issue(session: Session, actor: Actor, patient_id: int) -> Invited:
    """Invite a patient who has no account yet; the plain code exists only in the return value."""
    if not allowed(actor, "invitations.create"):
        audit.record_refusal(session, actor, "create", "account", detail="refused: invitations.create")
        raise PermissionDenied()
    patient = _patient(session, patient_id)
    if _has_account(session, patient.id):
        raise InvalidInput("invitations.error.has_account")
    invitation, code = _new_invitation(session, patient, actor.user_id)
    printed = codes.grouped(code)
    sent_to = _send_code(session, invitation, patient, printed)
    invitation.channel_note = ",".join(("printed", *sent_to))
    session.add(invitation)
    audit.record(session, actor, "create", "account", patient_id=patient.id,
                 detail=f"activation code issued ({invitation.channel_note})")
    return Invited(code=printed, expires_at=invitation.expires_at, sent_to=sent_to)


def invite(session: Session, actor: Actor, patient_id: int) -> str:
    """Invite a patient; returns the code to print (also queued by email/SMS when on file)."""
    return issue(session, actor, patient_id).code


def _contacts(patient: Patient) -> list[tuple[str, str]]:
    found = []
    if patient.email:
        found.append((Channel.EMAIL, patient.email))
    if patient.phone:
        found.append((Channel.SMS, patient.phone))
    return found


def _send_code(session: Session, invitation: Invitation, patient: Patient, printed: str) -> tuple[str, ...]:
    sent: list[str] = []
    for channel, recipient in _contacts(patient):
        try:
            notify.queue(session, dedupe_key=f"invitation:{invitation.id}:{channel}", channel=channel,
                         recipient=recipient, kind="activation_code", template_key="activation_code",
                         language=patient.preferred_language, params={"code": printed}, patient_id=patient.id)
        except notify.TemplateError:  # a contact stored before it was checked: the printout still works
            continue
        sent.append(str(channel))
    return tuple(sent)


# ---- redeeming ----------------------------------------------------------------------------------


def _source_key(source_ip: str) -> str:
    message = f"activation-source:{source_ip or ''}".encode()
    return hmac.new(settings.password_pepper.encode(), message, hashlib.sha256).hexdigest()


def _source_blocked(session: Session, source_ip: str) -> bool:
    table = ActivationFailures.__table__
    row = session.execute(
        select(table.c.window_started_at, table.c.count).where(table.c.source_key == _source_key(source_ip))
    ).first()
    if row is None:
        return False
    return clock.as_utc(row.window_started_at) + SOURCE_WINDOW > clock.now() and row.count >= SOURCE_MAX_FAILURES


def _insert_ignoring_duplicates(session: Session, table, values: dict, key: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=[key]))


def _count_source_failure(session: Session, source_ip: str) -> None:
    """One more failure for this address; atomic, so two racing attempts both count."""
    moment = clock.now()
    key = _source_key(source_ip)
    table = ActivationFailures.__table__
    session.execute(delete(table).where(table.c.window_started_at < moment - timedelta(days=1)))
    _insert_ignoring_duplicates(session, table, {"source_key": key, "window_started_at": moment, "count": 0},
                                "source_key")
    session.execute(update(table).where(table.c.source_key == key,
                                        table.c.window_started_at <= moment - SOURCE_WINDOW)
                    .values(window_started_at=moment, count=0))
    session.execute(update(table).where(table.c.source_key == key).values(count=table.c.count + 1))


def _count_wrong_birth_date(session: Session, invitation: Invitation) -> None:
    """One more failure for this invitation, void at MAX_FAILURES; atomic like the above."""
    table = Invitation.__table__
    session.execute(update(table).where(table.c.id == invitation.id).values(failed_attempts=table.c.failed_attempts + 1))
    session.execute(update(table).where(table.c.id == invitation.id, table.c.failed_attempts >= MAX_FAILURES,
                                        table.c.voided_at.is_(None)).values(voided_at=clock.now()))
    session.refresh(invitation)


def _refuse_and_keep_count(session: Session, key: str) -> InvalidInput:
    """The failure counters must survive the refusal, which rolls the caller's transaction back."""
    session.commit()
    return InvalidInput(key)


def _live(invitation: Invitation) -> bool:
    return (invitation.used_at is None and invitation.voided_at is None
            and clock.as_utc(invitation.expires_at) > clock.now())


def start_activation(session: Session, code: str, birth_date: date, source_ip: str = "") -> int:
    """Redeem a code with the patient's date of birth; returns the activation id (new or resumed)."""
    if not isinstance(code, str) or not isinstance(birth_date, date) or not isinstance(source_ip, str):
        raise InvalidInput("activation.error.no_match")
    typed = codes.normalise(code)
    if len(typed) != CODE_LENGTH or any(ch not in codes.ALPHABET for ch in typed):
        raise InvalidInput("activation.error.no_match")  # cannot be a code: not counted
    if _source_blocked(session, source_ip):
        raise InvalidInput("activation.error.too_many")
    invitation = session.exec(select(Invitation).where(Invitation.code_hash == codes.digest(typed, PURPOSE))).first()
    if invitation is None:
        _count_source_failure(session, source_ip)
        audit.record(session, None, "update", "account", outcome="failure", detail="activation: unknown code",
                     source_ip=source_ip)
        raise _refuse_and_keep_count(session, "activation.error.no_match")
    patient = session.get(Patient, invitation.patient_id)
    if patient is None or patient.birth_date != birth_date:
        _count_source_failure(session, source_ip)
        if _live(invitation):
            _count_wrong_birth_date(session, invitation)
        audit.record(session, None, "update", "account", outcome="failure", patient_id=invitation.patient_id,
                     detail=f"activation: wrong date of birth ({invitation.failed_attempts} of {MAX_FAILURES})",
                     source_ip=source_ip)
        raise _refuse_and_keep_count(session, "activation.error.no_match")
    if not _live(invitation):
        raise InvalidInput("activation.error.expired")
    invitation.failed_attempts = 0
    session.add(invitation)
    return _activation_for(session, invitation, patient, source_ip)


def _activation_for(session: Session, invitation: Invitation, patient: Patient, source_ip: str) -> int:
    activation = session.exec(select(Activation).where(Activation.invitation_id == invitation.id)).first()
    if activation is None:
        activation = Activation(invitation_id=invitation.id, step="consent")
        session.add(activation)
        session.flush()
        audit.record(session, None, "update", "account", patient_id=patient.id, detail="activation code redeemed",
                     source_ip=source_ip)
    else:
        audit.record(session, None, "update", "account", patient_id=patient.id,
                     detail=f"activation resumed at {activation.step}", source_ip=source_ip)
    assert activation.id is not None
    return activation.id


# ---- self sign-up (services/signup.py): a 6-digit code sent to the contact on file -------------

SIGNUP_CODE_PURPOSE = "signup"
SIGNUP_CODE_MAX_FAILURES = 5


def issue_for_signup(session: Session, patient_id: int) -> Invitation:
    """An invitation for a self sign-up matched to this chart; its 12-symbol code is never shown or sent:
    the person redeems it with the verification code instead (``start_activation_with_verification``)."""
    patient = _patient(session, patient_id)
    if _has_account(session, patient.id):
        raise InvalidInput("invitations.error.has_account")
    invitation, _unused = _new_invitation(session, patient, None)
    invitation.channel_note = "signup"
    session.add(invitation)
    return invitation


def start_activation_with_verification(session: Session, request_id: int, code: str, source_ip: str = "") -> int:
    """Redeem a sign-up's verification code (10 minutes, single use, 5 tries); returns the activation id.

    ``request_id`` comes from the sign-up form's backend state, never from the person. Wrong, spent,
    expired and unmatched all get the same answer.
    """
    from portal_app.models.recovery import SignupRequest  # noqa: PLC0415 - avoids a cycle with services/signup

    if isinstance(request_id, bool) or not isinstance(request_id, int) or not isinstance(code, str) \
            or not isinstance(source_ip, str):
        raise InvalidInput("activation.error.no_match")
    typed = "".join(ch for ch in code if ch not in " -")
    if not (len(typed) == 6 and typed.isdigit() and typed.isascii()):
        raise InvalidInput("activation.error.no_match")  # cannot be a code: not counted
    if _source_blocked(session, source_ip):
        raise InvalidInput("activation.error.too_many")
    request = session.get(SignupRequest, request_id)
    moment = clock.now()
    usable = (request is not None and request.status == "matched" and request.code_hash is not None
              and request.code_used_at is None and request.code_expires_at is not None
              and clock.as_utc(request.code_expires_at) > moment and request.code_failures < SIGNUP_CODE_MAX_FAILURES)
    if not usable or not hmac.compare_digest(request.code_hash, codes.digest(typed, SIGNUP_CODE_PURPOSE)):
        _count_source_failure(session, source_ip)
        if request is not None:
            table = SignupRequest.__table__
            session.execute(update(table).where(table.c.id == request.id)
                            .values(code_failures=table.c.code_failures + 1))
        audit.record(session, None, "update", "account", outcome="failure",
                     patient_id=request.patient_id if request is not None else None,
                     detail="sign-up: wrong verification code", source_ip=source_ip)
        raise _refuse_and_keep_count(session, "activation.error.no_match")
    invitation = session.get(Invitation, request.invitation_id) if request.invitation_id else None
    patient = session.get(Patient, request.patient_id) if request.patient_id else None
    if invitation is None or patient is None or not _live(invitation):
        raise InvalidInput("activation.error.expired")
    request.code_used_at = moment
    session.add(request)
    return _activation_for(session, invitation, patient, source_ip)


# ---- the steps ----------------------------------------------------------------------------------


@dataclass
class _Context:
    activation: Activation
    invitation: Invitation
    patient: Patient


def _context(session: Session, activation_id: object, step: str) -> _Context:
    """The activation at exactly ``step``, on an invitation that still works."""
    if isinstance(activation_id, bool) or not isinstance(activation_id, int):
        raise NotFound()
    activation = session.get(Activation, activation_id)
    if activation is None:
        raise NotFound()
    invitation = session.get(Invitation, activation.invitation_id)
    patient = session.get(Patient, invitation.patient_id) if invitation else None
    if invitation is None or patient is None or not _live(invitation):
        raise InvalidInput("activation.error.expired")
    if activation.step != step:
        raise InvalidInput("activation.error.wrong_step")
    return _Context(activation, invitation, patient)


def _advance(session: Session, context: _Context, step: str) -> None:
    context.activation.step = step
    context.activation.updated_at = clock.now()
    session.add(context.activation)


def current_step(session: Session, activation_id: int) -> str:
    """Where a (resumed) activation stands; refused once its invitation no longer works."""
    if isinstance(activation_id, bool) or not isinstance(activation_id, int):
        raise NotFound()
    activation = session.get(Activation, activation_id)
    if activation is None:
        raise NotFound()
    invitation = session.get(Invitation, activation.invitation_id)
    if activation.step != "done" and (invitation is None or not _live(invitation)):
        raise InvalidInput("activation.error.expired")
    return activation.step


def accept_terms(session: Session, activation_id: int, version: str) -> None:
    context = _context(session, activation_id, "consent")
    if version != TERMS_VERSION:
        raise InvalidInput("activation.error.terms_changed")
    context.activation.consent_version = version
    context.activation.consent_at = clock.now()
    _advance(session, context, "account")
    audit.record(session, None, "update", "consent", patient_id=context.patient.id, detail=f"terms {version} accepted")


def _personal(patient: Patient, username: str = "") -> list[str]:
    return [patient.given_name, patient.family_name, username, patient.email or ""]


def password_feedback(session: Session, activation_id: int | None, password: str, username: str = "") -> password_policy.PasswordCheck:
    """Live advice while the password is typed (nothing is stored)."""
    if not isinstance(password, str) or len(password) > password_policy.MAX_LENGTH + 1:
        return password_policy.PasswordCheck(problems=["password.error.too_long"], strength=0)
    personal: list[str] = [username] if isinstance(username, str) else []
    if isinstance(activation_id, int) and not isinstance(activation_id, bool):
        activation = session.get(Activation, activation_id)
        invitation = session.get(Invitation, activation.invitation_id) if activation else None
        patient = session.get(Patient, invitation.patient_id) if invitation else None
        if patient is not None:
            personal = _personal(patient, personal[0] if personal else "")
    return password_policy.check(password, [p for p in personal if p])


def _check_username(session: Session, typed: object, taken_over: User | None) -> str:
    name = typed.strip().lower() if isinstance(typed, str) else ""
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise InvalidInput("activation.error.username_length")
    if not USERNAME.fullmatch(name):
        raise InvalidInput("activation.error.username_characters")
    query = select(User.id).where(func.lower(User.username) == name)
    if taken_over is not None:
        query = query.where(User.id != taken_over.id)
    if session.exec(query).first() is not None:
        raise InvalidInput("activation.error.username_taken")
    return name


def choose_credentials(session: Session, activation_id: int, username: str, password: str) -> None:
    """Make the account (switched off until ``finish``) with the chosen username and password."""
    context = _context(session, activation_id, "account")
    patient = context.patient
    unfinished = _unfinished_account(session, patient.id)
    if unfinished is None and _has_account(session, patient.id):
        raise InvalidInput("invitations.error.has_account")
    name = _check_username(session, username, unfinished)
    if not isinstance(password, str):
        raise InvalidInput("password.error.too_short")
    verdict = password_policy.check(password, _personal(patient, name))
    if verdict.problems:
        raise InvalidInput(verdict.problems[0])
    user = unfinished or User(username=name, display_name="", role=Role.PATIENT, patient_id=patient.id)
    if unfinished is not None:  # an earlier, abandoned activation: start its account afresh
        mfa.forget(session, unfinished.id)
    user.username = name
    user.display_name = f"{patient.given_name} {patient.family_name}"
    user.email = patient.email
    user.preferred_language = patient.preferred_language
    user.password_hash = hash_password(password)
    user.is_active = False
    session.add(user)
    session.flush()
    context.activation.user_id = user.id
    _advance(session, context, "authenticator")
    audit.record(session, _account_actor(user, patient), "create", "account", patient_id=patient.id,
                 detail="username and password chosen")


def _account_actor(user: User, patient: Patient) -> Actor:
    return Actor(role=Role.PATIENT, user_id=user.id, patient_id=patient.id, display_name=user.display_name)


def _user_actor(session: Session, context: _Context) -> Actor:
    user = session.get(User, context.activation.user_id) if context.activation.user_id else None
    if user is None:
        raise InvalidInput("activation.error.wrong_step")
    return _account_actor(user, context.patient)


def begin_authenticator(session: Session, activation_id: int) -> mfa.Enrolment:
    """A fresh authenticator secret (QR code, link and text key); again on every call until confirmed."""
    context = _context(session, activation_id, "authenticator")
    return mfa.begin_enrolment(session, _user_actor(session, context))


def confirm_authenticator(session: Session, activation_id: int, code: str) -> list[str]:
    """The app's first code turns it on; returns the recovery codes, shown once."""
    context = _context(session, activation_id, "authenticator")
    if not isinstance(code, str) or len(code) > 20:
        raise InvalidInput("mfa.error.wrong_code")
    recovery = mfa.confirm_enrolment(session, _user_actor(session, context), code)
    _advance(session, context, "recovery")
    audit.record(session, _user_actor(session, context), "update", "account", patient_id=context.patient.id,
                 detail="authenticator app added")
    return recovery


def reissue_recovery_codes(session: Session, activation_id: int) -> list[str]:
    """New recovery codes for an activation resumed on the recovery step (the old ones were shown once)."""
    context = _context(session, activation_id, "recovery")
    user = _user_actor(session, context)
    assert user.user_id is not None
    return mfa.new_recovery_codes(session, user.user_id)


def finish(session: Session, activation_id: int) -> None:
    """Switch the account on and spend the invitation; tell the patient by email/SMS."""
    context = _context(session, activation_id, "recovery")
    actor = _user_actor(session, context)
    user = session.get(User, actor.user_id)
    assert user is not None
    moment = clock.now()
    user.is_active = True
    session.add(user)
    context.invitation.used_at = moment
    session.add(context.invitation)
    _advance(session, context, "done")
    for channel, recipient in _contacts(context.patient):
        try:
            notify.queue(session, dedupe_key=f"activation:{context.activation.id}:activated:{channel}",
                         channel=channel, recipient=recipient, kind="security_notice", template_key="security_notice",
                         language=context.patient.preferred_language, params={"what": "account_activated"},
                         user_id=user.id, patient_id=context.patient.id)
        except notify.TemplateError:
            continue
    audit.record(session, actor, "update", "account", patient_id=context.patient.id, detail="account activated")
