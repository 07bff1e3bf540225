"""The translation layer: every user-facing string is looked up here by key.

Catalogues live in ``locales/<lang>.json``. English is complete by definition; a test checks that
Spanish has every key English has, and that every key the code uses exists. Text with ``{name}``
placeholders is filled with ``str.format``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
_LOCALES = Path(__file__).resolve().parent / "locales"


@lru_cache(maxsize=len(LANGUAGES))
def catalog(language: str) -> dict[str, str]:
    """All strings of one language; unknown languages fall back to English."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    strings = json.loads((_LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    if language != DEFAULT_LANGUAGE:
        strings = {**catalog(DEFAULT_LANGUAGE), **strings}
    return strings


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    text = catalog(language).get(key)
    if text is None:
        raise KeyError(f"no translation key {key!r}")
    return text.format(**params) if params else text


def pick_language(accept_language: str | None) -> str:
    """The best of our languages for a browser's Accept-Language header."""
    wanted: list[str] = []
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag and tag != "*":
            wanted.append(tag)
    try:
        best = negotiate_locale(wanted, list(LANGUAGES), sep="_") if wanted else None
    except ValueError:
        best = None
    if best is None:
        # negotiate_locale matches "es_MX" only against "es_MX"; fall back to the base language.
        for tag in wanted:
            try:
                base = Locale.parse(tag).language
            except (ValueError, TypeError):
                continue
            if base in LANGUAGES:
                return base
        return DEFAULT_LANGUAGE
    return best.split("_")[0]


def normalise(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
