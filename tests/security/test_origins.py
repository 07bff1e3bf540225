"""Only the portal's own origin may open the Socket.IO connection or read HTTP answers cross-origin.

Reflex's defaults accept any Origin (SECURITY.md, sharp edge 4); rxconfig.py narrows them to
PORTAL_ORIGINS, which defaults to http://localhost:PORT and http://127.0.0.1:PORT.

Reflex runs engine.io with the websocket transport only, so a polling request is refused (400) for
every origin; what tells a foreign origin apart is *why*: engine.io checks the origin first and
says "<origin> is not an accepted origin".
"""

from __future__ import annotations

import httpx
import pytest
import simple_websocket

from portal_app.config import load_settings
from tests.security.helpers import RawSocket

EVIL = "https://evil.example"


# Filled in with the served portal's port: another site, a sandboxed frame, and near misses.
FOREIGN_ORIGINS = [EVIL, "null", "http://127.0.0.1:{other_port}", "http://127.0.0.1",
                   "https://127.0.0.1:{port}", "http://127.0.0.1:{port}.evil.example", "http://localhost"]


def test_the_portal_url_is_an_allowed_origin(portal, monkeypatch):
    """The tests below use portal.url as 'our own origin'; make sure the configuration agrees."""
    for name in ("PORTAL_ORIGINS", "PORTAL_PORT"):
        if name in portal.env:
            monkeypatch.setenv(name, portal.env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    origins = load_settings().origins
    assert portal.url in origins
    assert not any("*" in o for o in origins)


def test_polling_handshake_from_a_foreign_origin_is_refused(portal):
    response = httpx.get(f"{portal.url}/_event/?EIO=4&transport=polling", headers={"Origin": EVIL}, timeout=30)
    assert response.status_code == 400
    assert "not an accepted origin" in response.text
    assert response.headers.get("access-control-allow-origin") not in (EVIL, "*")


def test_polling_handshake_from_our_origin_passes_the_origin_check(portal):
    response = httpx.get(f"{portal.url}/_event/?EIO=4&transport=polling", headers={"Origin": portal.url},
                         timeout=30)
    assert "not an accepted origin" not in response.text
    # Reflex disables the polling transport: it is refused for another reason, or answered.
    assert response.status_code == 200 or "Invalid transport" in response.text


def test_websocket_from_our_origin_opens(portal):
    with RawSocket(portal.url, origin=portal.url) as socket:
        assert socket.open_packet.startswith("0{") and '"sid"' in socket.open_packet


@pytest.mark.parametrize("template", FOREIGN_ORIGINS)
def test_websocket_from_a_foreign_origin_is_refused(portal, template):
    origin = template.format(port=portal.port, other_port=portal.port + 1)
    with pytest.raises(simple_websocket.ConnectionError) as refused:
        RawSocket(portal.url, origin=origin).close()
    assert refused.value.status_code in (400, 403), origin


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_http_routes_do_not_grant_a_foreign_origin(portal, method):
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "GET"}
    response = httpx.request(method, f"{portal.url}/healthz", headers=headers, timeout=30)
    allowed = response.headers.get_list("access-control-allow-origin")
    assert EVIL not in allowed and "*" not in allowed and "null" not in allowed, allowed


def test_http_routes_grant_our_own_origin(portal):
    """Control for the test above: CORS is active, it just names only the portal itself."""
    response = httpx.get(f"{portal.url}/healthz", headers={"Origin": portal.url}, timeout=30)
    assert portal.url in response.headers.get("access-control-allow-origin", "")
