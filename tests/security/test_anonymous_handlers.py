"""An anonymous client calling every handler with hostile arguments learns and changes nothing.

A raw Socket.IO client (no browser, no cookie) sends what an attacker's script could send: every
handler in HANDLER_ACCESS with missing, extra, wrongly typed and oversized arguments, from claimed
staff and patient pages, plus ``setvar`` on every var and calls to private ``_helpers``.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.db import get_engine
from portal_app.models.audit import AuditEvent
from portal_app.services import audit
from portal_app.services.backup import table_checksums
from portal_app.state.handler_access import HANDLER_ACCESS
from tests.security.helpers import (
    RawSocket,
    Update,
    canaries_in,
    handler_parameters,
    our_handlers,
    our_states,
    patient_canaries,
    private_methods,
)
from tests.support.server import serve_portal

# Tables an anonymous visit may legitimately touch: live signals, and the session rows other tests
# in this run create (an anonymous client cannot create a signed-in session without a password).
VOLATILE_TABLES = {"live_signal", "user_session"}
# Failed sign-ins are audited: the trail may grow, with those rows only (test_only_failed_sign_ins_...).
VOLATILE_TABLES |= {"audit_event"}

HUGE = "A" * 200_000


def _deep(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"x": value}
    return value


HOSTILE_VALUES = [
    {"$ne": None},
    {"username": "nobody.here", "password": "a-wrong-password-of-decent-length"},  # reaches bcrypt
    {"username": "nobody.here", "password": "x" * 300},
    {"username": "x" * 5000, "password": HUGE},
    {"username": ["admin.hughes"], "password": {"$gt": ""}},
    {"__class__": "x", "patient_id": 1, "user_id": 1, "role": "admin"},
    HUGE,
    "es' OR '1'='1",
    "<img src=x onerror=alert(1)>",
    "../../../../etc/passwd",
    "\x00",
    10**40,
    -1,
    3.5,
    True,
    None,
    [],
    [{"a": 1}] * 200,
    _deep(200),
]

# The page an event claims to come from is whatever the client says (sharp edge 3).
CLAIMED_PAGES = ["/signin/", "/console", "/home", "/console/../home", "", "//evil.example/"]


def _payloads(params: list[str]) -> list[dict]:
    payloads: list[dict] = [{}, {"unexpected": "argument"}]
    for value in HOSTILE_VALUES:
        payloads.append({p: value for p in params} or {"self": value})
        if params:
            payloads.append({**{p: value for p in params}, "extra": value})
    return payloads


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The demo clinic with its scheduler off, so the clinic's own jobs (reminders, the outbox
    sender retrying mail, wait-list offers) write nothing while the sweep runs: whatever changes
    was changed by the anonymous client."""
    with serve_portal(tmp_path_factory.mktemp("anonymous-sweep"), PORTAL_SCHEDULER="external") as served:
        yield served


@pytest.fixture(scope="module")
def states():
    return our_states()


def _sentinel(handlers) -> str:
    cls, name = handlers["GuardState.entry"]  # redirects every visitor to where they belong
    return f"{cls.get_full_name()}.{name}"


def _hostile_session(portal, handlers, states) -> tuple[RawSocket, list[Update]]:
    socket = RawSocket(portal.url, origin=portal.url)
    sentinel = _sentinel(handlers)
    updates = socket.sync(sentinel)
    sent = 0
    for key in sorted(HANDLER_ACCESS):
        assert key in handlers, f"{key} is in HANDLER_ACCESS but is no handler (see test_handler_sweep)"
        cls, name = handlers[key]
        for payload in _payloads(handler_parameters(cls, name)):
            page = CLAIMED_PAGES[sent % len(CLAIMED_PAGES)]
            socket.emit(f"{cls.get_full_name()}.{name}", payload, {"pathname": page, "query": {}})
            sent += 1
        updates += socket.sync(sentinel)  # every few dozen events, so a stall is pinned to a handler
    for cls in states:
        full = cls.get_full_name()
        for var in sorted(cls.base_vars) + ["signed_in", "role", "display_name"]:
            for value in (True, "admin", {"$ne": None}):
                socket.emit(f"{full}.setvar", {"var_name": var, "value": value})
        for private in private_methods(cls):
            socket.emit(f"{full}.{private}", {})
            socket.emit(f"{full}.{private}", {"language": "es", "topic": "notices", "key": "x"})
    updates += socket.sync(sentinel)
    return socket, updates


@pytest.fixture(scope="module")
def audit_mark(portal) -> tuple[int, str | None]:
    """The newest audit row (id, hash) before the hostile run."""
    with Session(get_engine(portal.env["PORTAL_DATABASE_URL"])) as session:
        last = session.exec(select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, None)


@pytest.fixture(scope="module")
def hostile_run(portal, states, audit_mark):
    """Run every call once for the module; checksums of the served database before and after."""
    engine = get_engine(portal.env["PORTAL_DATABASE_URL"])
    before = table_checksums(engine)
    socket, updates = _hostile_session(portal, our_handlers(), states)
    socket.close()
    after = table_checksums(engine)
    return socket, updates, before, after


def test_handler_table_is_not_empty():
    assert len(HANDLER_ACCESS) >= 5


def test_no_patient_data_reaches_an_anonymous_client(hostile_run):
    socket, _updates, _before, _after = hostile_run
    text = socket.text()
    assert len(socket.frames) > 10, "the server answered almost nothing: was anything called?"
    assert canaries_in(text, patient_canaries()) == []


def test_the_client_stays_signed_out(hostile_run):
    _socket, updates, _before, _after = hostile_run
    assert any(u.vars_named("signed_in") for u in updates), "no update ever mentioned signed_in"
    assert all(v is False for u in updates for v in u.vars_named("signed_in"))
    assert all(v == "" for u in updates for v in u.vars_named("display_name"))
    assert all(v == "" for u in updates for v in u.vars_named("role"))
    redirects = [path for u in updates for path in u.redirects()]
    assert redirects and set(redirects) <= {"/signin"}, redirects


def test_the_database_is_unchanged(hostile_run):
    _socket, _updates, before, after = hostile_run
    assert set(before) == set(after)
    changed = sorted(t for t in before if before[t] != after[t] and t not in VOLATILE_TABLES)
    assert changed == [], f"an anonymous client changed tables: {changed}"


def test_only_failed_sign_ins_were_added_to_the_audit_trail(portal, hostile_run, audit_mark):
    last_id, last_hash = audit_mark
    with Session(get_engine(portal.env["PORTAL_DATABASE_URL"])) as session:
        assert audit.verify(session).ok  # no earlier row changed or went missing
        if last_id:
            assert session.get(AuditEvent, last_id).row_hash == last_hash
        added = session.exec(select(AuditEvent).where(AuditEvent.id > last_id)).all()
    assert added, "the hostile sign-in attempts were not audited"
    assert {(row.action, row.outcome, row.actor_user_id, row.patient_id) for row in added} == {
        ("sign_in_failed", "failure", None, None)}


def test_the_checks_above_can_fail(portal, states):
    """Controls: a signed-in socket *does* get signed_in true, a name, and a redirect home."""
    from portal_app import db
    from portal_app.services import sessions
    from tests.support.browser import demo_handoff

    url = portal.env["PORTAL_DATABASE_URL"]
    handoff = demo_handoff(portal.url, "walter.pimm")
    with db.transaction(url) as session:
        token = sessions.complete_handoff(session, handoff)
    handlers = our_handlers()
    try:
        with RawSocket(portal.url, origin=portal.url, cookie=f"portal_session={token}") as socket:
            updates = socket.sync(_sentinel(handlers))
            assert any(v is True for u in updates for v in u.vars_named("signed_in"))
            assert "Walter Pimm" in canaries_in(socket.text(), patient_canaries())
            assert "/home" in [p for u in updates for p in u.redirects()]
    finally:
        with db.transaction(url) as session:
            sessions.sign_out(session, token)
