"""Demo message pools, canned replies and a few conversations for the demo clinic.

Pools: the clinical care team (clinicians and the nurse), the front desk (scheduling) and billing
(both the front-desk clerk). Rosa has an answered question (in Spanish) and Walter an open one
past its promised reply time, so the queue's overdue view has something in it. Sam has none, so a
first message is easy to follow. Written rows directly (not through the services): seeding is the
operator's act, and the services' audit rows would describe people doing things they did not do.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.message import CannedReply, Message, MessagePool, MessagePoolMember, MessageThread
from portal_app.models.people import Patient, Role, User
from portal_app.services.demo_refills import _label
from portal_app.services.messages import REPLY_WORKING_DAYS, subject_of
from portal_app.services.refills import add_working_days

POOLS = (("care_team", "Care team", True), ("front_desk", "Front desk (appointments)", False),
         ("billing", "Billing", False))
MEMBERS = {"care_team": (Role.CLINICIAN, Role.NURSE), "front_desk": (Role.FRONT_DESK,), "billing": (Role.FRONT_DESK,)}
CANNED = (
    (None, "Got it", "Thank you for your message. We have it and will answer soon."),
    ("care_team", "Call if worse", "If this gets worse, or you have new symptoms, please call the clinic. "
                                   "For an emergency, call 911."),
    ("care_team", "Book a visit", "We would like to see you for this. Please book a visit in the portal or call us."),
    ("front_desk", "Visit moved", "Your visit has been moved. You will find the new time under Appointments."),
)


def seed(session: Session) -> None:
    pools = {}
    for code, name, clinical in POOLS:
        pools[code] = MessagePool(code=code, name=name, clinical=clinical)
        session.add(pools[code])
    session.flush()
    staff = session.exec(select(User).where(User.role.in_([Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK]))).all()
    for code, roles in MEMBERS.items():
        for user in staff:
            if user.role in roles:
                session.add(MessagePoolMember(pool_id=pools[code].id, user_id=user.id))
    for pool, title, body in CANNED:
        session.add(CannedReply(pool_id=pools[pool].id if pool else None, title=title, body=body))
    users = {u.username: u for u in session.exec(select(User)).all()}
    now = clock.now()
    rosa, walter, nurse = users["rosa.delgado"], users["walter.pimm"], users["rn.baptiste"]
    _thread(session, pools["care_team"], rosa, now - timedelta(days=3), "clinical", status="waiting", lines=[
        (rosa, "¿Puedo tomar ibuprofeno con mis medicinas de la presión?"),
        (nurse, "Es mejor usar acetaminofén (Tylenol). El ibuprofeno puede subir la presión. "
                "Más información: https://medlineplus.gov/spanish/druginfo/meds/a681004-es.html"),
    ])
    _thread(session, pools["care_team"], walter, now - timedelta(days=6), "prescription", status="open", lines=[
        (walter, "My ankles have been swelling since the new pill. Should I keep taking it?"),
    ])


def _thread(session: Session, pool: MessagePool, patient_user: User, started, topic: str, status: str,
            lines: list[tuple[User, str]]) -> None:
    patient = session.get(Patient, patient_user.patient_id)
    thread = MessageThread(patient_id=patient.id, topic=topic, subject=subject_of(lines[0][1]),
                           pool_id=pool.id, status=status, started_by=patient_user.id, last_message_at=started,
                           reply_due=add_working_days(started, REPLY_WORKING_DAYS[pool.code]) if status == "open" else None,
                           created_at=started)
    session.add(thread)
    session.flush()
    for number, (author, body) in enumerate(lines):
        at = started + timedelta(hours=5 * number)
        session.add(Message(thread_id=thread.id, author_user_id=author.id, author_label=_label(author),
                            from_staff=author.role != Role.PATIENT, body=body, created_at=at))
        thread.last_message_at = at
    session.add(thread)
