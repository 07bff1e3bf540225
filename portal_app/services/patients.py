"""Registering patients and finding them, for the front desk (and administrators).

Input is checked here, with a translation key for every refusal: names, a date of birth that is
possible (not in the future, not before 1900), an email address (syntax only, no DNS look-up), a
phone number stored in E.164 form (``+15550100142``) and a medical record number (MRN) that is
not taken. Results are plain dataclasses with only what the console shows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from portal_app import clock, i18n
from portal_app.models.invitation import Invitation
from portal_app.models.people import Patient, User
from portal_app.services import audit
from portal_app.services.access import Actor, allowed
from portal_app.services.errors import InvalidInput, PermissionDenied

SEXES = ("female", "male", "other", "unknown")  # FHIR administrative gender
EARLIEST_BIRTH = date(1900, 1, 1)
PHONE_REGION = "US"  # numbers typed without a country code
MAX_NAME = 100
MRN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")
PAGE_SIZE = 20
MIN_QUERY = 2
MAX_QUERY = 100


@dataclass(frozen=True)
class PatientSummary:
    """One search result: what the front desk needs to tell patients apart and invite them."""

    id: int
    mrn: str
    name: str
    birth_date: str  # ISO
    has_account: bool
    invitation_expires: str  # ISO date of the open invitation, or ""


@dataclass(frozen=True)
class PatientPage:
    items: list[PatientSummary]
    page: int
    has_more: bool


def _name(value: object, key: str) -> str:
    text = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"patients.error.{key}_missing")
    if len(text) > MAX_NAME or not text.isprintable():
        raise InvalidInput("patients.error.name_invalid")
    return text


def check_birth_date(value: object) -> date:
    if not isinstance(value, date):
        raise InvalidInput("patients.error.birth_date")
    if value > clock.now().date():
        raise InvalidInput("patients.error.birth_date_future")
    if value < EARLIEST_BIRTH:
        raise InvalidInput("patients.error.birth_date_old")
    return value


def check_email(value: object) -> str | None:
    """None for blank; anything but text is refused (a client may send any type)."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput("patients.error.email")
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if len(text) > 254:
        raise InvalidInput("patients.error.email")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput("patients.error.email") from None


def check_phone(value: object) -> str | None:
    """None for blank; anything but text is refused (a client may send any type)."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput("patients.error.phone")
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if len(text) > 32:
        raise InvalidInput("patients.error.phone")
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput("patients.error.phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("patients.error.phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _mrn(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput("patients.error.mrn_missing")
    if not MRN_PATTERN.fullmatch(text):
        raise InvalidInput("patients.error.mrn_invalid")
    return text


def register_patient(
    session: Session,
    actor: Actor,
    given: str,
    family: str,
    birth_date: date,
    sex: str,
    email: str | None,
    phone: str | None,
    mrn: str,
    language: str = i18n.DEFAULT_LANGUAGE,
) -> int:
    """Add a chart; returns its id. Nothing is written when any field is refused."""
    _require(session, actor, "patients.register", "create")
    given_name = _name(given, "given")
    family_name = _name(family, "family")
    born = check_birth_date(birth_date)
    if sex not in SEXES:
        raise InvalidInput("patients.error.sex")
    clean_email = check_email(email)
    clean_phone = check_phone(phone)
    clean_mrn = _mrn(mrn)
    if language not in i18n.LANGUAGES:
        raise InvalidInput("language.error.unknown")
    taken = session.exec(select(Patient.id).where(func.upper(Patient.mrn) == clean_mrn)).first()
    if taken is not None:
        raise InvalidInput("patients.error.mrn_taken")
    patient = Patient(mrn=clean_mrn, given_name=given_name, family_name=family_name, birth_date=born, sex=sex,
                      email=clean_email, phone=clean_phone, preferred_language=language)
    session.add(patient)
    session.flush()
    assert patient.id is not None
    audit.record(session, actor, "create", "demographics", patient_id=patient.id, detail="patient registered")
    return patient.id


def _parse_date(text: str) -> date | None:
    """A date typed as 1951-03-14 or 03/14/1951 (month first, as the US front desk writes it)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # not 19510314, which may be an MRN
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        month, day, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_patients(session: Session, actor: Actor, query: str, page: int = 0) -> PatientPage:
    """Charts matching a name (every word a prefix of the given or family name), an MRN or a birth date."""
    _require(session, actor, "patients.find", "read")
    return _search(session, actor, query, page)


def find_charts(session: Session, actor: Actor, query: str, page: int = 0) -> PatientPage:
    """The same search for nurses and clinicians, who look a chart up to open its record."""
    _require(session, actor, "charts.find", "read")
    return _search(session, actor, query, page)


def console_search(session: Session, actor: Actor, query: str, page: int = 0) -> PatientPage:
    """The search box of /console/patients: the chart finder for clinical staff, else the front desk's search."""
    return (find_charts if allowed(actor, "charts.find") else find_patients)(session, actor, query, page)


def _search(session: Session, actor: Actor, query: object, page: object) -> PatientPage:
    text = query.strip() if isinstance(query, str) else ""
    if isinstance(page, bool) or not isinstance(page, int) or page < 0 or page > 1000:
        raise InvalidInput("patients.error.query")
    if len(text) < MIN_QUERY or len(text) > MAX_QUERY:
        raise InvalidInput("patients.error.query")
    statement = select(Patient)
    born = _parse_date(text)
    if born is not None:
        statement = statement.where(Patient.birth_date == born)
    else:
        words = text.lower().split()[:4]
        every_word = and_(*[
            or_(func.lower(Patient.given_name).like(_escape_like(word) + "%", escape="\\"),
                func.lower(Patient.family_name).like(_escape_like(word) + "%", escape="\\"))
            for word in words
        ])
        statement = statement.where(or_(func.upper(Patient.mrn) == text.upper(), every_word))
    rows = session.exec(
        statement.order_by(Patient.family_name, Patient.given_name, Patient.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    ids = [row.id for row in rows[:PAGE_SIZE]]
    with_account = set(session.exec(select(User.patient_id).where(User.patient_id.in_(ids))).all()) if ids else set()
    moment = clock.now()
    open_invites: dict[int, date] = {}
    if ids:
        for invitation in session.exec(
            select(Invitation).where(Invitation.patient_id.in_(ids), Invitation.used_at.is_(None),
                                     Invitation.voided_at.is_(None))
        ).all():
            if clock.as_utc(invitation.expires_at) > moment:
                open_invites[invitation.patient_id] = clock.as_utc(invitation.expires_at).date()
    items = [
        PatientSummary(
            id=row.id, mrn=row.mrn, name=f"{row.given_name} {row.family_name}", birth_date=row.birth_date.isoformat(),
            has_account=row.id in with_account,
            invitation_expires=open_invites[row.id].isoformat() if row.id in open_invites else "",
        )
        for row in rows[:PAGE_SIZE]
    ]
    for item in items:  # each chart shown is a read of that patient's demographics
        audit.record(session, actor, "read", "demographics", patient_id=item.id, detail="patient search result")
    return PatientPage(items=items, page=page, has_more=len(rows) > PAGE_SIZE)


def _require(session: Session, actor: Actor | None, permission: str, action: str) -> Actor:
    """The permission check, with the refusal audited (the row outlives the caller's rollback)."""
    if not allowed(actor, permission):
        audit.record_refusal(session, actor, action, "demographics", detail=f"refused: {permission}")
        raise PermissionDenied()
    assert actor is not None
    return actor
