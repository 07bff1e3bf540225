"""Times as people read them: in the clinic's zone (or the reader's), in the reader's language.

Everything is stored in UTC (``portal_app.clock``); this module is the one place that turns a
stored moment into "Tuesday, 3 December, 9:30 AM" for a page, a notice or an .ics file, so that
every feature shows the same moment the same way.

It is also the one place that answers "what is the clinic's zone": the one the admin chose on
/console/setup (``clinic_settings``), else PORTAL_CLINIC_TIMEZONE. Several web workers and the
scheduler each keep the answer for ``ZONE_SECONDS`` (open times ask for it many times a page), so
a change reaches every process within seconds, and at once in the process that made it. It is
read from the database the running code works on (``db.working_on``: a job or a test given its own),
on a connection of its own (``db.get_reader_engine``).
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from sqlalchemy import event
from sqlmodel import Session, select

from portal_app import clock, db, i18n
from portal_app.config import settings
from portal_app.models.clinic_setup import SETTINGS_ROW, ClinicSettings

ZONE_SECONDS = 5.0  # how long a process keeps the clinic's zone before asking the database again

_kept: tuple[str | None, str, float] | None = None  # (database, zone name, time.monotonic() when read)
_reading = threading.Lock()  # one thread of a process reads it at a time, the others wait for its answer


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """The IANA zone names the admin may pick the clinic's from: all this machine knows, but
    "localtime" (whatever zone the server happens to be set to) and "Factory" (no place at all)."""
    return frozenset(available_timezones()) - {"localtime", "Factory"}


def _stored_zone(session: Session) -> str:
    return session.exec(select(ClinicSettings.time_zone).where(ClinicSettings.id == SETTINGS_ROW)).first() or ""


def clinic_zone_name(session: Session | None = None) -> str:
    """The clinic's zone: the admin's choice, else PORTAL_CLINIC_TIMEZONE. Without a session it
    may be ``ZONE_SECONDS`` old; with one it is read now, as that transaction sees it (a change)."""
    if session is not None:
        return _stored_zone(session) or settings.clinic_timezone
    global _kept
    database, kept = db.database_in_use(), _kept
    if not _fresh(kept, database):
        with _reading:
            kept = _kept
            if not _fresh(kept, database):  # (else the thread this one waited for has just read it)
                with Session(db.get_reader_engine(database)) as own:
                    kept = _kept = (database, _stored_zone(own) or settings.clinic_timezone, time.monotonic())
    return kept[1]


def _fresh(kept: tuple[str | None, str, float] | None, database: str | None) -> bool:
    return kept is not None and kept[0] == database and time.monotonic() - kept[2] < ZONE_SECONDS


def forget_clinic_zone() -> None:
    """Ask the database again on the next call (after a change; tests)."""
    global _kept
    _kept = None


def forget_clinic_zone_on_commit(session: Session) -> None:
    """The zone changes in ``session``'s transaction: this process sees the new one once it commits."""
    event.listen(session, "after_commit", lambda _session: forget_clinic_zone(), once=True)


@lru_cache(maxsize=64)
def _named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(name: str | None = None) -> ZoneInfo:
    """A time zone by IANA name; the clinic's when none is given."""
    return _named(name or clinic_zone_name())


def clinic_zone() -> ZoneInfo:
    return zone()


def local(moment: datetime, zone_name: str | None = None) -> datetime:
    """A stored (UTC) moment as wall-clock time in a zone (the clinic's by default)."""
    return clock.as_utc(moment).astimezone(zone(zone_name))


def today(zone_name: str | None = None) -> date:
    """Today's date where the clinic is (a UTC date is "tomorrow" every evening in the Americas)."""
    return local(clock.now(), zone_name).date()


def _locale(language: str) -> str:
    return i18n.normalise(language)


def format_day(day: date, language: str, style: str = "full") -> str:
    """"Tuesday, December 3, 2026" (full), "Dec 3, 2026" (medium) in the reader's language."""
    return _babel_date(day, format=style, locale=_locale(language))


def format_month(day: date, language: str) -> str:
    """"May 2026" / "mayo de 2026": a heading over a month of the record's timeline."""
    return _babel_date(day, format="LLLL y", locale=_locale(language))


def format_clock(moment: datetime, language: str, zone_name: str | None = None) -> str:
    """"9:30 AM" / "9:30" in the reader's language, at the zone's wall-clock time."""
    return _babel_time(local(moment, zone_name), format="short", locale=_locale(language))


def format_moment(moment: datetime, language: str, zone_name: str | None = None, style: str = "medium") -> str:
    """Date and time together: "Dec 3, 2026, 9:30 AM" (medium) or the long form (full)."""
    when = local(moment, zone_name)
    return f"{format_day(when.date(), language, style)}, {format_clock(moment, language, zone_name)}"


def zone_label(zone_name: str | None = None) -> str:
    """The zone's short name at this moment ("CST"), for "times shown in ..." notes."""
    return local(clock.now(), zone_name).tzname() or (zone_name or clinic_zone_name())
