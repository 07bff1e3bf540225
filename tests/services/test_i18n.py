"""Every string the portal shows exists in English and Spanish, with the same placeholders."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from portal_app import i18n
from portal_app.models.people import Role

APP = Path(i18n.__file__).resolve().parent
LOCALES = APP / "locales"

# tr("key"), self._t("key"), language._t("key"), i18n.t("key"), and the service errors' keys.
KEY_CALL = re.compile(
    r"""(?:(?:\btr|\b_t|\bi18n\.t|\b(?:ServiceError|InvalidInput|PermissionDenied|NotFound))\(\s*|\berror=)(["'])([^"'.]+\.[^"']+)\1"""
)  # calls that take a key, and results that carry one (``Step(error="signin.error.wrong")``)
DEFAULT_ERROR_KEYS = {"error.not_allowed", "error.not_found"}


def _raw(language: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def keys_used_in_code() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        for match in KEY_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), []).append(str(path.relative_to(APP.parent)))
    return used


def test_spanish_has_every_english_key_and_no_other():
    english, spanish = _raw("en"), _raw("es")
    assert sorted(set(english) - set(spanish)) == [], "missing in es.json"
    assert sorted(set(spanish) - set(english)) == [], "in es.json but not in en.json (typo or stale key?)"


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_every_string_is_non_empty_text(language):
    empty = [key for key, text in _raw(language).items() if not isinstance(text, str) or not text.strip()]
    assert empty == []


def test_placeholders_match_between_languages():
    english, spanish = _raw("en"), _raw("es")
    mismatched = {
        key: (sorted(_placeholders(english[key])), sorted(_placeholders(spanish[key])))
        for key in english.keys() & spanish.keys()
        if _placeholders(english[key]) != _placeholders(spanish[key])
    }
    assert mismatched == {}


def test_spanish_is_actually_translated():
    english, spanish = _raw("en"), _raw("es")
    # Short words may legitimately be the same ("Error"); most of the catalogue must differ.
    same = [key for key in english if english[key] == spanish.get(key)]
    assert len(same) <= len(english) // 10, same


def test_the_key_scanner_finds_the_known_uses():
    """Guards the regex itself: if it stopped matching, the next test would pass vacuously."""
    used = keys_used_in_code()
    assert "signin.error.wrong" in used  # InvalidInput("...") in services and _t("...") in state
    assert "notice.error.too_long" in used
    assert "nav.home" in used  # tr("...") in pages
    assert len(used) >= 30


def test_every_translation_key_used_in_the_code_exists():
    english = _raw("en")
    missing = {key: files for key, files in keys_used_in_code().items() if key not in english}
    assert missing == {}


def test_default_error_keys_and_role_names_exist_in_every_language():
    needed = DEFAULT_ERROR_KEYS | {f"role.{role.value}" for role in Role}  # roles are looked up as "role." + role
    for language in i18n.LANGUAGES:
        assert sorted(needed - set(_raw(language))) == [], language


def test_t_fills_placeholders_and_falls_back_to_english():
    assert i18n.t("notice.error.too_long", "en", limit=500) == "A notice can be at most 500 characters."
    assert "500" in i18n.t("notice.error.too_long", "es", limit=500)
    assert i18n.t("nav.home", "fr") == i18n.t("nav.home", "en")
    with pytest.raises(KeyError):
        i18n.t("no.such.key")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-MX,es;q=0.9", "es"),
        ("es-MX", "es"),
        ("es", "es"),
        ("fr-FR", "en"),
        ("fr-FR,es;q=0.5", "es"),
        ("en-US", "en"),
        ("en-US,es;q=0.8", "en"),
        ("", "en"),
        (None, "en"),
        ("*", "en"),
        ("not a language!!", "en"),
    ],
)
def test_pick_language_from_accept_language(header, language):
    assert i18n.pick_language(header) == language


def test_normalise_accepts_only_our_languages():
    assert i18n.normalise("es") == "es"
    assert i18n.normalise("fr") == "en"
    assert i18n.normalise(None) == "en"
