"""Self sign-up: a person asks for an account from the sign-in page.

``request_account`` looks for exactly one chart with the same given and family name (ignoring
case), the same date of birth, and either the typed email/phone on file or the typed MRN. When one
chart without an account matches, an invitation is made (services/invitations.py) and a 6-digit
code (10 minutes, single use) goes to the email or phone **on file** — never to a contact only typed
here. Every other case (no match, several, an account already there) waits in the staff queue
(``/console/signups``). The caller shows the same answer in every case; the request id it gets back
stays in backend state so that the code can be redeemed (``invitations.start_activation_with_verification``).

Requests are throttled per source address (10 an hour) and codes per chart (3 an hour); malformed
input writes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app import clock, i18n
from portal_app.models.outbox import Channel
from portal_app.models.people import Patient
from portal_app.models.recovery import SignupRequest
from portal_app.services import audit, codes, invitations, notify, patients
from portal_app.services.access import Actor, allowed
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.recovery import bucket, take

CODE_LIFETIME = timedelta(minutes=10)
SOURCE_MAX = 10  # sign-up requests per address per hour
CHART_CODES_MAX = 3  # verification codes per chart per hour
QUEUE_PAGE = 50


@dataclass(frozen=True)
class Contact:
    channel: str  # "email" or "sms"
    value: str


def _contact(value: object) -> Contact:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput("signup.error.contact")
    try:
        if "@" in text:
            found = patients.check_email(text)  # the same rules as the front desk's form
            channel = Channel.EMAIL
        else:
            found = patients.check_phone(text)
            channel = Channel.SMS
    except InvalidInput:
        raise InvalidInput("signup.error.contact") from None
    assert found is not None
    return Contact(str(channel), found)


def _optional_mrn(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if text and not patients.MRN_PATTERN.fullmatch(text):
        raise InvalidInput("signup.error.mrn")
    return text


def _matches(session: Session, given: str, family: str, born: date, contact: Contact, mrn: str) -> list[Patient]:
    charts = session.exec(select(Patient).where(func.lower(Patient.given_name) == given.lower(),
                                                func.lower(Patient.family_name) == family.lower(),
                                                Patient.birth_date == born)).all()
    found = []
    for chart in charts:
        if contact.channel == Channel.EMAIL:
            same_contact = bool(chart.email) and chart.email.lower() == contact.value.lower()
        else:
            same_contact = bool(chart.phone) and chart.phone == contact.value
        if same_contact or (mrn and chart.mrn.upper() == mrn):
            found.append(chart)
    return found


def _on_file(chart: Patient, typed: Contact) -> Contact | None:
    """Where the code goes: the chart's contact of the kind typed, else its other one."""
    email = Contact(str(Channel.EMAIL), chart.email) if chart.email else None
    phone = Contact(str(Channel.SMS), chart.phone) if chart.phone else None
    return (email or phone) if typed.channel == Channel.EMAIL else (phone or email)


def request_account(session: Session, given: str, family: str, birth_date: date, contact: str, mrn: str = "",
                    language: str = "en", source_ip: str = "") -> int | None:
    """Record a sign-up; returns its id (kept server-side), or None when throttled. Raises InvalidInput
    only for a form that cannot be a request (missing or malformed fields): nothing is written then."""
    given_name = patients._name(given, "given")  # noqa: SLF001
    family_name = patients._name(family, "family")  # noqa: SLF001
    born = patients.check_birth_date(birth_date)
    typed = _contact(contact)
    clean_mrn = _optional_mrn(mrn)
    language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    if not isinstance(source_ip, str):
        raise InvalidInput("signup.error.contact")
    if not take(session, bucket("signup-source", source_ip), SOURCE_MAX):
        audit.record(session, None, "create", "account", outcome="denied", detail="sign-up: throttled address",
                     source_ip=source_ip)
        return None
    request = SignupRequest(given_name=given_name, family_name=family_name, birth_date=born, contact=typed.value,
                            mrn=clean_mrn, language=language, status="pending")
    session.add(request)
    session.flush()
    assert request.id is not None
    charts = _matches(session, given_name, family_name, born, typed, clean_mrn)
    chart = charts[0] if len(charts) == 1 else None
    send_to = _on_file(chart, typed) if chart is not None else None
    if (chart is None or send_to is None or invitations._has_account(session, chart.id)  # noqa: SLF001
            or not take(session, bucket("signup-chart", str(chart.id)), CHART_CODES_MAX)):
        audit.record(session, None, "create", "account", detail=f"sign-up request {request.id} queued for staff",
                     source_ip=source_ip)
        return request.id
    invitation = invitations.issue_for_signup(session, chart.id)
    code = f"{secrets.randbelow(10**6):06d}"
    moment = clock.now()
    request.status, request.patient_id, request.invitation_id = "matched", chart.id, invitation.id
    request.resolved_at = moment
    request.code_hash = codes.digest(code, invitations.SIGNUP_CODE_PURPOSE)
    request.code_expires_at = moment + CODE_LIFETIME
    session.add(request)
    notify.queue(session, dedupe_key=f"signup:{request.id}:code", channel=send_to.channel, recipient=send_to.value,
                 kind="verification_code", template_key="verification_code", language=chart.preferred_language,
                 params={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)}, patient_id=chart.id)
    audit.record(session, None, "create", "account", patient_id=chart.id,
                 detail=f"sign-up request {request.id} matched; code sent ({send_to.channel})", source_ip=source_ip)
    return request.id


# ---- the staff queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedRequest:
    id: int
    given_name: str
    family_name: str
    birth_date: str  # ISO
    contact: str
    mrn: str
    created_at: str  # ISO, UTC


def _require(session: Session, actor: Actor | None, action: str) -> Actor:
    if not allowed(actor, "signups.review"):
        audit.record_refusal(session, actor, action, "account", detail="refused: signups.review")
        raise PermissionDenied()
    assert actor is not None
    return actor


def pending(session: Session, actor: Actor) -> list[QueuedRequest]:
    """The requests waiting for staff, oldest first."""
    _require(session, actor, "read")
    rows = session.exec(select(SignupRequest).where(SignupRequest.status == "pending")
                        .order_by(SignupRequest.created_at, SignupRequest.id).limit(QUEUE_PAGE)).all()
    audit.record(session, actor, "read", "account", detail=f"sign-up queue: {len(rows)} shown")
    return [QueuedRequest(r.id, r.given_name, r.family_name, r.birth_date.isoformat(), r.contact, r.mrn,
                          clock.as_utc(r.created_at).isoformat(timespec="minutes")) for r in rows]


def _pending_request(session: Session, request_id: object) -> SignupRequest:
    if isinstance(request_id, bool) or not isinstance(request_id, int):
        raise NotFound()
    request = session.get(SignupRequest, request_id)
    if request is None or request.status != "pending":
        raise NotFound()
    return request


def match(session: Session, actor: Actor, request_id: int, mrn: str) -> invitations.Invited:
    """Staff matched the request to the chart with this MRN: an invitation goes to the chart's contacts."""
    actor = _require(session, actor, "update")
    request = _pending_request(session, request_id)
    clean = _optional_mrn(mrn)
    chart = session.exec(select(Patient).where(func.upper(Patient.mrn) == clean)).first() if clean else None
    if chart is None:
        raise InvalidInput("signups.error.no_chart")
    invited = invitations.issue(session, actor, chart.id)
    request.status, request.patient_id, request.resolved_by = "matched", chart.id, actor.user_id
    request.resolved_at = clock.now()
    session.add(request)
    audit.record(session, actor, "update", "account", patient_id=chart.id,
                 detail=f"sign-up request {request.id} matched by staff")
    return invited


def reject(session: Session, actor: Actor, request_id: int) -> None:
    actor = _require(session, actor, "update")
    request = _pending_request(session, request_id)
    request.status, request.resolved_by, request.resolved_at = "rejected", actor.user_id, clock.now()
    session.add(request)
    audit.record(session, actor, "update", "account", detail=f"sign-up request {request.id} rejected")

