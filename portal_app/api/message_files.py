"""``GET /files/message/<token>``: a message's photo or PDF, for the thread's people only.

The session comes from the cookie; ``services/messages.attachment`` decides (and audits) whether
this person may have the file. Anyone else gets 404, the same answer as for no such file. Photos
may be shown in the page (``?inline=1``); PDFs always download.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal_app import db
from portal_app.api.files import file_response, signed_in
from portal_app.services import files, messages
from portal_app.services.errors import ServiceError
from portal_app.services.sessions import SessionInfo


def _fetch(info: SessionInfo | None, token: str):
    with db.transaction() as session:
        return messages.attachment(session, info.actor if info else None, token)


async def download(request: Request) -> Response:
    info = await signed_in(request)
    try:
        row = await asyncio.to_thread(_fetch, info, request.path_params["token"])
    except ServiceError:
        return PlainTextResponse("Not found", status_code=404)
    inline = request.query_params.get("inline") == "1" and row.kind in files.IMAGE_KINDS
    return file_response(row, inline=inline)
