"""Shared by the medication states: the reader's language, dates and times as they read them,
and the refusal of a service turned into a sentence. Plain functions, so no state gains a public
method (every public method of a state is callable by any client)."""

from __future__ import annotations

from datetime import date, datetime

import phonenumbers
import reflex as rx

from portal_app import localtime
from portal_app.services.errors import ServiceError
from portal_app.state.language import LanguageState


async def language(state: rx.State) -> str:
    return (await state.get_state(LanguageState)).language


async def text(state: rx.State, key: str, **params: object) -> str:
    return (await state.get_state(LanguageState))._t(key, **params)


async def refusal(state: rx.State, error: ServiceError) -> str:
    return await text(state, error.key, **error.params)


def day(value: date | None, lang: str) -> str:
    return localtime.format_day(value, lang, "medium") if value else ""


def moment(value: datetime | None, lang: str) -> str:
    return localtime.format_moment(value, lang) if value else ""


def clock_time(value: datetime, lang: str, zone: str | None = None) -> str:
    return localtime.format_clock(value, lang, zone)


def digits(value: object, longest: int = 12) -> int | None:
    """An id the page sent back, as text of digits; None for anything else."""
    if isinstance(value, str) and value.isdecimal() and len(value) <= longest:  # not isdigit: "²" is a digit int() refuses
        return int(value)
    return None


def phone(e164: str) -> str:
    """A stored +1 number as people write it: (312) 555-0110."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164
