""""Lost my phone", with the clinic's help: staff check who is asking, then remove the app.

For a patient who has neither their phone nor a recovery code. A front-desk member or an admin
types the date of birth the caller gives (it must match the chart) and states how they checked
the person (photo ID at the desk, on a video call, or a call back to the number on file). Then
the patient's authenticator and recovery codes are removed, every session ends, the patient is
told by email and text, and at the next sign-in — with their own password, which is unchanged —
they add an app again (services/staff_setup.py, from its app step, within 7 days). Each attempt,
matched or not, is audited on the patient's record.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient, Role, User
from portal_app.models.session import UserSession
from portal_app.services import audit, mfa, notify, staff_setup
from portal_app.services.access import Actor, allowed, require_patient_access
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

CHECKS = ("photo_id_in_person", "photo_id_on_video", "called_back_number_on_file")
CATEGORY = "account"


def reset_patient_authenticator(session: Session, actor: Actor | None, patient_id: object, birth_date: object,
                                check: object) -> None:
    if not allowed(actor, "authenticator.reset"):
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: authenticator reset")
        raise PermissionDenied()
    require_patient_access(session, actor, patient_id, "demographics.read")  # type: ignore[arg-type]
    patient = session.get(Patient, patient_id)
    account = session.exec(select(User).where(User.patient_id == patient_id, User.role == Role.PATIENT,
                                              User.is_active.is_(True))).first() if patient else None
    if patient is None or account is None:
        raise NotFound("app_reset.error.no_account")
    if not isinstance(check, str) or check not in CHECKS:
        raise InvalidInput("app_reset.error.check")
    if not isinstance(birth_date, date) or birth_date != patient.birth_date:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient.id,
                             detail="authenticator reset refused: date of birth did not match")
        raise InvalidInput("app_reset.error.birth_date")
    mfa.forget(session, account.id)
    staff_setup.open_setup(session, account.id, keep_password=True)
    moment = clock.now()
    sessions = session.exec(select(UserSession).where(UserSession.user_id == account.id,
                                                      UserSession.revoked_at.is_(None))).all()
    for row in sessions:
        row.revoked_at = moment
        session.add(row)
    for channel, recipient in (("email", patient.email), ("sms", patient.phone)):
        if recipient and notify.is_valid_recipient(channel, recipient):
            notify.queue(session, dedupe_key=f"authenticator_reset:{account.id}:{moment.timestamp():.0f}:{channel}",
                         channel=channel, recipient=recipient, kind="security_notice", template_key="security_notice",
                         language=account.preferred_language, params={"what": "second_factor_removed"},
                         user_id=account.id, patient_id=patient.id)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient.id,
                 detail=f"authenticator removed after identity check ({check}); {len(sessions)} sessions ended")
