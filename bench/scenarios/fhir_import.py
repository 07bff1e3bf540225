"""The EHR import and the record export, timed on their own database (no browser needed).

Why: a clinic imports whole-patient bundles, and the issue sets targets: a 400-resource bundle in
under 2 s, a 3,000-resource one in under 10 s, and the export of a patient with 5,000 observations
in under 3 s. The bundles are a Synthea fixture extended with copies of its observations (new ids,
dates moved back a week per copy), so they have the real shape. Each import goes into a fresh,
migrated SQLite database in one transaction, as `portal import-fhir` does; the re-import (nothing
changes) is timed too. Figures are wall-clock seconds on this machine.
"""

from __future__ import annotations

import copy
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bench.stats import summary
from portal_app import migrations
from portal_app.db import get_engine
from portal_app.models.people import Role
from portal_app.services import fhir_export, fhir_import
from portal_app.services.access import Actor

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "fhir" / "synthea" / \
    "Marcos_Delagarza_4acb6705-25a7-430a-b799-a4ad8d7fbb38.json"
SIZES = (400, 3000)
EXPORT_OBSERVATIONS = 5000
RUNS = 3
OPERATOR = Actor.system("bench")


def bundle_of(size: int) -> bytes:
    """The fixture grown to ``size`` entries with shifted copies of its observations."""
    bundle = json.loads(FIXTURE.read_text())
    observations = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    copy_number = 0
    while len(bundle["entry"]) < size:
        copy_number += 1
        for entry in observations:
            if len(bundle["entry"]) >= size:
                break
            extra = copy.deepcopy(entry)
            resource = extra["resource"]
            resource["id"] = f"{resource['id']}-copy{copy_number}"
            extra["fullUrl"] = f"urn:uuid:{resource['id']}"
            for key in ("effectiveDateTime", "issued"):
                if key in resource:
                    moved = datetime.fromisoformat(resource[key]) - timedelta(days=7 * copy_number)
                    resource[key] = moved.isoformat()
            bundle["entry"].append(extra)
    return json.dumps(bundle).encode()


def _fresh_engine(folder: Path, name: str):
    url = f"sqlite:///{folder / name}.db"
    migrations.upgrade(url)
    return get_engine(url)


def _timed_import(engine, data: bytes) -> tuple[float, fhir_import.ImportReport]:
    with Session(engine) as session:
        started = time.perf_counter()
        report = fhir_import.import_fhir(session, OPERATOR, data, "bench")
        session.commit()
        elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(report.error)
    return elapsed, report


def run(_portal, _browser) -> dict:
    figures: dict = {}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for size in SIZES:
            data = bundle_of(size)
            first, again = [], []
            for attempt in range(RUNS):
                engine = _fresh_engine(folder, f"import-{size}-{attempt}")
                seconds, _report = _timed_import(engine, data)
                first.append(seconds)
                seconds, report = _timed_import(engine, data)
                assert not report.imported and not report.updated
                again.append(seconds)
                engine.dispose()
            figures[f"import_{size}"] = {"resources": size, "seconds": summary(first, 3),
                                         "reimport_seconds": summary(again, 3)}
        engine = _fresh_engine(folder, "export")
        _seconds, report = _timed_import(engine, bundle_of(EXPORT_OBSERVATIONS + 200))
        patient_id = report.patients[0]
        exports = []
        for _attempt in range(RUNS):
            with Session(engine) as session:
                started = time.perf_counter()
                bundle = fhir_export.record_bundle(session, Actor(role=Role.CLINICIAN), patient_id)
                session.commit()
                exports.append(time.perf_counter() - started)
        figures["export"] = {"resources": len(bundle["entry"]), "seconds": summary(exports, 3)}
        engine.dispose()
    return figures


def summarize(result: dict) -> str:
    lines = []
    for size in SIZES:
        item = result[f"import_{size}"]
        lines.append(f"import {size} resources: p50 {item['seconds']['p50']} s "
                     f"(target < {2 if size == 400 else 10} s); again (no change) {item['reimport_seconds']['p50']} s")
    lines.append(f"export {result['export']['resources']} resources: p50 {result['export']['seconds']['p50']} s "
                 f"(target < 3 s)")
    return "\n".join(lines)
