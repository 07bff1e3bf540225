"""``GET /calendar/{id}.ics?patient=<chart>``: an appointment as an "add to calendar" file.

Needs a live session cookie; the service decides whether this person may see this patient's visit
(another patient's is "not found", audited) and audits the download.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from portal_app import db, i18n
from portal_app.api.files import signed_in
from portal_app.services import appointment_calendar
from portal_app.services.errors import NotFound, ServiceError
from portal_app.services.sessions import SessionInfo


def _make(info: SessionInfo, patient_id: int, appointment_id: int) -> bytes:
    with db.transaction() as session:
        return appointment_calendar.ics(session, info.actor, patient_id, appointment_id, i18n.normalise(info.language))


async def calendar_file(request: Request) -> Response:
    info = await signed_in(request)
    if info is None:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    patient = request.query_params.get("patient", "")
    if not (patient.isdigit() and len(patient) <= 9):
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    try:
        data = await asyncio.to_thread(_make, info, int(patient), request.path_params["appointment_id"])
    except NotFound:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    except ServiceError:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    return Response(data, media_type="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{request.path_params["appointment_id"]}.ics"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
