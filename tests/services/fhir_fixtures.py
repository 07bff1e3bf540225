"""The FHIR test files (tests/fixtures/fhir) and bundles built from them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

FHIR = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
SYNTHEA = sorted((FHIR / "synthea").glob("*.json"))
US_CORE = sorted((FHIR / "us-core").glob("*.json"))


def us_core_resources() -> list[dict]:
    return [json.loads(path.read_text()) for path in US_CORE]


def collection(resources: list[dict]) -> bytes:
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"fullUrl": f"https://ehr.example/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                                 for r in resources]}).encode()


def ndjson(resources: list[dict]) -> bytes:
    return "\n".join(json.dumps(r) for r in resources).encode()


def counts(data: bytes) -> Counter:
    """Resources per type in a bundle file."""
    bundle = json.loads(data)
    return Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])
