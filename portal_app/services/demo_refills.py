"""Demo medicines, pharmacies, refills and reminders for the demo clinic's patients.

Every medicine is RxNorm-coded (clinical drug concepts as the EHR sends them); refills sit at
several steps (waiting for review and late, approved, sent, ready, denied with a reason, picked
up), one medicine is a controlled substance with no refills left (it needs a visit), one has no
refills left (a renewal), one refills itself. Times are relative to the day the demo is seeded.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.medication import Medication
from portal_app.models.medication_reminder import MedicationReminder
from portal_app.models.people import Patient, Role, User
from portal_app.models.pharmacy import Pharmacy
from portal_app.models.refill import OPEN_STEPS, AutoRefill, MedicationFill, RefillRequest, RefillStep
from portal_app.services.refills import ANSWER_WORKING_DAYS, add_working_days

# (code, name, strength, dose, instructions, reason, daily units, quantity, refills allowed, refills used,
#  controlled, auto-refill eligible, status)
MEDICINES = {
    "rosa": [
        ("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "500 mg", "2 tablets",
         "Take 2 tablets by mouth once a day with your evening meal.", "Type 2 diabetes", 2, 60, 5, 1, False, True,
         "active"),
        ("314076", "Lisinopril 10 MG Oral Tablet", "10 mg", "1 tablet", "Take 1 tablet by mouth every morning.",
         "High blood pressure", 1, 30, 3, 1, False, True, "active"),
        ("617310", "Atorvastatin 20 MG Oral Tablet", "20 mg", "1 tablet", "Take 1 tablet by mouth at bedtime.",
         "High cholesterol", 1, 30, 5, 2, False, False, "active"),
        ("562251", "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet", "250 mg / 125 mg", "1 tablet",
         "Take 1 tablet by mouth every 8 hours for 7 days.", "Sinus infection", 3, 21, 0, 0, False, False, "completed"),
    ],
    "walter": [
        ("197361", "Amlodipine 5 MG Oral Tablet", "5 mg", "1 tablet", "Take 1 tablet by mouth once a day.",
         "High blood pressure", 1, 90, 3, 1, False, True, "active"),
        ("310798", "Hydrochlorothiazide 25 MG Oral Tablet", "25 mg", "1 tablet",
         "Take 1 tablet by mouth every morning. It makes you pass water more often.", "Swelling and blood pressure",
         1, 30, 2, 2, False, False, "active"),
        ("835603", "tramadol hydrochloride 50 MG Oral Tablet", "50 mg", "1 tablet",
         "Take 1 tablet by mouth every 6 hours if needed for knee pain. No more than 4 a day.", "Knee pain",
         2, 30, 0, 0, True, False, "active"),
        ("849574", "Naproxen sodium 220 MG Oral Tablet", "220 mg", "1 tablet",
         "Take 1 tablet by mouth twice a day with food.", "Knee pain", 2, 60, 0, 0, False, False, "stopped"),
    ],
    "nadia": [
        ("310965", "Ibuprofen 200 MG Oral Tablet", "200 mg", "1 to 2 tablets",
         "Take 1 or 2 tablets by mouth every 6 hours if needed for pain.", "Back pain", 2, 50, 1, 0, False, False,
         "active"),
    ],
    "lily": [
        ("745679", "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "90 mcg per puff", "2 puffs",
         "Breathe in 2 puffs every 4 hours if needed for wheezing.", "Asthma", None, 1, 2, 0, False, False, "active"),
        ("895994", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", "44 mcg per puff",
         "2 puffs", "Breathe in 2 puffs twice a day, every day, even when well. Rinse your mouth after.", "Asthma",
         4, 120, 3, 1, False, False, "active"),
    ],
    "sam": [
        ("314076", "Lisinopril 10 MG Oral Tablet", "10 mg", "1 tablet", "Take 1 tablet by mouth once a day.",
         "High blood pressure", 1, 90, 3, 1, False, True, "active"),
        ("312617", "predniSONE 5 MG Oral Tablet", "5 mg", "4 tablets",
         "Take 4 tablets by mouth once a day for 5 days.", "Asthma flare", 4, 20, 0, 0, False, False, "completed"),
    ],
}

PHARMACIES = {
    "rosa": [("Farmacia Maple Grove", "210 Oak Street, Maple Grove, IL 60601", "+13125550110", False),
             ("MailMeds (mail order)", None, "+18005550199", True)],
    "walter": [("Corner Drug", "4 Market Square, Maple Grove, IL 60601", "+13125550123", False)],
    "nadia": [("Maple Grove Pharmacy", "88 Elm Avenue, Maple Grove, IL 60601", "+13125550134", False)],
    "lily": [("Maple Grove Pharmacy", "88 Elm Avenue, Maple Grove, IL 60601", "+13125550134", False)],
    "sam": [("Lakeside Pharmacy", "1200 Lake Road, Maple Grove, IL 60601", "+13125550145", False),
            ("Maple Grove Pharmacy", "88 Elm Avenue, Maple Grove, IL 60601", "+13125550134", False)],
}

NURSE, DOCTOR, DESK = "rn.baptiste", "dr.okafor", "desk.tanaka"

# (patient, medicine code, kind, steps as (step, days ago, who), note, deny reason, deny note)
REQUESTS = [
    ("walter", "197361", "refill", [("requested", 5, None)], "I have 5 pills left.", None, None),
    ("rosa", "314076", "refill", [("requested", 1, None), ("approved", 0.8, NURSE)], None, None, None),
    ("rosa", "617310", "refill", [("requested", 4, None), ("approved", 3, NURSE), ("sent", 3, DESK),
                                  ("ready", 0.2, DESK)], None, None, None),
    ("lily", "745679", "refill", [("requested", 2, "nadia.farouk"), ("approved", 1, DOCTOR), ("sent", 1, DESK)],
     "For school, please.", None, None),
    ("lily", "895994", "refill", [("requested", 9, "nadia.farouk"), ("denied", 8, DOCTOR)], None, "too_soon",
     "The last inhaler should last until the end of the month. Ask again then."),
    ("sam", "314076", "refill", [("requested", 40, None), ("approved", 39, NURSE), ("sent", 39, DESK),
                                 ("ready", 38, DESK), ("picked_up", 37, DESK)], None, None, None),
]

# (patient, medicine code, days since the last fill)
FILLS = [("rosa", "860975", 25), ("rosa", "314076", 27), ("rosa", "617310", 26), ("walter", "197361", 85),
         ("walter", "310798", 28), ("walter", "835603", 20), ("nadia", "310965", 60), ("lily", "745679", 40),
         ("lily", "895994", 20), ("sam", "314076", 37)]
AUTO_REFILLS = [("rosa", "860975")]
REMINDERS = [("rosa", "860975", "18:30"), ("rosa", "314076", "08:00"), ("walter", "197361", "09:00"),
             ("lily", "895994", "07:30,19:30")]


def _people(session: Session) -> dict[str, Patient]:
    found = {}
    for patient in session.exec(select(Patient)).all():
        found[patient.given_name.lower()] = patient
    return found


def _label(user: User) -> str:
    return f"{user.display_name}, {user.title}" if user.title else user.display_name


def seed(session: Session) -> None:
    people = _people(session)
    users = {u.username: u for u in session.exec(select(User)).all()}
    own_account = {u.patient_id: u for u in users.values() if u.role == Role.PATIENT}
    today = localtime.today()
    meds: dict[tuple[str, str], Medication] = {}
    for who, rows in MEDICINES.items():
        patient = people[who]
        for (code, name, strength, dose, instructions, reason, daily, quantity, allowed, used, controlled, eligible,
             status) in rows:
            med = Medication(patient_id=patient.id, rxnorm_code=code, name=name, strength=strength, dose=dose,
                             instructions=instructions, reason=reason, status=status, daily_units=daily,
                             quantity=quantity, refills_allowed=allowed, refills_used=used, controlled=controlled,
                             auto_refill_eligible=eligible, prescriber="Dr. Amara Okafor",
                             started_on=today - timedelta(days=400 if status == "active" else 200),
                             ended_on=None if status == "active" else today - timedelta(days=120),
                             days_supply=int(quantity / daily) if daily else 30)
            session.add(med)
            meds[(who, code)] = med
    pharmacies: dict[str, list[Pharmacy]] = {}
    for who, rows in PHARMACIES.items():
        pharmacies[who] = []
        for number, (name, address, phone, mail) in enumerate(rows):
            row = Pharmacy(patient_id=people[who].id, name=name, address=address, phone=phone, mail_order=mail,
                           preferred=number == 0)
            session.add(row)
            pharmacies[who].append(row)
    session.flush()
    for who, code, days in FILLS:
        med = meds[(who, code)]
        session.add(MedicationFill(patient_id=med.patient_id, medication_id=med.id, filled_on=today - timedelta(days=days),
                                   quantity=med.quantity, pharmacy_id=pharmacies[who][0].id))
    now = clock.now()
    for who, code, kind, steps, note, reason, deny_note in REQUESTS:
        med = meds[(who, code)]
        status = steps[-1][0]
        created = now - timedelta(days=steps[0][1])
        request = RefillRequest(patient_id=med.patient_id, medication_id=med.id, pharmacy_id=pharmacies[who][0].id,
                                kind=kind, status=status, note=note, deny_reason=reason, deny_note=deny_note,
                                open_medication_id=med.id if status in OPEN_STEPS else None,
                                requested_by=own_account.get(med.patient_id, users.get("nadia.farouk")).id,
                                quantity=med.quantity if status not in ("requested", "denied") else None,
                                refill_used=status not in ("requested", "denied"),
                                answer_due=add_working_days(created, ANSWER_WORKING_DAYS), created_at=created,
                                updated_at=now - timedelta(days=steps[-1][1]))
        session.add(request)
        session.flush()
        for step, days_ago, username in steps:
            actor = users[username] if username else own_account[med.patient_id]
            session.add(RefillStep(request_id=request.id, step=step, at=now - timedelta(days=days_ago),
                                   actor_user_id=actor.id, actor_label=_label(actor), actor_role=actor.role))
        if status in ("ready", "picked_up"):
            fill_day = (now - timedelta(days=next(d for s, d, _u in steps if s == "ready"))).date()
            session.add(MedicationFill(patient_id=med.patient_id, medication_id=med.id, request_id=request.id,
                                       filled_on=fill_day, quantity=med.quantity, pharmacy_id=request.pharmacy_id))
    for who, code in AUTO_REFILLS:
        med = meds[(who, code)]
        session.add(AutoRefill(patient_id=med.patient_id, medication_id=med.id, pharmacy_id=pharmacies[who][0].id,
                               enabled=True, changed_by=own_account[med.patient_id].id, changed_at=now))
    for who, code, times in REMINDERS:
        med = meds[(who, code)]
        session.add(MedicationReminder(patient_id=med.patient_id, medication_id=med.id, times=times,
                                       zone=localtime.clinic_zone().key,
                                       created_by=own_account.get(med.patient_id, users["nadia.farouk"]).id,
                                       created_at=now - timedelta(days=30)))


