"""Signed-in people calling every handler of their side with hostile arguments.

The anonymous sweep (test_anonymous_handlers.py) stops at each handler's session check. Here the
session is real, so the arguments reach the code behind it: every handler must check what it is
given and refuse it plainly (a failing handler shows the "something went wrong" toast, which is
what this looks for, handler by handler), and a patient's frames never carry another patient's data.
Run on a portal of its own: hostile calls count wrong passwords and change settings of the demo people.
"""

from __future__ import annotations

import pytest

from portal_app.state.handler_access import HANDLER_ACCESS
from tests.security.helpers import RawSocket, canaries_in, handler_parameters, our_handlers, patient_canaries
from tests.support.browser import demo_handoff

HOSTILE_VALUES = ["²", "١٢", "-1", "0", "99999999999999999999", 10**40, -1, 3.5, True, None, [], {"$ne": None},
                  {"id": "1", "token": "x"}, "<img src=x onerror=alert(1)>", "x" * 5000]
PATIENT_SIDE = {"patient", "anyone", "signed_in"}
STAFF_SIDE = {"staff", "anyone", "signed_in"}
# Handlers that end the sweeper's own session; they are called last, after everything else.
SESSION_ENDERS = ("sign_out", "end_session", "end_all", "everywhere")
SWEEPERS = [("walter.pimm", PATIENT_SIDE), ("rn.baptiste", STAFF_SIDE), ("desk.tanaka", STAFF_SIDE),
            ("admin.hughes", STAFF_SIDE)]
FAILED = '"backend_error"'  # the toast id the error handler (state/error_handler.py) sends


@pytest.fixture(scope="module")
def sweep_portal(tmp_path_factory):
    from tests.support.server import serve_portal

    with serve_portal(tmp_path_factory.mktemp("signed-in-sweep")) as served:
        yield served


def _payloads(params: list[str]) -> list[dict]:
    if not params:
        return [{}]
    return [{p: value for p in params} for value in HOSTILE_VALUES]


def _sweep(portal, username: str, side: set[str]) -> tuple[dict[str, str], str]:
    """Call each handler of this side; returns the handlers that failed (with a bit of the frame) and
    everything the socket received."""
    from sqlmodel import select

    from portal_app import db
    from portal_app.models.people import User
    from portal_app.services import sessions, throttle

    handlers = our_handlers()
    sentinel_cls, sentinel_name = handlers["GuardState.entry"]
    sentinel = f"{sentinel_cls.get_full_name()}.{sentinel_name}"
    url = portal.env["PORTAL_DATABASE_URL"]
    chosen = sorted((k for k, who in HANDLER_ACCESS.items() if who in side),
                    key=lambda k: (any(word in k for word in SESSION_ENDERS), k))
    failed: dict[str, str] = {}
    received: list[str] = []
    token = socket = None
    try:
        for key in chosen:
            with db.transaction(url) as session:
                alive = token is not None and sessions.resolve(session, token, touch=False) is not None
            if not alive:  # the first handler, or an earlier one ended the session
                if socket is not None:
                    received.append(socket.text())
                    socket.close()
                with db.transaction(url) as session:  # wrong passwords sent by hostile calls count: unlock
                    user = session.exec(select(User).where(User.username == username)).one()
                    throttle.reset(session, user.id)
                with db.transaction(url) as session:
                    token = sessions.complete_handoff(session, demo_handoff(portal.url, username))
                socket = RawSocket(portal.url, origin=portal.url, cookie=f"portal_session={token}")
                socket.sync(sentinel)
            cls, name = handlers[key]
            seen = len(socket.frames)
            for payload in _payloads(handler_parameters(cls, name)):
                socket.emit(f"{cls.get_full_name()}.{name}", payload)
            socket.sync(sentinel)
            answer = "".join(socket.frames[seen:])
            if FAILED in answer:
                failed[key] = answer[answer.index(FAILED) - 200:answer.index(FAILED)][-200:]
        received.append(socket.text())
    finally:
        if socket is not None:
            socket.close()
    return failed, "".join(received)


@pytest.mark.parametrize("username,side", SWEEPERS, ids=[u for u, _ in SWEEPERS])
def test_every_handler_refuses_hostile_arguments_without_failing(sweep_portal, username, side):
    failed, received = _sweep(sweep_portal, username, side)
    assert failed == {}, "these handlers failed on hostile arguments:\n" + "\n".join(sorted(failed))
    if side is PATIENT_SIDE:
        assert canaries_in(received, patient_canaries(but=username)) == []
