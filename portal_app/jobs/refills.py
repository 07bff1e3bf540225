"""Scheduled refill work: automatic refill requests and medication reminders.

Both are safe to run again, after a crash or in two scheduler processes at once: each medicine is
considered in its own transaction, and what they create is keyed (the request's cycle, the
notice's dedupe key) so that a second run finds it made and makes nothing.
"""

from __future__ import annotations

import logging

from portal_app import db
from portal_app.services import auto_refill, medication_reminders

log = logging.getLogger("portal.jobs")


def run_auto_refills(database_url: str | None = None) -> auto_refill.AutoRefillReport:
    report = auto_refill.AutoRefillReport()
    with db.transaction(database_url) as session:
        ids = auto_refill.candidates(session)
    for medication_id in ids:
        try:
            with db.transaction(database_url) as session:
                auto_refill.consider(session, medication_id, report)
        except Exception:  # one medicine's trouble must not stop the others
            log.exception("auto-refill of medication %s failed; it is tried again next run", medication_id)
    if report.requested or report.skipped_no_refills:
        log.info("auto-refill: %d requested, %d skipped (no refills left)", len(report.requested),
                 len(report.skipped_no_refills))
    return report


def queue_reminders(database_url: str | None = None) -> int:
    with db.transaction(database_url) as session:
        queued = medication_reminders.queue_due(session)
    if queued:
        log.info("medication reminders: %d notices queued", queued)
    return queued
