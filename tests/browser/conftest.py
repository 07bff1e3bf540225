"""Chromium fixtures: one browser per run, a fresh context per test, screenshots on failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.browser import DESKTOP, PHONE, launch, new_context
from tests.support.mail import SmtpServer
from tests.support.server import serve_portal

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Assertions wait for what a person would wait for; 5 s (Playwright's default) is too short on a
# loaded 2-core machine for a sign-in's redirect. A real failure still fails, just later.
expect.set_options(timeout=15_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def open_context(browser, request):
    """Make contexts on demand; on failure every open page is saved as a screenshot."""
    contexts = []

    def make(viewport: dict = PHONE, **options):
        context = new_context(browser, viewport, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for page_number, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{name}-{number}-{page_number}.png", full_page=True)
        context.close()


@pytest.fixture
def phone(open_context):
    return open_context(PHONE).new_page()


@pytest.fixture
def desktop(open_context):
    return open_context(DESKTOP).new_page()


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server for one test module, shared by its mail_portal."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_portal(tmp_path_factory, smtp):
    """The demo clinic served with its outbox sender pointed at the module's SMTP server."""
    with serve_portal(tmp_path_factory.mktemp("mail-portal"), **smtp.portal_settings()) as served:
        yield served
