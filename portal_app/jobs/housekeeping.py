"""Routine clean-up that keeps tables small."""

from __future__ import annotations

import logging

from portal_app import db
from portal_app.services import files, live

log = logging.getLogger("portal.jobs")


def prune_live_signals() -> None:
    with db.transaction() as session:
        removed = live.prune_signals(session)
    if removed:
        log.info("pruned %d old live signals", removed)


def prune_unclaimed_uploads() -> None:
    with db.transaction() as session:
        removed = files.prune_unclaimed(session)
    if removed:
        log.info("deleted %d uploads nobody claimed", removed)
