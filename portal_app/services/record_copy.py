"""Emailing a copy of the record (as the PDF download) to an address the patient types in.

Email is not secure, so the patient must confirm a plain warning first (``confirmed``). The PDF
travels through the outbox like any notice (``notify.queue`` with an attachment): it is sent
when the mail server is reachable and dropped from the outbox row once sent. The subject and
body say nothing about the record. The sending is a transmission in the patient's activity log
(audit action "share"). At most ``DAILY_MAX`` copies per account a day.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session

from portal_app import i18n
from portal_app.models.outbox import Channel
from portal_app.services import access, audit, notify, record_pdf
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.recovery import bucket, take

DAILY_MAX = 5
FILE_NAME = "health-record.pdf"


def _address(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not notify.is_valid_recipient(Channel.EMAIL, text):
        raise InvalidInput("share.error.email")
    return text


def email_copy(session: Session, actor: Actor, patient_id: int, address: object, confirmed: object,
               language: str = "en") -> None:
    """Queue the record PDF to ``address`` once the patient confirmed the warning."""
    access.require_patient_access(session, actor, patient_id, "record.share")
    to = _address(address)
    if confirmed is not True:
        raise InvalidInput("share.error.confirm")
    if not take(session, bucket("record-copy", str(actor.user_id)), DAILY_MAX, timedelta(days=1)):
        raise InvalidInput("share.error.too_many_copies")
    lang = i18n.normalise(language)
    pdf = record_pdf.render(session, actor, patient_id, language=lang)
    notify.queue(session, dedupe_key=f"record-copy:{patient_id}:{secrets.token_hex(8)}", channel=Channel.EMAIL,
                 recipient=to, kind="record_copy", template_key="record_copy", language=lang, params={},
                 user_id=actor.user_id, patient_id=patient_id,
                 attachment=notify.Attachment(FILE_NAME, "application/pdf", pdf))
    domain = to.rpartition("@")[2]
    audit.record(session, actor, "share", "record", patient_id=patient_id,
                 detail=f"record PDF emailed to an address at {domain}")
