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
