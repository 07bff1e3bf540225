"""``GET /record/fhir`` and ``GET /record/pdf``: the signed-in person's download of a record.

``?patient=ID`` names the record the person is viewing (and, for the PDF, ``since``/``until`` the
dates shown and ``lang`` the reader's language). The services check that this person may read that
chart, leave out what they may not see yet, and audit the download; anyone else gets the same 404
as for a chart that does not exist.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal_app import db, i18n
from portal_app.api.files import signed_in
from portal_app.services import fhir_export, record_pdf
from portal_app.services.errors import ServiceError


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


async def _download(request: Request, build: Callable, media_type: str, filename: str) -> Response:
    info = await signed_in(request)
    if info is None:
        return JSONResponse({"ok": False}, status_code=401)
    wanted = request.query_params.get("patient", "")
    if not wanted.isdecimal() or len(wanted) > 12:
        return JSONResponse({"ok": False}, status_code=404)

    def work() -> bytes:
        with db.transaction() as session:
            return build(session, info.actor, int(wanted))

    try:
        body = await asyncio.to_thread(work)
    except ServiceError:
        return JSONResponse({"ok": False}, status_code=404)
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})


async def fhir_download(request: Request) -> Response:
    def build(session, actor, patient_id: int) -> bytes:
        return json.dumps(fhir_export.record_bundle(session, actor, patient_id), ensure_ascii=False).encode()

    return await _download(request, build, "application/fhir+json", "health-record.fhir.json")


async def pdf_download(request: Request) -> Response:
    since, until = (_day(request.query_params.get(name, "")) for name in ("since", "until"))
    lang = i18n.normalise(request.query_params.get("lang", ""))

    def build(session, actor, patient_id: int) -> bytes:
        return record_pdf.record_pdf(session, actor, patient_id, since, until, lang)

    return await _download(request, build, "application/pdf", "health-record.pdf")
