"""Debian's Chromium driven by Playwright (no browser download), and what a page received."""

from __future__ import annotations

import shutil

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

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


def sign_in(page: Page, base_url: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base_url}/signin")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(password or demo_password(username))
    page.locator("button[type=submit]").click()
