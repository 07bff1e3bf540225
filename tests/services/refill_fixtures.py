"""A small clinic for the refill tests: two patients with medicines and pharmacies, staff, proxies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from portal_app.models.audit import AuditEvent
from portal_app.models.medication import Medication
from portal_app.models.people import Patient, Role, User
from portal_app.models.pharmacy import Pharmacy
from portal_app.models.proxy import ProxyGrant
from portal_app.models.refill import MedicationFill
from portal_app.services.access import Actor

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday, 9 am in Chicago


def actor(user: User) -> Actor:
    return Actor.for_user(user)


@dataclass
class Clinic:
    ana: Actor  # a patient
    ana_chart: int
    ben: Actor  # another patient
    ben_chart: int
    nurse: Actor
    clinician: Actor
    desk: Actor
    admin: Actor
    parent: Actor  # proxy for Ana with "medications"
    outsider: Actor  # proxy for Ana with "appointments" only
    lisinopril: int  # Ana's: 3 refills left, eligible for auto-refill
    metformin: int  # Ana's: no refills left
    oxycodone: int  # Ana's: controlled, no refills left
    old: int  # Ana's: stopped
    bens_med: int
    pharmacy: int  # Ana's
    bens_pharmacy: int


def _user(session: Session, username: str, role: str, patient_id: int | None = None, title: str | None = None) -> User:
    user = User(username=username, display_name=username.title(), role=role, patient_id=patient_id, title=title,
                email=f"{username}@example.com")
    session.add(user)
    session.flush()
    return user


def _chart(session: Session, name: str, email: str) -> Patient:
    chart = Patient(mrn=f"R-{name}", given_name=name.title(), family_name="Refill", birth_date=date(1950, 1, 1),
                    sex="female", email=email)
    session.add(chart)
    session.flush()
    return chart


def _med(session: Session, patient_id: int, name: str, **values) -> int:
    defaults = dict(status="active", quantity=30, daily_units=1.0, refills_allowed=3, started_on=date(2026, 1, 5),
                    prescriber="Dr. Okafor", instructions="Take 1 tablet by mouth once a day", dose="1 tablet")
    med = Medication(patient_id=patient_id, name=name, **{**defaults, **values})
    session.add(med)
    session.flush()
    return med.id


def build(session: Session) -> Clinic:
    ana_chart = _chart(session, "ana", "ana@example.com")
    ben_chart = _chart(session, "ben", "ben@example.com")
    ana = _user(session, "ana", Role.PATIENT, ana_chart.id)
    ben = _user(session, "ben", Role.PATIENT, ben_chart.id)
    nurse = _user(session, "nurse", Role.NURSE, title="RN")
    clinician = _user(session, "doctor", Role.CLINICIAN, title="MD")
    desk = _user(session, "desk", Role.FRONT_DESK)
    admin = _user(session, "admin", Role.ADMIN)
    parent = _user(session, "parent", Role.PROXY)
    outsider = _user(session, "outsider", Role.PROXY)
    for grantee, scopes in ((parent, "medications"), (outsider, "appointments")):
        session.add(ProxyGrant(patient_id=ana_chart.id, grantee_user_id=grantee.id, scopes=scopes,
                               relationship="adult_child", starts_at=NOW - timedelta(days=10),
                               ends_at=NOW + timedelta(days=300)))
    lisinopril = _med(session, ana_chart.id, "Lisinopril 10 MG Oral Tablet", rxnorm_code="314076", strength="10 mg",
                      auto_refill_eligible=True)
    metformin = _med(session, ana_chart.id, "Metformin 500 MG Oral Tablet", rxnorm_code="861007", refills_allowed=2,
                     refills_used=2, daily_units=2.0, quantity=60)
    oxycodone = _med(session, ana_chart.id, "Oxycodone 5 MG Oral Tablet", rxnorm_code="1049621", refills_allowed=0,
                     controlled=True)
    old = _med(session, ana_chart.id, "Amoxicillin 500 MG Oral Capsule", status="completed", ended_on=date(2026, 3, 1))
    bens_med = _med(session, ben_chart.id, "Atorvastatin 20 MG Oral Tablet")
    pharmacy = Pharmacy(patient_id=ana_chart.id, name="Main Street Pharmacy", address="12 Main St", preferred=True)
    bens_pharmacy = Pharmacy(patient_id=ben_chart.id, name="Ben's Pharmacy", address="9 Elm St", preferred=True)
    session.add_all([pharmacy, bens_pharmacy])
    session.flush()
    session.add(MedicationFill(patient_id=ana_chart.id, medication_id=lisinopril, filled_on=date(2026, 11, 10),
                               quantity=30, pharmacy_id=pharmacy.id))
    session.commit()
    return Clinic(actor(ana), ana_chart.id, actor(ben), ben_chart.id, actor(nurse), actor(clinician), actor(desk),
                  actor(admin), actor(parent), actor(outsider), lisinopril, metformin, oxycodone, old, bens_med,
                  pharmacy.id, bens_pharmacy.id)


def audit_rows(session: Session, since: int = 0) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all())


def last_audit_id(session: Session) -> int:
    row = session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
    return row or 0
