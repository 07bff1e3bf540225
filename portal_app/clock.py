"""The portal's one source of "now", always timezone-aware UTC.

Time rules (idle timeouts, notice expiry, reminders) read the time only through ``now()`` so that
tests can move it with ``time_machine`` and see the rule change.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
