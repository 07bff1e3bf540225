"""Debian's Chromium driven by Playwright (no browser download), and what a page received."""

from __future__ import annotations

import shutil
import time

import pyotp

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",  # else Chromium keeps trying to reach the internet
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed (make test installs it)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def new_context(browser: Browser, viewport: dict, locale: str = "en-US", **options) -> BrowserContext:
    mobile = viewport["width"] < 600
    return browser.new_context(viewport=viewport, locale=locale, is_mobile=mobile, has_touch=mobile, **options)


class FrameRecorder:
    """Every websocket frame a page receives, so tests can prove what never reached a browser."""

    def __init__(self, page: Page):
        self.frames: list[str] = []
        page.on("websocket", self._attach)

    def _attach(self, socket) -> None:
        socket.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    def text(self) -> str:
        return "\n".join(self.frames)


def demo_password(username: str) -> str:
    from portal_app.services.demo_clinic import DEMO_PASSWORD_SUFFIX

    return username.replace(".", "-") + DEMO_PASSWORD_SUFFIX


def fresh_demo_code(base_url: str, username: str) -> str:
    """A code from the demo account's authenticator that the served portal has not accepted yet.

    Each code works once, and tests sign the same demo people in many times a minute, so this
    reads the last step the portal accepted and, if T-1..T+1 are all spent, waits for the next one.
    """
    from portal_app import db
    from portal_app.models.mfa import TotpCredential
    from portal_app.models.people import User
    from portal_app.services.demo_clinic import authenticator_key
    from sqlmodel import select

    from tests.support.server import SERVED

    url = SERVED[base_url].env["PORTAL_DATABASE_URL"]
    totp = pyotp.TOTP(authenticator_key(username))
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        with db.transaction(url) as session:
            used = session.exec(
                select(TotpCredential.last_used_step).join(User, User.id == TotpCredential.user_id)
                .where(User.username == username)
            ).one()
        current = int(time.time()) // 30
        for step in (current, current + 1):  # not T-1: it may expire while the browser types
            if step > used:
                return totp.at(step * 30)
        time.sleep(1)
    raise RuntimeError(f"no fresh authenticator code for {username}")


def enter_password(page: Page, base_url: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base_url}/signin")
    # The button is off until the page is live; filling in before then could be undone by hydration.
    expect(page.locator("button[type=submit]")).to_be_enabled()
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(password or demo_password(username))
    page.locator("button[type=submit]").click()


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Both steps, as a demo person would: password, then the app's current code."""
    enter_password(page, base_url, username)
    code = page.locator("#field-code")
    code.wait_for()
    code.fill(fresh_demo_code(base_url, username))
    page.locator("button[type=submit]").click()


def demo_handoff(base_url: str, username: str, ip: str = "127.0.0.1", user_agent: str = "pytest") -> str:
    """Both sign-in steps done through the services on the served portal's database, as the
    sign-in page does them; returns the hand-off that /auth/complete turns into the cookie."""
    from portal_app import db
    from portal_app.services import signin

    from tests.support.server import SERVED

    url = SERVED[base_url].env["PORTAL_DATABASE_URL"]
    with db.transaction(url) as session:
        first = signin.check_password(session, username, demo_password(username), ip=ip, user_agent=user_agent)
    assert first.ok, first.error
    with db.transaction(url) as session:
        second = signin.check_second_factor(session, first.token, fresh_demo_code(base_url, username), ip=ip)
    assert second.ok, second.error
    return second.token


def demo_cookie(base_url: str, username: str) -> dict[str, str]:
    """The session cookie of a demo person signed in all the way, for plain-HTTP requests."""
    import httpx

    from portal_app.config import settings

    response = httpx.get(f"{base_url}/auth/complete", params={"h": demo_handoff(base_url, username)},
                         follow_redirects=False, timeout=30)
    token = response.cookies.get(settings.session_cookie_name)
    assert token, "signing in did not set the session cookie"
    return {settings.session_cookie_name: token}
