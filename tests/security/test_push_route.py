"""``POST /push/subscribe`` / ``/push/unsubscribe`` over plain HTTP: only a signed-in person, from the
portal's own pages; the device becomes that person's and can be turned off again."""

from __future__ import annotations

import httpx
from sqlmodel import select

from portal_app import db
from portal_app.models.outbox import PushSubscription
from tests.services.test_push_devices import browser_keys
from tests.support.browser import demo_cookie

ENDPOINT = "http://127.0.0.1:9/push/route-test"


def _post(portal, path: str, body, cookies=None, origin: str | None = "same"):
    headers = {"Origin": portal.url if origin == "same" else origin} if origin else {}
    return httpx.post(f"{portal.url}{path}", json=body, cookies=cookies or {}, headers=headers, timeout=30)


def _device(portal) -> PushSubscription | None:
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
        return session.exec(select(PushSubscription).where(PushSubscription.endpoint == ENDPOINT)).first()


def test_a_signed_in_patient_turns_this_device_on_and_off(portal):
    cookies = demo_cookie(portal.url, "sam.oduya")
    key, secret = browser_keys()
    body = {"endpoint": ENDPOINT, "keys": {"p256dh": key, "auth": secret}}
    assert _post(portal, "/push/subscribe", body, origin=None, cookies=cookies).status_code == 403
    assert _post(portal, "/push/subscribe", body, origin="https://evil.example", cookies=cookies).status_code == 403
    assert _post(portal, "/push/subscribe", body).status_code == 401
    assert _device(portal) is None
    bad = _post(portal, "/push/subscribe", {"endpoint": "https://evil.example/x", "keys": body["keys"]}, cookies)
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert _post(portal, "/push/subscribe", ["not", "an", "object"], cookies).status_code == 400

    answer = _post(portal, "/push/subscribe", body, cookies)
    assert answer.status_code == 200 and answer.json()["ok"] is True
    device = _device(portal)
    assert device is not None and device.revoked_at is None

    assert _post(portal, "/push/unsubscribe", {"endpoint": ENDPOINT}, demo_cookie(portal.url, "walter.pimm")).json()
    assert _device(portal).revoked_at is None  # another person cannot turn it off
    assert _post(portal, "/push/unsubscribe", {"endpoint": ENDPOINT}, cookies).status_code == 200
    assert _device(portal).revoked_at is not None
