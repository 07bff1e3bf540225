"""Scheduled messaging work: the daily email to staff about messages past their promised answer time.

Hourly; the service sends from the morning on and keys each email by person and day, so later runs
(and a second scheduler) send nothing more that day.
"""

from __future__ import annotations

import logging

from portal_app import db
from portal_app.services import messages

log = logging.getLogger("portal.jobs")


def overdue_digest(database_url: str | None = None) -> int:
    with db.transaction(database_url) as session:
        queued = messages.overdue_digest(session)
    if queued:
        log.info("late messages: %d digest emails queued", queued)
    return queued
