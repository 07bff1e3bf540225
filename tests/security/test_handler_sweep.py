"""Every event handler and HTTP route is classified in the access tables (SECURITY.md, Authorization).

Any client can call any public method of any State class (Reflex sharp edge 2), so a handler that is
missing from HANDLER_ACCESS has never been thought about; a stale entry hides a rename.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from starlette.routing import Mount, Route

from portal_app.state.handler_access import HANDLER_ACCESS
from tests.security.helpers import our_handlers, our_states

AUDIENCES = {"anyone", "signed_in", "patient", "staff"}


@pytest.fixture(scope="module")
def handlers() -> dict[str, tuple[type, str]]:
    return our_handlers()


def test_the_sweep_sees_our_states(handlers):
    """Guard against a walk that silently finds nothing (e.g. states no longer registered)."""
    names = {cls.__name__ for cls in our_states()}
    assert {"SessionState", "SignInState", "GuardState"} <= names
    assert "SignInState.submit" in handlers


def test_state_class_names_are_unique():
    """The table is keyed by class name, so two states with one name would share a row."""
    counts = Counter(cls.__name__ for cls in our_states())
    assert [name for name, n in counts.items() if n > 1] == []


def test_every_handler_is_classified(handlers):
    missing = sorted(set(handlers) - set(HANDLER_ACCESS))
    assert missing == [], "handlers missing from portal_app/state/handler_access.py HANDLER_ACCESS: " + ", ".join(missing)


def test_no_stale_handler_entries(handlers):
    stale = sorted(set(HANDLER_ACCESS) - set(handlers))
    assert stale == [], "HANDLER_ACCESS lists handlers that no longer exist: " + ", ".join(stale)


def test_handler_audiences_are_known():
    unknown = {name: audience for name, audience in HANDLER_ACCESS.items() if audience not in AUDIENCES}
    assert unknown == {}


def test_reflex_does_not_add_setters():
    """Auto setters (``set_<var>``) would make every state var writable by any client (``setvar``)."""
    from reflex_base.config import get_state_auto_setters

    assert get_state_auto_setters() is False


def _route_paths(routes, prefix: str = "") -> list[str]:
    paths = []
    for route in routes:
        if isinstance(route, Mount):
            paths.extend(_route_paths(route.routes, prefix + route.path))
        elif isinstance(route, Route):
            paths.append(prefix + route.path)
        else:  # a websocket route or something new: it must be classified too
            paths.append(prefix + getattr(route, "path", repr(route)))
    return paths


def test_every_http_route_is_classified():
    from portal_app.api.routes import ROUTE_ACCESS, build_routes

    paths = _route_paths(build_routes().routes)
    assert paths, "build_routes() has no routes: the sweep would prove nothing"
    assert sorted(set(paths) - set(ROUTE_ACCESS)) == [], "routes missing from ROUTE_ACCESS"
    assert sorted(set(ROUTE_ACCESS) - set(paths)) == [], "ROUTE_ACCESS lists routes that no longer exist"


def test_reflex_upload_route_is_not_mounted(portal):
    """/_upload would accept files from anyone and serve them to anyone (sharp edge 7)."""
    response = httpx.post(f"{portal.url}/_upload", files={"file": ("a.txt", b"hello")}, timeout=30)
    assert response.status_code in (404, 405)
