"""The hand-off from the sign-in form to the HttpOnly session cookie, and sign-out, over plain HTTP.

A valid hand-off is made the way the sign-in page makes it: both steps of services/signin.py on the
served portal's database with a demo patient's password and authenticator code.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
from sqlmodel import select

from portal_app import clock, db
from portal_app.models.session import UserSession
from portal_app.services import sessions
from tests.support.browser import demo_handoff

COOKIE = "portal_session"  # http:// origins; __Host-portal_session behind https
PATIENT = "rosa.delgado"


@pytest.fixture
def database(portal) -> str:
    return portal.env["PORTAL_DATABASE_URL"]


@pytest.fixture
def client(portal):
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=30) as c:
        yield c


@pytest.fixture
def handoff(portal) -> str:
    return demo_handoff(portal.url, PATIENT)


def _resolve(database: str, token: str):
    with db.transaction(database) as session:
        return sessions.resolve(session, token, touch=False)


def _set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def _complete(client: httpx.Client, handoff: str | None, **headers: str) -> httpx.Response:
    params = {} if handoff is None else {"h": handoff}
    return client.get("/auth/complete", params=params, headers=headers)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert _set_cookies(response) == [], "a refused hand-off must set no cookie"


def _cookie_attributes(header: str) -> tuple[str, str, dict[str, str]]:
    """Name, value and lower-cased attributes of one Set-Cookie header."""
    parts = [p.strip() for p in header.split(";")]
    name, _, value = parts[0].partition("=")
    attributes = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        attributes[key.strip().lower()] = val.strip()
    return name, value, attributes


@pytest.mark.parametrize("bogus", [None, "", "not-a-real-handoff", "x" * 5000, "' OR 1=1 --"])
def test_bogus_or_missing_handoff_is_refused(client, bogus):
    assert_refused(_complete(client, bogus))


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_handoff_from_another_site_is_refused_and_not_spent(client, handoff, database, site):
    assert_refused(_complete(client, handoff, **{"Sec-Fetch-Site": site}))
    # The refusal was about the request's origin: the same hand-off still works from our own page.
    response = _complete(client, handoff, **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert [c for c in _set_cookies(response) if c.startswith(f"{COOKIE}=")]


def test_valid_handoff_sets_a_strict_httponly_cookie_once(client, handoff, database):
    response = _complete(client, handoff, **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookies = _set_cookies(response)
    assert len(cookies) == 1, cookies
    name, value, attributes = _cookie_attributes(cookies[0])
    assert name == COOKIE
    assert len(value) >= 22 and value != handoff  # ≥ 128 bits, and not the hand-off itself
    assert "httponly" in attributes
    assert attributes.get("samesite", "").lower() == "strict"
    assert attributes.get("path") == "/"
    assert "domain" not in attributes  # host-only
    assert 0 < int(attributes.get("max-age", "0")) <= 12 * 60 * 60
    info = _resolve(database, value)
    assert info is not None and info.actor.display_name == "Rosa Delgado"

    assert_refused(_complete(client, handoff, **{"Sec-Fetch-Site": "same-origin"}))


def test_the_handoff_goes_back_only_to_a_page_of_this_portal(client, portal, handoff):
    """A claim link opened signed out passes ``next`` through sign-in; another site never gets it."""
    claim = "/appointments/earlier?t=Qx3_-kPz9wLmN0aB7cD1eF2gH3iJ4kL5mN6oP7qR8sT"
    response = client.get("/auth/complete", params={"h": handoff, "next": claim})
    assert response.status_code == 303 and response.headers["location"] == claim
    assert [c for c in _set_cookies(response) if c.startswith(f"{COOKIE}=")]
    other = demo_handoff(portal.url, "walter.pimm")  # another person: no wait for a fresh code
    response = client.get("/auth/complete", params={"h": other, "next": "//evil.example/appointments"})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_expired_handoff_is_refused(client, handoff, database):
    with db.transaction(database) as session:
        row = session.exec(select(UserSession).where(UserSession.handoff_hash == sessions._digest(handoff))).one()
        row.handoff_expires_at = clock.now() - timedelta(seconds=1)
        session.add(row)
    assert_refused(_complete(client, handoff))


def test_sign_out_revokes_the_session_and_clears_the_browser(client, handoff, database):
    signed_in = _complete(client, handoff)
    token = SimpleCookie(signed_in.headers["set-cookie"])[COOKIE].value
    assert _resolve(database, token) is not None

    response = client.get("/auth/signout", headers={"Cookie": f"{COOKIE}={token}"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    clear = response.headers.get("clear-site-data", "")
    assert '"cache"' in clear and '"storage"' in clear, clear
    deletions = [_cookie_attributes(c) for c in _set_cookies(response)]
    deleted = [(value, attrs) for name, value, attrs in deletions if name == COOKIE]
    assert deleted, "sign-out must delete the session cookie"
    value, attrs = deleted[0]
    assert value in ("", '""') and attrs.get("max-age") == "0" and attrs.get("path") == "/"
    assert _resolve(database, token) is None, "the session must be revoked on the server"

    # The old cookie, replayed, is worthless.
    with db.transaction(database) as session:
        assert sessions.resolve(session, token) is None
