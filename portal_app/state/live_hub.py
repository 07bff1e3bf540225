"""Pushes "topic changed" signals into the open pages that care, without a reload.

A page's load handler subscribes (tab token, topic, state class). A lifespan task on every web worker
reads new signals (services/live.py) and, for each subscribed tab connected to *this* worker, calls
the state's private ``_on_live(topic)`` through ``app.modify_state``; Reflex then sends the delta.
Works the same with one worker (memory state) and several (Redis state): each worker serves the
tabs whose sockets it holds, and every worker reads every signal from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from contextvars import ContextVar

import reflex as rx

from portal_app import db
from portal_app.config import settings
from portal_app.services import live

log = logging.getLogger("portal.live")

# True while a page refreshes because of a signal: that is not the person doing anything, so it must
# not restart their session's idle clock (an unattended page would otherwise stay signed in forever).
_refreshing: ContextVar[bool] = ContextVar("live_refresh", default=False)


def refreshing() -> bool:
    return _refreshing.get()


# topic -> client token -> state classes to refresh
_subscriptions: dict[str, dict[str, set[type[rx.State]]]] = defaultdict(lambda: defaultdict(set))


def subscribe(state: rx.State, topic: str) -> None:
    """Refresh ``state`` (its ``_on_live``) in this tab whenever ``topic`` is announced."""
    _subscriptions[topic][state.router.session.client_token].add(type(state))


def unsubscribe_all(state: rx.State) -> None:
    token = state.router.session.client_token
    for tabs in _subscriptions.values():
        tabs.pop(token, None)


async def _deliver(app: rx.App, topic: str) -> None:
    tabs = _subscriptions.get(topic)
    if not tabs:
        return
    connected = app.event_namespace.token_to_sid if app.event_namespace else {}
    for token in list(tabs):
        if token not in connected:
            tabs.pop(token, None)  # the tab has gone (or reconnected to another worker)
            continue
        for state_cls in list(tabs.get(token, ())):
            marker = _refreshing.set(True)
            try:
                async with app.modify_state(rx.BaseStateToken(ident=token, cls=state_cls)) as root:
                    state = await root.get_state(state_cls)
                    await state._on_live(topic)
            except Exception:  # one broken page must not stop the others' updates
                log.exception("live update for %s failed", topic)
            finally:
                _refreshing.reset(marker)


def _read(cursor: live.SignalCursor | None) -> tuple[live.SignalCursor, set[str]]:
    with db.transaction() as session:
        if cursor is None:
            return live.SignalCursor(session), set()
        return cursor, cursor.read(session)


async def run(app: rx.App) -> None:
    """Lifespan task: poll for signals until the worker stops."""
    cursor: live.SignalCursor | None = None
    while True:
        try:
            cursor, topics = await asyncio.to_thread(_read, cursor)
            for topic in topics:
                await _deliver(app, topic)
        except asyncio.CancelledError:
            raise
        except Exception:  # e.g. the database is restarting: keep going, it will come back
            log.warning("live signal poll failed; retrying", exc_info=True)
        await asyncio.sleep(settings.live_poll_seconds)
