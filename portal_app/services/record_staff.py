"""The staff side of the health record: a chart's heading for the staff record view, a lab result
typed in by hand, and the EHR file a clinician or admin uploads on the console.

A result entered here is one more lab value of the chart, like an imported one: the release rules
(``services/result_release.py``) decide when the patient sees it, and the patient hears "a new
result is ready" (never which, nor its value) once they can see it: at once, or when a clinician
reviews it if the patient chose "after review" for labs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from portal_app import clock
from portal_app.models.people import Patient
from portal_app.models.record import Observation
from portal_app.services import access, audit, fhir_import, files, lab_guide, live, notification_prefs
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound
from portal_app.services.result_release import ReleaseRules

UPLOAD_PURPOSE = "fhir_import"  # services/files.PURPOSES: who may upload an EHR file, and how big
EARLIEST = date(1900, 1, 1)
UNIT_LIMIT = 40
LARGEST = 1e9  # no lab value is bigger; a typo with many digits is refused


@dataclass(frozen=True)
class ChartHeading:
    name: str
    mrn: str
    birth_date: date


def chart_heading(session: Session, actor: Actor, patient_id: int) -> ChartHeading:
    """Whose record the staff page shows (name, MRN, birth date), checked and audited as a demographics read."""
    access.require_patient_access(session, actor, patient_id, "demographics.read")
    patient = session.get(Patient, patient_id)
    audit.record(session, actor, "read", "demographics", patient_id=patient_id, detail="staff record view heading")
    return ChartHeading(f"{patient.given_name} {patient.family_name}", patient.mrn, patient.birth_date)


# --- a result typed in by hand -------------------------------------------------------------------

def _number(value: object, key: str) -> float | None:
    """A number the form sent (text such as "5.4" or "5,4"), None when empty; refused when not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInput(key)
    try:
        number = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        raise InvalidInput(key) from None
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise InvalidInput(key)
    return number


def enter_result(session: Session, actor: Actor, patient_id: int, *, loinc: object, value: object, unit: object,
                 low: object = None, high: object = None, taken_on: object = None) -> int:
    """Add one lab value a nurse or clinician typed in; returns its id. Nothing is written when refused."""
    access.require_patient_access(session, actor, patient_id, "results.enter")
    test = lab_guide.lab_test(loinc)
    if test is None:
        raise InvalidInput("recstaff.error.test")
    number = _number(value, "recstaff.error.value")
    if number is None:
        raise InvalidInput("recstaff.error.value")
    unit_text = unit.strip() if isinstance(unit, str) else None
    if unit_text is None or len(unit_text) > UNIT_LIMIT:
        raise InvalidInput("recstaff.error.unit", most=UNIT_LIMIT)
    range_low, range_high = _number(low, "recstaff.error.range"), _number(high, "recstaff.error.range")
    if range_low is not None and range_high is not None and range_low > range_high:
        raise InvalidInput("recstaff.error.range")
    today = clock.now().date()
    if not isinstance(taken_on, date) or isinstance(taken_on, datetime) or not EARLIEST <= taken_on <= today:
        raise InvalidInput("recstaff.error.date")
    now = clock.now()
    # The day alone is known: noon UTC keeps it the same day wherever the clinic is.
    taken = now if taken_on == today else datetime.combine(taken_on, time(12), tzinfo=UTC)
    row = Observation(patient_id=patient_id, category="laboratory", loinc_code=test.loinc, name=test.name,
                      value_num=number, unit=unit_text or None, range_low=range_low, range_high=range_high,
                      effective_at=min(taken, now), issued_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "results", patient_id=patient_id, detail=f"result entered by hand: {test.loinc}")
    live.announce(session, live.patient_topic(patient_id, "results"))
    if ReleaseRules(session, patient_id).observation(row).visible:
        notification_prefs.queue_to_patient(session, patient_id, "results", template_key="result_ready",
                                            dedupe_key=f"results-entered:{patient_id}:{row.id}")
    return row.id


# --- the EHR file uploaded on the console --------------------------------------------------------

def import_upload(session: Session, actor: Actor, token: object) -> fhir_import.ImportReport:
    """Import the caller's uploaded FHIR file, then forget the file (the record keeps what it brought).

    The importer checks the permission again and refuses a malformed file whole, changing nothing.
    """
    access.require(actor, "record.import")
    try:
        upload = files.pending_upload(session, actor, token, UPLOAD_PURPOSE)
    except NotFound:
        raise InvalidInput("recstaff.error.upload_gone") from None
    data, name = upload.data, upload.name
    files.discard(session, actor, token, UPLOAD_PURPOSE)
    return fhir_import.import_fhir(session, actor, data, name)
