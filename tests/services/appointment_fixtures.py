"""A small clinic for the appointment tests: two clinicians with weekly hours, visit types, patients, proxies, staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from portal_app.models.clinic_setup import Location, VisitType, WorkingHours
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import ProxyGrant
from tests.services.refill_fixtures import actor

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, 9:00 in Chicago
CHICAGO_OFFSET = timedelta(hours=6)  # CST, until 14 March 2027


def clinic_time(day: date, hour: int, minute: int = 0, offset: timedelta = CHICAGO_OFFSET) -> datetime:
    """A Chicago wall-clock time as UTC (standard time unless told otherwise)."""
    return datetime.combine(day, time(hour, minute), UTC) + offset


@dataclass
class Clinic:
    ana: object
    ana_chart: int
    ben: object
    ben_chart: int
    desk: object
    nurse: object
    clinician: object
    admin: object
    scheduler: object  # proxy for Ana with "appointments"
    parent: object  # proxy for Ana with "medications" only
    okafor: int  # clinician user ids
    lee: int
    main: int  # locations
    north: int
    checkup: int  # 30 min, 0 buffer, online
    short: int  # 15 min, 0 buffer, online
    buffered: int  # 20 min + 10 buffer, online
    video: int  # 20 min video, online
    procedure: int  # front desk only
    new_patient: int  # "new" patients only


def _user(session: Session, username: str, role: str, patient_id: int | None = None, title: str | None = None) -> User:
    user = User(username=username, display_name=username.title(), role=role, patient_id=patient_id, title=title,
                email=f"{username}@example.com")
    session.add(user)
    session.flush()
    return user


def _chart(session: Session, name: str) -> Patient:
    chart = Patient(mrn=f"A-{name}", given_name=name.title(), family_name="Visit", birth_date=date(1950, 1, 1),
                    sex="female", email=f"{name}@example.com")
    session.add(chart)
    session.flush()
    return chart


def _type(session: Session, name: str, minutes: int, **values) -> int:
    row = VisitType(name=name, name_es=f"{name} (es)", duration_minutes=minutes, **values)
    session.add(row)
    session.flush()
    return row.id


def build(session: Session) -> Clinic:
    ana_chart, ben_chart = _chart(session, "ana"), _chart(session, "ben")
    ana = _user(session, "ana", Role.PATIENT, ana_chart.id)
    ben = _user(session, "ben", Role.PATIENT, ben_chart.id)
    desk, nurse = _user(session, "desk", Role.FRONT_DESK), _user(session, "nurse", Role.NURSE, title="RN")
    admin = _user(session, "admin", Role.ADMIN)
    okafor = _user(session, "okafor", Role.CLINICIAN, title="MD")
    lee = _user(session, "lee", Role.CLINICIAN, title="NP")
    scheduler, parent = _user(session, "scheduler", Role.PROXY), _user(session, "parent", Role.PROXY)
    for grantee, scopes in ((scheduler, "appointments"), (parent, "medications")):
        session.add(ProxyGrant(patient_id=ana_chart.id, grantee_user_id=grantee.id, scopes=scopes,
                               relationship="adult_child", starts_at=NOW - timedelta(days=10),
                               ends_at=NOW + timedelta(days=300)))
    main = Location(name="Main Street Clinic", address="12 Main St", phone="(555) 010-0142",
                    directions="Park behind the building.")
    north = Location(name="North Clinic", address="400 North Ave")
    session.add_all([main, north])
    session.flush()
    for weekday in range(5):  # Dr. Okafor: weekdays 9-12 and 13-17 at Main Street
        session.add(WorkingHours(clinician_user_id=okafor.id, location_id=main.id, weekday=weekday,
                                 starts=time(9), ends=time(12)))
        session.add(WorkingHours(clinician_user_id=okafor.id, location_id=main.id, weekday=weekday,
                                 starts=time(13), ends=time(17)))
    for weekday in (1, 3):  # Lee: Tuesday and Thursday mornings at North
        session.add(WorkingHours(clinician_user_id=lee.id, location_id=north.id, weekday=weekday,
                                 starts=time(8), ends=time(12)))
    checkup = _type(session, "Check-up", 30, prep_note="Bring your medicines.")
    short = _type(session, "Short visit", 15)
    buffered = _type(session, "Physical", 20, buffer_minutes=10)
    video = _type(session, "Video visit", 20, mode="video", prep_note="Find a quiet room.")
    procedure = _type(session, "Procedure", 60, online_bookable=False)
    new_patient = _type(session, "New patient visit", 45, patient_kind="new")
    session.commit()
    return Clinic(actor(ana), ana_chart.id, actor(ben), ben_chart.id, actor(desk), actor(nurse), actor(okafor),
                  actor(admin), actor(scheduler), actor(parent), okafor.id, lee.id, main.id, north.id, checkup, short,
                  buffered, video, procedure, new_patient)
