"""``POST /push/subscribe`` and ``POST /push/unsubscribe``: this device's web push, on or off.

Called by ``assets/portal-push.js`` with the browser's subscription as JSON. Only from the
portal's own origins, with a live session cookie; the rules are in services/push_devices.py.
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal_app import db, i18n
from portal_app.api.files import signed_in
from portal_app.config import settings
from portal_app.services import push_devices
from portal_app.services.errors import ServiceError

MAX_BODY = 4096


def _answer(key: str | None, language: str, status: int = 200, **extra) -> JSONResponse:
    if key is None:
        return JSONResponse({"ok": True, **extra}, status_code=status)
    return JSONResponse({"ok": False, "error": i18n.t(key, language)}, status_code=status)


async def _body(request: Request) -> dict | None:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return None
    try:
        found = json.loads(raw or b"{}")
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _run(fn, *args):
    with db.transaction() as session:
        return fn(session, *args)


async def _handle(request: Request, subscribe: bool) -> Response:
    language = i18n.pick_language(request.headers.get("accept-language"))
    if request.headers.get("origin") not in settings.origins:
        return _answer("files.error.origin", language, 403)
    info = await signed_in(request)
    if info is None:
        return _answer("files.error.signed_out", language, 401)
    language = i18n.normalise(info.language)
    body = await _body(request)
    if body is None:
        return _answer("push.error.subscription", language, 400)
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    try:
        if subscribe:
            device = await asyncio.to_thread(_run, push_devices.subscribe, info.actor, body.get("endpoint"),
                                             keys.get("p256dh"), keys.get("auth"))
            return _answer(None, language, device=device)
        await asyncio.to_thread(_run, push_devices.unsubscribe, info.actor, body.get("endpoint"))
        return _answer(None, language)
    except ServiceError as refused:
        return _answer(refused.key, language, 400)


async def subscribe(request: Request) -> Response:
    return await _handle(request, subscribe=True)


async def unsubscribe(request: Request) -> Response:
    return await _handle(request, subscribe=False)
