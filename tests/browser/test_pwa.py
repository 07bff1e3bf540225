"""Installable PWA: manifest, service worker, offline page; the worker caches no health data."""

from __future__ import annotations

import shutil

import httpx
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM_ARGS, PHONE, sign_in


def _wait_for_service_worker(page) -> None:
    """Until the worker is active and controls the page (reloading once if it activated after load)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)


def test_manifest_names_the_app_and_its_icons(portal):
    manifest = httpx.get(f"{portal.url}/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        response = httpx.get(f"{portal.url}{icon['src']}")
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"


def test_chromium_reports_the_portal_installable(portal, playwright, tmp_path):
    # Installing needs a real profile: Chromium never offers it in an incognito-like context.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, viewport=PHONE
    )
    phone = context.new_page()
    phone.goto(f"{portal.url}/signin")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    phone.reload()  # the second load is controlled by the service worker
    _wait_for_service_worker(phone)
    cdp = phone.context.new_cdp_session(phone)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest.get("errors")
    context.close()


def test_offline_shows_the_offline_page_and_nothing_personal_is_cached(portal, phone):
    sign_in(phone, portal.url, "sam.oduya")
    expect(phone.get_by_role("heading", name="Hello, Sam Oduya")).to_be_visible()
    _wait_for_service_worker(phone)
    cached = phone.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return urls;
        }"""
    )
    assert sorted(cached) == ["/icons/icon-192.png", "/offline.html"]
    phone.context.set_offline(True)
    phone.goto(f"{portal.url}/appointments")
    expect(phone.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(phone.get_by_text("Sam Oduya")).to_have_count(0)
    phone.context.set_offline(False)
