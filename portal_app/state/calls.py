"""Running service functions from event handlers without blocking other users."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from portal_app import db

T = TypeVar("T")


async def run_service(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn(session, *args, **kwargs)`` in one transaction, on a worker thread.

    A blocking call on the event loop (bcrypt, a query) would stall every other user of this worker.
    """

    def work() -> T:
        with db.transaction() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(work)
