"""Times as people read them: in the clinic's zone (or the reader's), in the reader's language.

Everything is stored in UTC (``portal_app.clock``); this module is the one place that turns a
stored moment into "Tuesday, 3 December, 9:30 AM" for a page, a notice or an .ics file, so that
every feature shows the same moment the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time

from portal_app import clock, i18n
from portal_app.config import settings


@lru_cache(maxsize=64)
def zone(name: str | None = None) -> ZoneInfo:
    """A time zone by IANA name; the clinic's (``PORTAL_CLINIC_TIMEZONE``) when none is given."""
    return ZoneInfo(name or settings.clinic_timezone)


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
    return local(clock.now(), zone_name).tzname() or (zone_name or settings.clinic_timezone)
