"""Web push: the service worker shows a notice the way the outbox sends it, and the profile's
buttons turn this device on or off and say what happened."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from tests.support.browser import PHONE, sign_in


def test_a_push_message_becomes_a_notice_that_opens_the_portal(portal, open_context):
    context = open_context(PHONE)
    context.grant_permissions(["notifications"], origin=portal.url)
    page = context.new_page()
    page.goto(f"{portal.url}/signin")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 15
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    registration = next(r for r in registrations if r["scopeURL"].startswith(portal.url) and not r["isDeleted"])
    payload = {"title": "You have a new message", "body": "Open the portal to read it.", "tag": "new_message",
               "url": "//evil.example/phish"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": portal.url, "registrationId": registration["registrationId"],
                                                  "data": json.dumps(payload)})
    read = ("navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(list => list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url})))")
    page.wait_for_function(f"{read}.then(list => list.length > 0)", timeout=15_000)
    shown = page.evaluate(read)
    assert shown == [{"title": "You have a new message", "body": "Open the portal to read it.", "tag": "new_message",
                      "url": "/"}]  # another site's address is never opened from a notice
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_profile_buttons_ask_this_browser_and_say_what_happened(portal, open_context):
    context = open_context(PHONE)
    context.grant_permissions(["notifications"], origin=portal.url)
    page = context.new_page()
    sign_in(page, portal.url, "rosa.delgado")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=20_000)
    page.goto(f"{portal.url}/account/profile")
    expect(page.locator("#push-settings")).to_have_attribute("data-key", re.compile(r"^[A-Za-z0-9_-]{87}$"),
                                                             timeout=20_000)
    page.get_by_role("button", name="Desactivar en este aparato").click()  # Rosa reads the portal in Spanish
    expect(page.get_by_role("status").filter(has_text="desactivadas en este aparato")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Activar en este aparato", exact=True).click()
    # This machine cannot reach a real push service, so the browser's subscribe fails here; on a phone it
    # succeeds. Either way the page must say which, in plain words.
    outcome = page.get_by_role("status").filter(has_text="están activadas en este aparato").or_(
        page.get_by_role("alert").filter(has_text="No pudimos activar las notificaciones"))
    expect(outcome).to_be_visible(timeout=30_000)
