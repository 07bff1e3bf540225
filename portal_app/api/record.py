"""``GET /record/fhir?patient=ID``: the signed-in person's download of a record as a FHIR R4 bundle.

The chart id comes from the page (the record the person is viewing); ``services/fhir_export.py``
checks that this person may read that chart, leaves out what they may not see yet, and audits the
download. Anyone else gets the same 404 as for a chart that does not exist.
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal_app import db
from portal_app.api.files import signed_in
from portal_app.services import fhir_export
from portal_app.services.errors import ServiceError


def _bundle(actor, patient_id: int) -> dict:
    with db.transaction() as session:
        return fhir_export.record_bundle(session, actor, patient_id)


async def fhir_download(request: Request) -> Response:
    info = await signed_in(request)
    wanted = request.query_params.get("patient", "")
    if info is None:
        return JSONResponse({"ok": False}, status_code=401)
    if not wanted.isdigit() or len(wanted) > 12:
        return JSONResponse({"ok": False}, status_code=404)
    try:
        bundle = await asyncio.to_thread(_bundle, info.actor, int(wanted))
    except ServiceError:
        return JSONResponse({"ok": False}, status_code=404)
    return Response(json.dumps(bundle, ensure_ascii=False), media_type="application/fhir+json",
                    headers={"Content-Disposition": "attachment; filename=health-record.fhir.json",
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
