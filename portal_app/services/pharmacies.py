"""The pharmacies a patient keeps (name, address, phone; mail order too), for refill requests.

A patient or a proxy with the "medications" scope manages them. A pharmacy is never deleted,
only removed from the list, because past requests still name it; at most ``MAX_PHARMACIES`` are
kept at once, and exactly one is preferred (chosen first) whenever there are any.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import phonenumbers
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.pharmacy import Pharmacy
from portal_app.services import access, audit, live
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.medications import CATEGORY, is_id

MAX_PHARMACIES = 6
MAX_NAME = 120
MAX_ADDRESS = 300
PHONE_REGION = "US"


@dataclass(frozen=True)
class PharmacyView:
    id: int
    name: str
    address: str
    phone: str  # E.164, "" when none
    mail_order: bool
    preferred: bool


def _view(row: Pharmacy) -> PharmacyView:
    return PharmacyView(row.id, row.name, row.address or "", row.phone or "", row.mail_order, row.preferred)


def _kept(session: Session, patient_id: int) -> list[Pharmacy]:
    return list(session.exec(
        select(Pharmacy).where(Pharmacy.patient_id == patient_id, Pharmacy.removed_at.is_(None))
        .order_by(Pharmacy.preferred.desc(), Pharmacy.name, Pharmacy.id)
    ).all())


def list_pharmacies(session: Session, actor: Actor, patient_id: int) -> list[PharmacyView]:
    access.require_patient_access(session, actor, patient_id, "medications.read")
    return [_view(row) for row in _kept(session, patient_id)]


def _text(value: object, limit: int, key: str, required: bool) -> str | None:
    text = unicodedata.normalize("NFC", " ".join(value.split())) if isinstance(value, str) else ""
    if not text:
        if required:
            raise InvalidInput(key)
        return None
    if len(text) > limit or not text.isprintable():
        raise InvalidInput(key)
    return text


def _phone(value: object) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        number = phonenumbers.parse(text[:40], PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput("pharmacies.error.phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("pharmacies.error.phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def add_pharmacy(session: Session, actor: Actor, patient_id: int, name: object, address: object, phone: object,
                 mail_order: object = False) -> int:
    """Keep a new pharmacy; the first one kept becomes the preferred one."""
    access.require_patient_access(session, actor, patient_id, "medications.settings")
    clean_name = _text(name, MAX_NAME, "pharmacies.error.name", required=True)
    clean_address = _text(address, MAX_ADDRESS, "pharmacies.error.address", required=False)
    clean_phone = _phone(phone)
    if not isinstance(mail_order, bool):
        raise InvalidInput("pharmacies.error.name")
    if not clean_address and not mail_order:
        raise InvalidInput("pharmacies.error.address_missing")
    kept = _kept(session, patient_id)
    if len(kept) >= MAX_PHARMACIES:
        raise InvalidInput("pharmacies.error.too_many", most=MAX_PHARMACIES)
    row = Pharmacy(patient_id=patient_id, name=clean_name, address=clean_address, phone=clean_phone,
                   mail_order=mail_order, preferred=not kept)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", CATEGORY, patient_id=patient_id, detail=f"pharmacy {row.id} added")
    live.announce(session, live.patient_topic(patient_id, "medications"))
    return row.id


def owned_pharmacy(session: Session, actor: Actor, patient_id: int, pharmacy_id: object) -> Pharmacy:
    """One of this patient's kept pharmacies, or a clear refusal (audited: it may be another patient's)."""
    row = session.get(Pharmacy, pharmacy_id) if is_id(pharmacy_id) else None
    if row is None or row.patient_id != patient_id or row.removed_at is not None:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient_id,
                             detail="refused: pharmacy not on this chart")
        raise InvalidInput("refills.error.pharmacy")
    return row


def remove_pharmacy(session: Session, actor: Actor, patient_id: int, pharmacy_id: object) -> None:
    access.require_patient_access(session, actor, patient_id, "medications.settings")
    row = owned_pharmacy(session, actor, patient_id, pharmacy_id)
    row.removed_at = clock.now()
    if row.preferred:
        row.preferred = False
        rest = [p for p in _kept(session, patient_id) if p.id != row.id]
        if rest:
            rest[0].preferred = True
            session.add(rest[0])
    session.add(row)
    audit.record(session, actor, "delete", CATEGORY, patient_id=patient_id, detail=f"pharmacy {row.id} removed")
    live.announce(session, live.patient_topic(patient_id, "medications"))


def make_preferred(session: Session, actor: Actor, patient_id: int, pharmacy_id: object) -> None:
    access.require_patient_access(session, actor, patient_id, "medications.settings")
    chosen = owned_pharmacy(session, actor, patient_id, pharmacy_id)
    for row in _kept(session, patient_id):
        row.preferred = row.id == chosen.id
        session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id, detail=f"pharmacy {chosen.id} preferred")
    live.announce(session, live.patient_topic(patient_id, "medications"))
