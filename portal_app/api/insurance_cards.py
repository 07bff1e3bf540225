"""``GET /files/insurance-card?t=TOKEN``: a photo of an insurance card, for those who may see it.

The token names the file; services/profile.insurance_card decides (and audits) whether the person
behind the session may see that patient's insurance: the patient, a proxy with "billing", front
desk and admins. Anyone else gets the same 404 as for a file that does not exist.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from portal_app import db
from portal_app.api.files import file_response, signed_in
from portal_app.services import profile
from portal_app.services.errors import ServiceError


def _card(actor, token: str):
    with db.transaction() as session:
        row = profile.insurance_card(session, actor, token)
        session.expunge(row)
        return row


async def insurance_card(request: Request) -> Response:
    info = await signed_in(request)
    if info is None:
        return Response(status_code=404)
    try:
        row = await asyncio.to_thread(_card, info.actor, request.query_params.get("t", ""))
    except ServiceError:
        return Response(status_code=404)
    return file_response(row, inline=True)
