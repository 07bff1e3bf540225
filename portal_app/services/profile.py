"""The patient's profile: contact details, emergency contacts, insurance, and changes for review.

- Contact details (email, mobile) change at once, but only after the password is typed again, and
  the *old* address is told (someone who took over a session cannot quietly redirect the notices).
  A wrong password counts toward the sign-in delays and cap, so it is returned, not raised: a raise
  would roll the count back.
- Emergency contacts are the patient's own to add and remove.
- Name, date of birth and insurance identify the patient to the clinic and to payers, so a change
  is only a request until front desk or an admin approves it (or rejects it with a reason).
Reads go through ``demographics.read`` / ``insurance.read`` (self, a proxy with the right scope,
staff by role), writes through ``profile.write`` (the patient themself). Everything is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient, Role, User
from portal_app.models.profile import EmergencyContact, InsurancePlan, ProfileChange
from portal_app.models.stored_file import StoredFile
from portal_app.services import audit, files, notify, patients, throttle
from portal_app.services.access import Actor, allowed, check_patient_access, require_patient_access
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.passwords import verify_password

RELATIONSHIPS = ("spouse", "partner", "parent", "child", "sibling", "friend", "caregiver", "other")
KINDS = ("name", "birth_date", "insurance")
MAX_EMERGENCY_CONTACTS = 5
MAX_REASON = 500
MAX_PASSWORD = 256
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass(frozen=True)
class EmergencyView:
    id: int
    name: str
    relationship: str
    phone: str  # as people write it: (555) 010-0142


@dataclass(frozen=True)
class ChangeView:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    kind: str
    current: dict[str, str]
    proposed: dict[str, str]
    status: str
    reason: str
    requested_at: datetime


@dataclass(frozen=True)
class ProfileView:
    patient_id: int
    given_name: str
    family_name: str
    birth_date: date
    email: str
    phone: str  # as people write it
    emergency: list[EmergencyView]
    insurance: dict[str, str]  # plan_name, member_id; empty when none on file
    changes: list[ChangeView]  # the latest requests, newest first


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""  # a translation key
    wait_seconds: int = 0


def written(number: str | None) -> str:
    """An E.164 number the way people write it in the clinic's country."""
    if not number:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, patients.PHONE_REGION),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _text(value: object, limit: int, key: str) -> str:
    cleaned = " ".join(value.split()) if isinstance(value, str) else ""
    if not cleaned or len(cleaned) > limit or not cleaned.isprintable():
        raise InvalidInput(key)
    return cleaned


def _chart(session: Session, actor: Actor | None, patient_id: object, action: str) -> Patient:
    require_patient_access(session, actor, patient_id, action)  # type: ignore[arg-type]
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound()
    return patient


def _insurance(session: Session, patient_id: int) -> dict[str, str]:
    plan = session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient_id)).first()
    if plan is None:
        return {}
    photos = {side: token for side, token in (("front", plan.front_file), ("back", plan.back_file)) if token}
    return {"plan_name": plan.plan_name, "member_id": plan.member_id, **photos}


def _current(session: Session, patient: Patient, kind: str) -> dict[str, str]:
    if kind == "name":
        return {"given_name": patient.given_name, "family_name": patient.family_name}
    if kind == "birth_date":
        return {"birth_date": patient.birth_date.isoformat()}
    return _insurance(session, patient.id)


def _change_view(session: Session, row: ProfileChange, patient: Patient) -> ChangeView:
    return ChangeView(id=row.id, patient_id=patient.id, patient_name=f"{patient.given_name} {patient.family_name}",
                      mrn=patient.mrn, kind=row.kind, current=_current(session, patient, row.kind),
                      proposed=json.loads(row.proposed), status=row.status, reason=row.reason,
                      requested_at=clock.as_utc(row.requested_at))


def _emergency(session: Session, patient_id: int) -> list[EmergencyView]:
    rows = session.exec(select(EmergencyContact).where(EmergencyContact.patient_id == patient_id,
                                                       EmergencyContact.removed_at.is_(None))
                        .order_by(EmergencyContact.id)).all()
    return [EmergencyView(r.id, r.name, r.relationship, written(r.phone)) for r in rows]


def view(session: Session, actor: Actor | None, patient_id: object) -> ProfileView:
    patient = _chart(session, actor, patient_id, "demographics.read")
    shows_insurance = check_patient_access(session, actor, patient.id, "insurance.read").allowed
    changes = session.exec(select(ProfileChange).where(ProfileChange.patient_id == patient.id)
                           .order_by(ProfileChange.id.desc()).limit(10)).all()
    audit.record(session, actor, "read", "demographics", patient_id=patient.id, detail="profile")
    return ProfileView(
        patient_id=patient.id, given_name=patient.given_name, family_name=patient.family_name,
        birth_date=patient.birth_date, email=patient.email or "", phone=written(patient.phone),
        emergency=_emergency(session, patient.id),
        insurance=_insurance(session, patient.id) if shows_insurance else {},
        changes=[_change_view(session, row, patient) for row in changes if shows_insurance or row.kind != "insurance"],
    )


# ---- contact details: re-authentication, then a notice to the old address -----------------------


def _tell_old_address(session: Session, patient: Patient, user: User, what: str, old_email: str | None,
                      old_phone: str | None) -> None:
    stamp = f"{clock.now().timestamp():.0f}"
    targets = [("email", old_email)] if old_email else []
    if what == "phone_changed" and old_phone:
        targets.append(("sms", old_phone))
    for channel, recipient in targets:
        notify.queue(session, dedupe_key=f"profile:{patient.id}:{what}:{stamp}:{channel}", channel=channel,
                     recipient=recipient, kind="security_notice", template_key="security_notice",
                     language=user.preferred_language, params={"what": what}, user_id=user.id,
                     patient_id=patient.id)


def change_contact(session: Session, actor: Actor | None, patient_id: object, password: object, email: object,
                   phone: object, ip: str = "") -> Outcome:
    """New email and mobile (either may be blank), after the password is typed again."""
    patient = _chart(session, actor, patient_id, "profile.write")
    assert actor is not None and actor.user_id is not None
    new_email = patients.check_email(email)
    new_phone = patients.check_phone(phone)
    user = session.get(User, actor.user_id)
    if user is None:
        raise PermissionDenied()
    gate = throttle.gate(session, user.id, "password")
    if not gate.open:
        return Outcome(ok=False, error="signin.error.locked" if gate.disabled else "signin.error.wait",
                       wait_seconds=gate.wait_seconds)
    typed = password if isinstance(password, str) and len(password) <= MAX_PASSWORD else ""
    if not verify_password(typed, user.password_hash):
        throttle.failed(session, user.id, "password")
        audit.record(session, actor, "update", "demographics", outcome="failure", patient_id=patient.id,
                     detail="contact details: wrong password", source_ip=ip)
        return Outcome(ok=False, error="profile.error.password")
    throttle.succeeded(session, user.id, "password")
    old_email, old_phone = patient.email, patient.phone
    changed = [name for name, old, new in (("email", old_email, new_email), ("phone", old_phone, new_phone))
               if old != new]
    if not changed:
        return Outcome(ok=True)
    patient.email, patient.phone = new_email, new_phone
    user.email = new_email
    session.add(patient)
    session.add(user)
    for name in changed:
        _tell_old_address(session, patient, user, f"{name}_changed", old_email, old_phone)
    audit.record(session, actor, "update", "demographics", patient_id=patient.id, source_ip=ip,
                 detail=f"contact details changed: {', '.join(changed)}")
    return Outcome(ok=True)


# ---- emergency contacts --------------------------------------------------------------------------


def add_emergency_contact(session: Session, actor: Actor | None, patient_id: object, name: object,
                          relationship: object, phone: object) -> list[EmergencyView]:
    patient = _chart(session, actor, patient_id, "profile.write")
    clean_name = _text(name, 200, "profile.error.contact_name")
    if not isinstance(relationship, str) or relationship not in RELATIONSHIPS:
        raise InvalidInput("profile.error.relationship")
    number = patients.check_phone(phone)
    if number is None:
        raise InvalidInput("patients.error.phone")
    if len(_emergency(session, patient.id)) >= MAX_EMERGENCY_CONTACTS:
        raise InvalidInput("profile.error.too_many_contacts", most=MAX_EMERGENCY_CONTACTS)
    session.add(EmergencyContact(patient_id=patient.id, name=clean_name, relationship=relationship, phone=number))
    session.flush()
    audit.record(session, actor, "create", "demographics", patient_id=patient.id, detail="emergency contact added")
    return _emergency(session, patient.id)


def remove_emergency_contact(session: Session, actor: Actor | None, patient_id: object,
                             contact_id: object) -> list[EmergencyView]:
    patient = _chart(session, actor, patient_id, "profile.write")
    row = session.get(EmergencyContact, contact_id) if isinstance(contact_id, int) and not isinstance(
        contact_id, bool) and 0 < contact_id < 2**62 else None
    if row is None or row.patient_id != patient.id or row.removed_at is not None:
        raise NotFound()
    row.removed_at = clock.now()
    session.add(row)
    audit.record(session, actor, "delete", "demographics", patient_id=patient.id,
                 detail=f"emergency contact {row.id} removed")
    return _emergency(session, patient.id)


# ---- name, date of birth, insurance: requests for the clinic's review ------------------------------


def _proposal(kind: object, values: object) -> tuple[str, dict[str, str]]:
    if not isinstance(kind, str) or kind not in KINDS or not isinstance(values, dict):
        raise InvalidInput("profile.error.kind")
    if kind == "name":
        return kind, {"given_name": _text(values.get("given_name"), 100, "patients.error.name_invalid"),
                      "family_name": _text(values.get("family_name"), 100, "patients.error.name_invalid")}
    if kind == "birth_date":
        born = values.get("birth_date")
        return kind, {"birth_date": patients.check_birth_date(born).isoformat()}
    member = _text(values.get("member_id"), 64, "profile.error.member_id")
    if not all(ch.isalnum() or ch in "- " for ch in member):
        raise InvalidInput("profile.error.member_id")
    return kind, {"plan_name": _text(values.get("plan_name"), 120, "profile.error.plan_name"), "member_id": member}


CARD_SIDES = ("front", "back")
CARD_PURPOSE = "insurance_card"


def _claim_card_photos(session: Session, actor: Actor, row: ProfileChange, photos: dict) -> dict[str, str]:
    """The photos the patient uploaded for this request now belong to it (each upload only once)."""
    for side, token in photos.items():
        files.claim(session, actor, token, CARD_PURPOSE, f"insurance_change:{row.id}:{side}")
    return {side: str(token) for side, token in photos.items()}


def request_change(session: Session, actor: Actor | None, patient_id: object, kind: object,
                   values: object) -> ChangeView:
    """Ask the clinic to change the name, date of birth or insurance; a newer request replaces an open one."""
    patient = _chart(session, actor, patient_id, "profile.write")
    assert actor is not None and actor.user_id is not None
    chosen, proposed = _proposal(kind, values)
    photos = {side: values[side] for side in CARD_SIDES if chosen == "insurance" and values.get(side)}  # type: ignore[union-attr]
    if proposed | photos == _current(session, patient, chosen):
        raise InvalidInput("profile.error.no_change")
    for older in session.exec(select(ProfileChange).where(ProfileChange.patient_id == patient.id,
                                                          ProfileChange.kind == chosen,
                                                          ProfileChange.status == PENDING)).all():
        session.delete(older)
    row = ProfileChange(patient_id=patient.id, kind=chosen, proposed=json.dumps(proposed), requested_by=actor.user_id)
    session.add(row)
    session.flush()
    if photos:
        proposed |= _claim_card_photos(session, actor, row, photos)
        row.proposed = json.dumps(proposed)
        session.add(row)
    category = "insurance" if chosen == "insurance" else "demographics"
    audit.record(session, actor, "create", category, patient_id=patient.id, detail=f"asked to change {chosen}")
    return _change_view(session, row, patient)


def _review_allowed(session: Session, actor: Actor | None, action: str) -> Actor:
    if not allowed(actor, "profile.review"):
        audit.record_refusal(session, actor, action, "demographics", detail="refused: profile review")
        raise PermissionDenied()
    assert actor is not None
    return actor


def review_queue(session: Session, actor: Actor | None) -> list[ChangeView]:
    """Open requests, oldest first, for charts this staff member may open now (restricted ones need break-glass)."""
    _review_allowed(session, actor, "read")
    rows = session.exec(select(ProfileChange).where(ProfileChange.status == PENDING).order_by(ProfileChange.id)).all()
    shown = []
    for row in rows:
        if not check_patient_access(session, actor, row.patient_id, "demographics.read").allowed:
            continue
        patient = session.get(Patient, row.patient_id)
        shown.append(_change_view(session, row, patient))
        audit.record(session, actor, "read", "insurance" if row.kind == "insurance" else "demographics",
                     patient_id=patient.id, detail=f"profile review {row.id}")
    return shown


def decide(session: Session, actor: Actor | None, change_id: object, approve: object, reason: object = "") -> None:
    """Approve (the change is made) or reject (the reason is shown to the patient) one open request."""
    _review_allowed(session, actor, "update")
    assert actor is not None
    if not isinstance(approve, bool):
        raise InvalidInput("profile.error.kind")
    row = session.get(ProfileChange, change_id) if isinstance(change_id, int) and not isinstance(
        change_id, bool) and 0 < change_id < 2**62 else None
    if row is None or row.status != PENDING:
        raise NotFound()
    action = "insurance.read" if row.kind == "insurance" else "demographics.read"
    patient = _chart(session, actor, row.patient_id, action)
    why = "" if approve else _text(reason, MAX_REASON, "profile.error.reason")
    if approve:
        _apply(session, patient, row.kind, json.loads(row.proposed))
    row.status, row.reason = (APPROVED if approve else REJECTED), why
    row.decided_by, row.decided_at = actor.user_id, clock.now()
    session.add(row)
    audit.record(session, actor, "update", "insurance" if row.kind == "insurance" else "demographics",
                 patient_id=patient.id, detail=f"profile change {row.id} ({row.kind}) {row.status}")


def _apply(session: Session, patient: Patient, kind: str, values: dict[str, str]) -> None:
    if kind == "name":
        patient.given_name, patient.family_name = values["given_name"], values["family_name"]
        for user in session.exec(select(User).where(User.patient_id == patient.id, User.role == Role.PATIENT)).all():
            user.display_name = f"{patient.given_name} {patient.family_name}"
            session.add(user)
    elif kind == "birth_date":
        patient.birth_date = date.fromisoformat(values["birth_date"])
    else:
        plan = session.exec(select(InsurancePlan).where(InsurancePlan.patient_id == patient.id)).first() or \
            InsurancePlan(patient_id=patient.id, plan_name="", member_id="")
        plan.plan_name, plan.member_id, plan.updated_at = values["plan_name"], values["member_id"], clock.now()
        plan.front_file, plan.back_file = values.get("front"), values.get("back")
        session.add(plan)
    session.add(patient)


def insurance_card(session: Session, actor: Actor | None, token: object) -> StoredFile:
    """A photo of an insurance card, for those who may see that patient's insurance (audited)."""
    row = session.exec(select(StoredFile).where(StoredFile.token == token)).first() if isinstance(
        token, str) and 20 <= len(token) <= 43 else None
    parts = (row.attached_to or "").split(":") if row is not None else []
    if len(parts) != 3 or parts[0] != "insurance_change" or not parts[1].isdigit() or parts[2] not in CARD_SIDES:
        raise NotFound()
    change = session.get(ProfileChange, int(parts[1]))
    if change is None:
        raise NotFound()
    require_patient_access(session, actor, change.patient_id, "insurance.read")
    audit.record(session, actor, "read", "insurance", patient_id=change.patient_id,
                 detail=f"insurance card photo ({parts[2]}) of change {change.id}")
    return row
