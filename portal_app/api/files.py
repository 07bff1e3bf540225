"""``POST /files/upload``: a signed-in person's upload, checked and kept by ``services/files.py``.

The browser sends the file itself as the request body (``assets/portal-upload.js``), so nothing is
spooled to disk by a form parser and the size limit is enforced while reading: a body over the
purpose's limit is cut off at the limit, not read to the end. Only a request from one of the
portal's own origins, carrying a live session cookie, is accepted.

Also the two helpers every feature's download route uses (``signed_in``, ``file_response``), so
each feature route only asks its own service whether this person may have this file.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal_app import db, i18n
from portal_app.config import settings
from portal_app.models.stored_file import StoredFile
from portal_app.services import files, sessions
from portal_app.services.errors import ServiceError
from portal_app.services.sessions import SessionInfo


def _refusal(key: str, language: str, status: int, **params: object) -> JSONResponse:
    return JSONResponse({"ok": False, "error": i18n.t(key, language, **params)}, status_code=status)


def _resolve(token: str | None) -> SessionInfo | None:
    with db.transaction() as session:
        return sessions.resolve(session, token)


async def signed_in(request: Request) -> SessionInfo | None:
    """The session behind the request's cookie (idle and absolute limits enforced), or None."""
    return await asyncio.to_thread(_resolve, request.cookies.get(settings.session_cookie_name))


def file_response(row: StoredFile, inline: bool = False) -> Response:
    """The bytes of a file its feature has allowed; never cached, never sniffed into something else."""
    disposition = "inline" if inline else "attachment"
    return Response(
        row.data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            # A file opened on its own may run nothing and load nothing (a PDF's scripts included).
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        },
    )


async def _read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _store(info: SessionInfo, purpose: str, name: str, data: bytes) -> files.UploadView:
    with db.transaction() as session:
        return files.store_upload(session, info.actor, purpose, name, data)


async def upload(request: Request) -> Response:
    language = i18n.pick_language(request.headers.get("accept-language"))
    if request.headers.get("origin") not in settings.origins:
        return _refusal("files.error.origin", language, 403)
    info = await signed_in(request)
    if info is None:
        return _refusal("files.error.signed_out", language, 401)
    language = i18n.normalise(info.language)
    purpose = request.query_params.get("purpose", "")
    policy = files.policy_for(purpose)
    if policy is None:
        return _refusal("files.error.purpose", language, 400)
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > policy.max_bytes:
        return _refusal("files.error.too_big", language, 413, mb=policy.max_bytes // files.MB)
    data = await _read_at_most(request, policy.max_bytes)
    if data is None:
        return _refusal("files.error.too_big", language, 413, mb=policy.max_bytes // files.MB)
    try:
        view = await asyncio.to_thread(_store, info, purpose, request.query_params.get("name", ""), data)
    except ServiceError as refused:
        status = 403 if refused.key == "error.not_allowed" else 400
        return _refusal(refused.key, language, status, **refused.params)
    return JSONResponse({"ok": True, "token": view.token, "name": view.name, "size": view.size, "kind": view.kind})
