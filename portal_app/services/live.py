"""Announcing "topic T changed" so that open pages refresh (see models/live.py for why a table).

Topics are plain strings: ``notices`` for clinic notices, ``patient:<id>:<area>`` for one patient's
data. The web side (``state/live_hub.py``) polls a ``SignalCursor`` and refreshes the pages that
subscribed to a topic; services only ever call ``announce``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.live import LiveSignal

NOTICES = "notices"
KEEP_SIGNALS = timedelta(hours=1)


def patient_topic(patient_id: int, area: str) -> str:
    return f"patient:{patient_id}:{area}"


def announce(session: Session, topic: str) -> None:
    """Record the change signal inside the caller's transaction (visible only once it commits)."""
    session.add(LiveSignal(topic=topic))


class SignalCursor:
    """Reads each signal once, even when PostgreSQL commits ids out of order.

    Two transactions can take ids 7 and 8 and commit 8 first; a reader that only asked for
    ``id > 8`` afterwards would miss 7. So each read looks back ``LOOKBACK`` ids and skips the ones
    it has already seen.
    """

    LOOKBACK = 500

    def __init__(self, session: Session):
        """Start from now: what was announced before the reader existed is not news to it."""
        self.high = 0
        self._seen: set[int] = set()
        self.read(session)

    def read(self, session: Session) -> set[str]:
        low = max(self.high - self.LOOKBACK, 0)
        rows = session.exec(
            select(LiveSignal.id, LiveSignal.topic).where(LiveSignal.id > low).order_by(LiveSignal.id)
        ).all()
        topics = {topic for signal_id, topic in rows if signal_id not in self._seen}
        self._seen = {signal_id for signal_id, _ in rows}
        if rows:
            self.high = max(self.high, rows[-1][0])
        return topics


def prune_signals(session: Session) -> int:
    """Drop signals every worker has long since read."""
    result = session.exec(delete(LiveSignal).where(LiveSignal.created_at < clock.now() - KEEP_SIGNALS))
    return result.rowcount or 0
