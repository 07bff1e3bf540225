"""The "whose record" menu's handler, called by a signed-in patient with a chart they hold no
grant for, changes nothing and sends nothing of that chart."""

from __future__ import annotations

from sqlmodel import select

from portal_app import db
from portal_app.config import settings
from portal_app.models.people import Patient
from tests.security.helpers import RawSocket, our_handlers
from tests.support.browser import demo_cookie


def _name(cls, handler: str) -> str:
    return f"{cls.get_full_name()}.{handler}"


def test_switching_to_someone_elses_chart_is_ignored(portal):
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
        lily = session.exec(select(Patient.id).where(Patient.given_name == "Lily")).one()
    handlers = our_handlers()
    context, _ = handlers["PatientContextState.choose"]
    guard, _ = handlers["GuardState.entry"]
    cookie = demo_cookie(portal.url, "walter.pimm")[settings.session_cookie_name]
    with RawSocket(portal.url, origin=portal.url, cookie=f"{settings.session_cookie_name}={cookie}") as socket:
        socket.emit(_name(context, "opened"), {}, {"pathname": "/home/", "query": {}})
        for value in (str(lily), lily, "0", "-1", {"$ne": None}, "9" * 40):
            socket.emit(_name(context, "choose"), {"patient_id": value}, {"pathname": "/home/", "query": {}})
        updates = socket.sync(_name(guard, "entry"))
        assert "Walter Pimm" in socket.text()  # the caller's own record was resolved
        assert "Lily" not in socket.text()
        assert not [path for update in updates for path in update.redirects() if path != "/home"]
