"""The fictional demo clinic (Maple Grove Family Clinic) for laptops and screenshots.

Only ``portal seed-demo`` calls this, and it refuses in production. Every name is invented; the
passwords are printed by ``make run`` so a newcomer can sign in at once. Later features add their
demo data here (appointments, messages, results...).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.notice import ClinicNotice
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import PROXY_SCOPES
from portal_app.services import demo_appointments, demo_messages, demo_record, demo_refills, mfa, proxies
from portal_app.services.access import Actor
from portal_app.services.passwords import hash_password


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    who: str


DEMO_PASSWORD_SUFFIX = "-maple-demo-2026"

# (username, display name, title, role)
STAFF = [
    ("dr.okafor", "Dr. Amara Okafor", "MD", Role.CLINICIAN),
    ("dr.lindqvist", "Dr. Henrik Lindqvist", "MD", Role.CLINICIAN),
    ("np.reyes", "Lucía Reyes", "NP", Role.CLINICIAN),
    ("rn.baptiste", "Marie Baptiste", "RN", Role.NURSE),
    ("desk.tanaka", "Kenji Tanaka", None, Role.FRONT_DESK),
    ("admin.hughes", "Priya Hughes", None, Role.ADMIN),
]

# (username or None for a chart without an account, given, family, birth date, sex, language)
PATIENTS = [
    ("rosa.delgado", "Rosa", "Delgado", date(1951, 3, 14), "female", "es"),
    ("walter.pimm", "Walter", "Pimm", date(1946, 11, 2), "male", "en"),
    ("nadia.farouk", "Nadia", "Farouk", date(1988, 7, 21), "female", "en"),
    ("sam.oduya", "Sam", "Oduya", date(1979, 1, 9), "male", "en"),
    (None, "Lily", "Farouk", date(2017, 5, 30), "female", "en"),  # Nadia's daughter (a child)
]
# Proxy access the demo sets up, said in the printed sign-ins.
ALSO_SEES = {"nadia.farouk": " (also sees her daughter Lily's record)"}


def _password(username: str) -> str:
    return username.replace(".", "-") + DEMO_PASSWORD_SUFFIX


def authenticator_key(username: str) -> str:
    """A fixed key per demo account, so a newcomer can add it to an authenticator app once."""
    return base64.b32encode(hashlib.sha256(f"demo-authenticator:{username}".encode()).digest()[:20]).decode()


def is_seeded(session: Session) -> bool:
    return session.exec(select(User).limit(1)).first() is not None


def seed(session: Session) -> list[DemoLogin]:
    """Create the demo clinic in an empty database; returns the sign-ins to print."""
    accounts: list[User] = []
    for username, name, title, role in STAFF:
        accounts.append(
            User(username=username, display_name=name, title=title, role=role,
                 email=f"{username}@maplegrove.example", password_hash=hash_password(_password(username)))
        )
    for number, (username, given, family, born, sex, language) in enumerate(PATIENTS, start=1):
        patient = Patient(mrn=f"MG-{100200 + number}", given_name=given, family_name=family, birth_date=born,
                          sex=sex, preferred_language=language,
                          email=f"{given.lower()}.{family.lower()}@example.com", phone=f"+1555010{1000 + number}")
        session.add(patient)
        session.flush()
        if username is None:
            continue
        accounts.append(
            User(username=username, display_name=f"{given} {family}", role=Role.PATIENT, patient_id=patient.id,
                 email=patient.email, preferred_language=language, password_hash=hash_password(_password(username)))
        )
    session.add_all(accounts)
    session.flush()
    for account in accounts:
        mfa.enrol_confirmed(session, account.id, authenticator_key(account.username))
    _nadia_cares_for_lily(session, accounts)
    demo_refills.seed(session)  # medicines, pharmacies, refills at several steps, reminders
    demo_messages.seed(session)  # message pools, canned replies, two conversations
    demo_appointments.seed(session)  # locations, visit types, hours, holidays, visits ahead and past
    demo_record.seed(session)  # years of check-ups, vital signs, labs, problems, notes (through the FHIR import)
    session.add(
        ClinicNotice(
            message="Flu shots are here. Walk in Monday to Friday, 9 am to 4 pm.",
            message_es="Ya tenemos la vacuna contra la gripe. Venga de lunes a viernes, de 9 a 4.",
            starts_at=clock.now() - timedelta(days=1),
            ends_at=clock.now() + timedelta(days=60),
        )
    )
    return logins()


def _nadia_cares_for_lily(session: Session, accounts: list[User]) -> None:
    """A parent's proxy access to her 9-year-old, as the front desk would set it up (until she turns 12)."""
    desk = next(a for a in accounts if a.username == "desk.tanaka")
    nadia = next(a for a in accounts if a.username == "nadia.farouk")
    lily = session.exec(select(Patient).where(Patient.given_name == "Lily", Patient.family_name == "Farouk")).one()
    proxies.grant(session, Actor(role=desk.role, user_id=desk.id, display_name=desk.display_name), lily.id,
                  nadia.id, PROXY_SCOPES, "parent")


def logins() -> list[DemoLogin]:
    """The demo sign-ins (deterministic, so ``make run`` can print them on every start)."""
    staff = [DemoLogin(u, _password(u), role, name) for u, name, _title, role in STAFF]
    patients = [
        DemoLogin(u, _password(u), Role.PATIENT, f"{given} {family}, born {born:%Y}{ALSO_SEES.get(u, '')}")
        for u, given, family, born, _sex, _lang in PATIENTS
        if u is not None
    ]
    return staff + patients
