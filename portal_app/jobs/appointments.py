"""Scheduled appointment work: reminders at the lead times each chart chose, and wait-list offers.

Safe to run again, after a crash or in two scheduler processes at once: the outbox's dedupe key
("appointment:42:reminder:24h") lets each reminder be queued once (services/appointment_reminders.py);
wait-list runs hold a lock and each (request, time) is offered once (services/waitlist.py).
"""

from __future__ import annotations

import logging

from portal_app import db
from portal_app.services import appointment_reminders, waitlist

log = logging.getLogger("portal.jobs")


def queue_reminders(database_url: str | None = None) -> int:
    with db.transaction(database_url) as session:
        queued = appointment_reminders.queue_due(session)
    if queued:
        log.info("appointment reminders: %d notices queued", queued)
    return queued


def offer_earlier_times(database_url: str | None = None) -> int:
    with db.transaction(database_url) as session:
        offered = waitlist.offer_open_times(session)
    if offered:
        log.info("wait list: %d earlier times offered", offered)
    return offered
