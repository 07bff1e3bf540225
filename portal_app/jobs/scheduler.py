"""The one scheduler: inside the web process on a laptop, or its own process when scaled out.

Several web workers would each start an embedded scheduler, so configuration refuses that
combination (``PORTAL_SCHEDULER=external`` with Redis) and ``portal scheduler`` runs it instead.
Jobs themselves are idempotent, so a restart or an overlap never doubles their effect.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.schedulers.base import BaseScheduler

from portal_app.jobs import housekeeping, messages, outbox_sender, refills
from portal_app.jobs import appointments as appointment_jobs

log = logging.getLogger("portal.jobs")


def add_jobs(scheduler: BaseScheduler) -> None:
    scheduler.add_job(housekeeping.prune_live_signals, "interval", minutes=10, id="prune_live_signals",
                      replace_existing=True, coalesce=True, max_instances=1)
    # Notices go out within ~10 s; a run that is still sending makes the next one skip (max_instances).
    scheduler.add_job(outbox_sender.run, "interval", seconds=10, id="outbox_sender",
                      replace_existing=True, coalesce=True, max_instances=1)
    scheduler.add_job(outbox_sender.prune, "interval", hours=24, id="prune_outbox",
                      replace_existing=True, coalesce=True, max_instances=1)
    scheduler.add_job(housekeeping.prune_unclaimed_uploads, "interval", hours=1, id="prune_unclaimed_uploads",
                      replace_existing=True, coalesce=True, max_instances=1)
    # Refills: automatic requests (hourly is plenty: supplies run out in days) and reminders (each minute).
    scheduler.add_job(refills.run_auto_refills, "interval", hours=1, id="auto_refills",
                      replace_existing=True, coalesce=True, max_instances=1)
    scheduler.add_job(refills.queue_reminders, "interval", minutes=1, id="medication_reminders",
                      replace_existing=True, coalesce=True, max_instances=1)
    # Messages: staff's daily email about late threads (hourly runs; one email per person and day).
    scheduler.add_job(messages.overdue_digest, "interval", hours=1, id="messages_overdue_digest",
                      replace_existing=True, coalesce=True, max_instances=1)
    # Appointment reminders at each chart's lead times (queued a minute or two ahead, sent on time).
    scheduler.add_job(appointment_jobs.queue_reminders, "interval", minutes=1, id="appointment_reminders",
                      replace_existing=True, coalesce=True, max_instances=1)
    # Wait list: a time freed by a cancel, a move or new hours is offered within a minute.
    scheduler.add_job(appointment_jobs.offer_earlier_times, "interval", minutes=1, id="waitlist_offers",
                      replace_existing=True, coalesce=True, max_instances=1)


async def run_embedded() -> None:
    """Lifespan task for the single-process portal."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    add_jobs(scheduler)
    scheduler.start()
    log.info("embedded scheduler started")
    try:
        await asyncio.Event().wait()  # until the app shuts down (task cancelled)
    finally:
        scheduler.shutdown(wait=False)


def run_forever() -> None:
    """``portal scheduler``: the dedicated scheduler process."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler)
    log.info("scheduler process started")
    scheduler.start()
