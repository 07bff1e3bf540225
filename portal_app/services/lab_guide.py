"""The plain-language guide to lab tests (``locales/lab_catalogue.json``), keyed by LOINC code.

What a test measures and what a high or low value can mean, in the reader's language. A test not
in the guide gets None, and the page says so plainly rather than guessing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locales" / "lab_catalogue.json"


@dataclass(frozen=True)
class LabExplanation:
    name: str  # the test's everyday name
    measures: str
    high: str  # what a high value can mean
    low: str


@cache
def _catalogue() -> dict:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def explain(loinc: str | None, language: str) -> LabExplanation | None:
    if not loinc:
        return None
    catalogue = _catalogue()
    entry = catalogue["tests"].get(catalogue["same_as"].get(loinc, loinc))
    if entry is None:
        return None
    words = entry.get(language) or entry["en"]
    return LabExplanation(words["name"], words["measures"], words["high"], words["low"])


def known_codes() -> set[str]:
    catalogue = _catalogue()
    return set(catalogue["tests"]) | set(catalogue["same_as"])


@dataclass(frozen=True)
class LabTest:
    loinc: str
    name: str  # the everyday name, in the reader's language
    unit: str  # the unit the clinic reports it in (UCUM); "" for a test without one (INR)


def tests_with_units(language: str) -> list[LabTest]:
    """The tests a result can be typed in for by hand: those of the guide that have a unit, by name."""
    found = [LabTest(code, (entry.get(language) or entry["en"])["name"], entry["unit"])
             for code, entry in _catalogue()["tests"].items() if "unit" in entry]
    return sorted(found, key=lambda test: test.name.casefold())


def lab_test(loinc: object) -> LabTest | None:
    """One test a result can be entered for (names in English, as the record keeps them), else None."""
    entry = _catalogue()["tests"].get(loinc) if isinstance(loinc, str) else None
    if entry is None or "unit" not in entry:
        return None
    return LabTest(loinc, entry["en"]["name"], entry["unit"])
