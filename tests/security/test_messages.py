"""Message handlers called straight over the websocket: another patient's thread, the staff queue
called by a patient, the front desk opening a clinical thread. Nothing of the thread (and never an
internal note) reaches the caller, and nothing is written."""

from __future__ import annotations

import secrets

from sqlalchemy import func
from sqlmodel import select

from portal_app import db
from portal_app.config import settings
from portal_app.models.message import Message, MessageThread
from portal_app.models.people import User
from portal_app.services import messages
from tests.security.helpers import RawSocket, our_handlers
from tests.services.refill_fixtures import actor
from tests.support.browser import demo_cookie


def _name(handlers, key: str) -> str:
    cls, handler = handlers[key]
    return f"{cls.get_full_name()}.{handler}"


def _socket(portal, username: str) -> RawSocket:
    cookie = demo_cookie(portal.url, username)[settings.session_cookie_name]
    return RawSocket(portal.url, origin=portal.url, cookie=f"{settings.session_cookie_name}={cookie}")


def _rosas_thread(url: str, note: str) -> tuple[int, int]:
    """Rosa's demo thread, with an internal note added by the nurse; (thread id, messages in it)."""
    with db.transaction(url) as session:
        thread = session.exec(select(MessageThread).join(User, User.patient_id == MessageThread.patient_id)
                              .where(User.username == "rosa.delgado")).first()
        nurse = session.exec(select(User).where(User.username == "rn.baptiste")).one()
        messages.add_note(session, actor(nurse), thread.id, note)
        count = session.exec(select(func.count(Message.id)).where(Message.thread_id == thread.id)).one()
        return thread.id, count


def test_no_one_outside_the_thread_gets_it_and_the_note_reaches_only_staff(portal):
    url = portal.env["PORTAL_DATABASE_URL"]
    note = f"NOTE-{secrets.token_hex(6)}"
    thread_id, before = _rosas_thread(url, note)
    handlers = our_handlers()
    guard = _name(handlers, "GuardState.entry")
    # What a browser sends: the path with its query (asPath) is what the pages read.
    thread_page = {"pathname": "/messages/thread", "query": {"t": str(thread_id)},
                   "asPath": f"/messages/thread?t={thread_id}"}
    console = {"pathname": "/console/messages", "query": {"t": str(thread_id)},
               "asPath": f"/console/messages?t={thread_id}"}

    with _socket(portal, "walter.pimm") as walter:  # another patient, and then the staff handlers
        walter.emit(_name(handlers, "ThreadState.opened"), {}, thread_page)
        walter.emit(_name(handlers, "ThreadState.send"), {"form": {"body": "Hijacked"}}, thread_page)
        walter.emit(_name(handlers, "ThreadState.keep_draft"), {"text": "Hijacked draft"}, thread_page)
        for key, payload in (("MessageConsoleState.opened", {}), ("MessageConsoleState.open_thread",
                                                                  {"thread_id": str(thread_id)}),
                             ("MessageConsoleState.reply", {"form": {"body": "Hijacked"}}),
                             ("MessageConsoleState.add_note", {"form": {"body": "Hijacked"}})):
            walter.emit(_name(handlers, key), payload, console)
        walter.sync(guard)
        assert "ibuprofeno" not in walter.text() and note not in walter.text()

    with _socket(portal, "desk.tanaka") as desk:  # staff, but not of the clinical pool
        desk.emit(_name(handlers, "MessageConsoleState.opened"), {}, console)
        desk.emit(_name(handlers, "MessageConsoleState.open_thread"), {"thread_id": str(thread_id)}, console)
        desk.emit(_name(handlers, "MessageConsoleState.reply"), {"form": {"body": "Hijacked"}}, console)
        desk.sync(guard)
        assert "ibuprofeno" not in desk.text() and note not in desk.text()

    with _socket(portal, "rosa.delgado") as rosa:  # the patient: her messages, never the note
        rosa.emit(_name(handlers, "ThreadState.opened"), {}, thread_page)
        rosa.sync(guard)
        assert "ibuprofeno" in rosa.text() and note not in rosa.text()

    with _socket(portal, "rn.baptiste") as nurse:  # the care team sees the note (the canary is real)
        nurse.emit(_name(handlers, "MessageConsoleState.opened"), {}, console)
        nurse.sync(guard)
        assert note in nurse.text()

    with db.transaction(url) as session:
        after = session.exec(select(func.count(Message.id)).where(Message.thread_id == thread_id)).one()
        assert after == before  # nothing was written into her thread
