"""Open appointment times, computed from the clinic's set-up (times are never stored one by one).

For each clinician and each day of the clinic's calendar: the working-hour blocks (wall-clock
times in the clinic's zone, turned into UTC for that very date, so a daylight-saving change moves
them correctly), minus exceptions, minus the time active appointments hold (visit plus buffer).
A visit fits where its length plus its buffer fits in what is left, starting every ``STEP``
from the block's start, no sooner than ``MIN_NOTICE`` from now and no later than ``HORIZON``.

Speed: three queries for the whole range (hours, exceptions, bookings), then interval arithmetic
in integer seconds per clinician and day: a free stretch's starts are one ``range``, and each
start's datetime is made once for all clinicians. ``first_per_day`` stops each day at the first
opening it finds (not always the earliest), which is all a month calendar needs to mark the day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, String, cast, func
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import ACTIVE, Appointment
from portal_app.models.clinic_setup import ScheduleException, VisitType, WorkingHours

STEP = timedelta(minutes=15)
MIN_NOTICE = timedelta(hours=2)
HORIZON = timedelta(days=120)


@dataclass(frozen=True, order=True)
class Opening:
    starts_at: datetime  # UTC
    clinician_user_id: int
    location_id: int


def _ts(moment: datetime) -> int:
    return int(clock.as_utc(moment).timestamp())


def _epoch_reader(session: Session):
    """How to read stored times as whole seconds since 1970 with no datetime per row from the driver:
    (column -> SQL expression, value -> seconds). SQLite stores UTC text, which Python parses several
    times faster than SQLite's own strftime('%s'), once per distinct text (clinicians share the grid);
    PostgreSQL computes the number itself."""
    if session.get_bind().dialect.name == "sqlite":
        seconds: dict[str, int] = {}

        def parsed(text: str) -> int:
            found = seconds.get(text)
            if found is None:
                found = seconds[text] = int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())
            return found

        return (lambda column: cast(column, String)), parsed
    return (lambda column: cast(func.extract("epoch", column), BigInteger)), int


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of [start, end) intervals."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(free: list[tuple[int, int]], busy: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``free`` minus ``busy`` (merged, see ``_merge``); [start, end) intervals in seconds."""
    if not busy:
        return free
    result: list[tuple[int, int]] = []
    for start, end in free:
        cursor = start
        # merged intervals are disjoint, so only the one just before ``start`` can reach into it
        for b_start, b_end in busy[max(bisect_left(busy, (start,)) - 1, 0):]:
            if b_start >= end:
                break
            if b_end <= cursor:
                continue
            if b_start > cursor:
                result.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _busy_by_clinician(session: Session, low: datetime, high: datetime,
                       clinician_ids: list[int] | None, ignore_appointment: int | None) -> dict[int | None, list]:
    busy: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    epoch, seconds = _epoch_reader(session)
    booked = select(Appointment.clinician_user_id, epoch(Appointment.starts_at), epoch(Appointment.blocked_until),
                    Appointment.id) \
        .where(Appointment.status.in_(ACTIVE), Appointment.starts_at < high, Appointment.blocked_until > low)
    if clinician_ids is not None:
        booked = booked.where(Appointment.clinician_user_id.in_(clinician_ids))
    for clinician, starts, until, appointment_id in session.execute(booked).all():
        if appointment_id != ignore_appointment:
            busy[clinician].append((seconds(starts), seconds(until)))
    off = select(ScheduleException.clinician_user_id, ScheduleException.starts_at, ScheduleException.ends_at) \
        .where(ScheduleException.starts_at < high, ScheduleException.ends_at > low)
    for clinician, starts, ends in session.exec(off).all():
        busy[clinician].append((_ts(starts), _ts(ends)))
    return busy


def openings(session: Session, visit_type: VisitType, first_day: date, last_day: date, *,
             clinician_ids: list[int] | None = None, first_per_day: bool = False,
             ignore_appointment: int | None = None) -> dict[date, list[Opening]]:
    """Open times per clinic day from ``first_day`` to ``last_day`` (inclusive), sorted by time.

    ``ignore_appointment``: a visit being moved does not block its own time (moving it 15 minutes
    later may overlap where it is now).
    """
    zone = localtime.clinic_zone()
    now = clock.now()
    earliest = _ts(now + MIN_NOTICE)
    latest = _ts(now + HORIZON)
    length = (visit_type.duration_minutes + visit_type.buffer_minutes) * 60
    step = int(STEP.total_seconds())
    hours = session.execute(select(WorkingHours.clinician_user_id, WorkingHours.location_id, WorkingHours.weekday,
                                   WorkingHours.starts, WorkingHours.ends)
                            .order_by(WorkingHours.clinician_user_id, WorkingHours.starts)).all()
    if clinician_ids is not None:
        hours = [block for block in hours if block.clinician_user_id in clinician_ids]
    low = datetime.combine(first_day, datetime.min.time(), zone).astimezone(UTC)
    high = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    busy = _busy_by_clinician(session, low, high, clinician_ids, ignore_appointment)
    clinic_wide = busy.get(None, [])
    blocked = {clinician: _merge(busy.get(clinician, []) + clinic_wide)
               for clinician in {block.clinician_user_id for block in hours}}
    by_weekday: dict[int, list] = defaultdict(list)
    for block in hours:
        by_weekday[block.weekday].append(block)
    moments: dict[int, datetime] = {}  # one datetime per distinct start: clinicians share the clinic's grid
    found: dict[date, list[Opening]] = {}
    day = first_day
    while day <= last_day:
        day_openings: list[tuple[int, int, int]] = []
        edges: dict[object, int] = {}  # wall-clock time -> that day's epoch second (blocks share their edges)
        for block in by_weekday.get(day.weekday(), ()):
            start = edges.get(block.starts)
            if start is None:
                start = edges[block.starts] = _ts(datetime.combine(day, block.starts, zone))
            end = edges.get(block.ends)
            if end is None:
                end = edges[block.ends] = _ts(datetime.combine(day, block.ends, zone))
            if end <= earliest or start >= latest:
                continue
            clinician, location = block.clinician_user_id, block.location_id
            for free_start, free_end in _subtract([(start, end)], blocked[clinician]):
                # starts stay on the block's grid, so times look like 9:00, 9:15, ...
                first = start + -(-(max(free_start, earliest) - start) // step) * step
                last = min(free_end - length, latest)
                if first > last:
                    continue
                if first_per_day:
                    day_openings.append((first, clinician, location))
                    break
                day_openings.extend((t, clinician, location) for t in range(first, last + 1, step))
            if first_per_day and day_openings:
                break
        if day_openings:
            day_openings.sort()
            kept = []
            for t, clinician, location in day_openings[:1 if first_per_day else None]:
                moment = moments.get(t)
                if moment is None:
                    moment = moments[t] = datetime.fromtimestamp(t, UTC)
                kept.append(Opening(moment, clinician, location))
            found[day] = kept
        day += timedelta(days=1)
    return found
