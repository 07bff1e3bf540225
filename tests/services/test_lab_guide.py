"""The plain-words lab guide: at least 60 common tests and every lab test in our FHIR fixtures, in
English and real Spanish; a test not in it is said to be not in it (None), never guessed."""

from __future__ import annotations

import json

from portal_app.services import lab_guide
from tests.services.fhir_fixtures import SYNTHEA, US_CORE

COMMON = {"718-7", "6690-2", "777-3", "2339-0", "2947-0", "6298-4", "38483-4", "33914-3", "1742-6", "1920-8",
          "2093-3", "2085-9", "18262-6", "2571-8", "4548-4", "3016-3", "3024-7", "5811-5", "5804-0", "1989-3",
          "2132-9", "2857-1", "6301-6"}


def _lab_codes_in_fixtures() -> set[str]:
    resources = [json.loads(p.read_text()) for p in US_CORE]
    for path in SYNTHEA:
        resources += [e["resource"] for e in json.loads(path.read_text())["entry"]]
    found = set()
    for r in resources:
        categories = {c.get("code") for cat in r.get("category", []) if isinstance(cat, dict) for c in cat.get("coding", [])}
        if r["resourceType"] == "Observation" and categories & {"laboratory", "imaging"}:
            found.add(next(c["code"] for c in r["code"]["coding"] if c.get("system") == "http://loinc.org"))
    return found


def test_the_guide_has_at_least_60_tests_the_common_ones_and_every_one_in_the_fixtures():
    catalogue = json.loads(lab_guide.CATALOGUE.read_text())
    assert len(catalogue["tests"]) >= 60
    assert COMMON <= lab_guide.known_codes()
    assert _lab_codes_in_fixtures() <= lab_guide.known_codes()
    assert set(catalogue["same_as"].values()) <= set(catalogue["tests"])


def test_every_entry_is_written_in_english_and_spanish():
    for code, entry in json.loads(lab_guide.CATALOGUE.read_text())["tests"].items():
        for field in ("name", "measures", "high", "low"):
            assert entry["en"][field].strip() and entry["es"][field].strip(), (code, field)
        assert entry["en"]["measures"] != entry["es"]["measures"], code


def test_explain_follows_aliases_and_the_language_and_says_none_when_unknown():
    assert lab_guide.explain("2345-7", "en").name == "Glucose (blood sugar)"
    assert lab_guide.explain("2345-7", "es").name == "Glucosa (azúcar en la sangre)"
    assert lab_guide.explain("6082-2", "en").name.startswith("Allergy blood test")
    assert lab_guide.explain("99999-9", "en") is None
    assert lab_guide.explain(None, "en") is None
