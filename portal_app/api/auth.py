"""Turning a successful sign-in into the HttpOnly session cookie, and clearing it on sign-out.

Only HTTP responses can set an HttpOnly cookie, so sign-in finishes here: the Reflex handler hands
the browser a one-time, 60-second hand-off, which this route exchanges for the cookie, then sends
the browser home, or back to the page it was opened from (``next``, checked in services/return_path.py).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal_app import db
from portal_app.config import settings
from portal_app.services import sessions
from portal_app.services.return_path import safe_return_path


def _same_site_request(request: Request) -> bool:
    """Refuse hand-offs started from another site (login CSRF); old browsers send no header."""
    return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}


def _complete(handoff: str) -> str | None:
    with db.transaction() as session:
        return sessions.complete_handoff(session, handoff)


def _sign_out(token: str | None) -> None:
    with db.transaction() as session:
        sessions.sign_out(session, token)


async def complete(request: Request) -> Response:
    token = None
    if _same_site_request(request):
        token = await asyncio.to_thread(_complete, request.query_params.get("h", ""))
    if token is None:
        return RedirectResponse("/signin", status_code=303)
    response = RedirectResponse(safe_return_path(request.query_params.get("next")) or "/", status_code=303)
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=settings.session_max_seconds,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    return response


async def sign_out(request: Request) -> Response:
    await asyncio.to_thread(_sign_out, request.cookies.get(settings.session_cookie_name))
    # ?reason=idle (the idle watch): the sign-in page then says why, politely. Nothing else is passed on.
    target = "/signin?reason=idle" if request.query_params.get("reason") == "idle" else "/signin"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/", secure=settings.cookie_secure, httponly=True, samesite="strict")
    # Drop anything the browser kept for this site: cached pages, storage, the Reflex tab token.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
