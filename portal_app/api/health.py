"""``/healthz``: is the database (and Redis, when used) answering? For load balancers and tests."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from portal_app import db
from portal_app.config import settings


def _database_ok() -> bool:
    try:
        with db.get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _redis_ok() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(settings.redis_url, socket_timeout=2).ping())
    except Exception:
        return False


async def healthz(_request: Request) -> JSONResponse:
    checks = {"database": await asyncio.to_thread(_database_ok)}
    if settings.redis_url:
        checks["redis"] = await asyncio.to_thread(_redis_ok)
    healthy = all(checks.values())
    return JSONResponse({"ok": healthy, **checks}, status_code=200 if healthy else 503)
