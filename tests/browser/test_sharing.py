"""Sharing the record in real Chromium at 390x844: Walter creates a share of two sections, a
provider opens it in a second context with the code and his date of birth (nothing of the record
in any frame before that), sees only those sections and no way into the portal; Walter sees the
view listed, stops the share, and the provider is refused. Walter emails a copy after the warning;
it reaches a real SMTP server with the PDF attached and is in his activity log. axe-core checks
each page; screenshots at both sizes land in test-artifacts."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _check
from tests.services.test_outbox import SmtpServer
from tests.support.browser import DESKTOP, PHONE, FrameRecorder, sign_in
from tests.support.server import serve_portal

WAIT = 20_000  # ms: sign-in and page loads take seconds on a busy machine
WALTER_BORN = "1946-11-02"
# Words from Walter's record: none may reach the provider's browser before the checks pass, and
# the problems he did not share never.
RECORD_WORDS = ("Walter", "Pimm", "Shellfish", "Lipid panel")
UNSHARED_WORDS = ("Type 2 diabetes",)


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, smtp):
    # A generous start-up wait: the build takes minutes on a loaded machine.
    with serve_portal(tmp_path_factory.mktemp("sharing"), timeout=900, PORTAL_SMTP_HOST="127.0.0.1",
                      PORTAL_SMTP_PORT=str(smtp.port), PORTAL_MAIL_FROM="portal@maplegrove.example") as portal:
        yield portal


def _open_sharing(page, url: str) -> None:
    sign_in(page, url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    page.goto(f"{url}/health/sharing")
    expect(page.get_by_role("heading", name="Share with another doctor")).to_be_visible(timeout=WAIT)


def _provider_opens(page, code: str, born: str) -> None:
    # The button is off until the page is live; typing before then could be undone as it goes live.
    expect(page.get_by_role("button", name="Open the record")).to_be_enabled(timeout=WAIT)
    page.get_by_label("Share code").fill(code)
    page.get_by_label("Patient's date of birth").fill(born)
    page.get_by_role("button", name="Open the record").click()


def test_a_share_is_opened_with_code_and_birth_date_then_stopped_and_refused(served, open_context):
    page = open_context(PHONE).new_page()
    _open_sharing(page, served.url)
    expect(page.get_by_text("You are not sharing your record.")).to_be_visible()
    _check(page, "/health/sharing", "390")

    page.get_by_label("Who is it for?", exact=False).fill("Dr. Lee, City Hospital")
    page.get_by_label("Allergies", exact=True).check()
    page.get_by_label("Test results", exact=True).check()
    page.get_by_label("For how long?").select_option("2")
    page.get_by_role("button", name="Create a code").click()
    code_box = page.locator("#share-code")
    expect(code_box).to_have_text(re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$"), timeout=WAIT)
    code = code_box.inner_text()
    shares = page.locator("#share-list li")
    expect(shares).to_have_count(1)
    expect(shares.first).to_contain_text("Dr. Lee, City Hospital")
    expect(shares.first).to_contain_text("Allergies, Test results")
    expect(shares.first).to_contain_text("Not viewed yet")

    provider = open_context(PHONE).new_page()
    frames = FrameRecorder(provider)
    provider.goto(f"{served.url}/shared")
    expect(provider.get_by_role("heading", name="See a shared health record")).to_be_visible(timeout=WAIT)
    _check(provider, "/shared", "390")
    _provider_opens(provider, code, "1946-11-03")
    expect(provider.get_by_role("alert")).to_contain_text("The code or the date of birth is not right", timeout=WAIT)
    assert frames.frames, "no websocket frame was recorded"
    seen = frames.text()
    assert [w for w in RECORD_WORDS if w in seen] == []

    _provider_opens(provider, code.lower().replace("-", ""), WALTER_BORN)
    expect(provider.get_by_role("heading", name="Health record of Walter Pimm")).to_be_visible(timeout=WAIT)
    expect(provider.get_by_text("Shellfish")).to_be_visible()
    expect(provider.get_by_role("heading", name="Test results")).to_be_visible()
    expect(provider.get_by_role("heading", name="Health problems")).to_have_count(0)
    assert [w for w in UNSHARED_WORDS if w in frames.text()] == []
    # Read only, and no way into the portal: no menu, no link but the clinic's phone.
    expect(provider.locator("nav")).to_have_count(0)
    hrefs = provider.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert [h for h in hrefs if not h.startswith("tel:") and h.partition("#")[0].rstrip("/") not in ("", "/shared")] == []
    _check(provider, "/shared-record", "390")

    page.reload()
    expect(shares.first).to_contain_text(re.compile(r"Viewed on .+ from "), timeout=WAIT)
    page.get_by_role("button", name=re.compile("Stop sharing")).click()
    expect(page.get_by_text("That share is stopped.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("You are not sharing your record.")).to_be_visible()

    provider.reload()
    expect(provider.get_by_role("heading", name="See a shared health record")).to_be_visible(timeout=WAIT)
    expect(provider.get_by_text("Shellfish")).to_have_count(0)
    _provider_opens(provider, code, WALTER_BORN)
    expect(provider.get_by_role("alert")).to_contain_text("The patient stopped this share", timeout=WAIT)
    expect(provider.get_by_text("Shellfish")).to_have_count(0)


def _wait_for_mail(smtp, recipient: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp.inbox.messages():
            if message["To"] == recipient:
                return message
        time.sleep(1)
    raise AssertionError(f"no mail to {recipient}")


def test_a_copy_is_emailed_after_the_warning_and_logged(served, open_context, smtp):
    page = open_context(PHONE).new_page()
    _open_sharing(page, served.url)
    expect(page.locator("#share-email-warning")).to_contain_text("Email is not secure")
    page.get_by_label("Email address").fill("dr.lee@example.org")
    page.get_by_role("button", name="Send the copy").click()
    expect(page.get_by_role("alert")).to_contain_text("Please tick the box", timeout=WAIT)
    page.get_by_label("Email address").fill("dr.lee@example.org")
    page.get_by_label("I understand that email is not secure.").check()
    page.get_by_role("button", name="Send the copy").click()
    expect(page.get_by_text("Your copy is on its way.")).to_be_visible(timeout=WAIT)

    mail = _wait_for_mail(smtp, "dr.lee@example.org")
    attached = list(mail.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [("health-record.pdf", "application/pdf")]
    assert attached[0].get_content().startswith(b"%PDF")
    assert "Shellfish" not in mail.get_body(("plain",)).get_content()

    page.goto(f"{served.url}/account")
    # The newest entry: the copy sent (reading the activity log is not itself logged).
    expect(page.locator("#account-history li").first).to_contain_text("shared from your record", timeout=WAIT)


def test_the_sharing_pages_at_desktop_size(served, open_context):
    page = open_context(DESKTOP).new_page()
    _open_sharing(page, served.url)
    _check(page, "/health/sharing", "1280")
    provider = open_context(DESKTOP).new_page()
    provider.goto(f"{served.url}/shared")
    expect(provider.get_by_role("heading", name="See a shared health record")).to_be_visible(timeout=WAIT)
    _check(provider, "/shared", "1280")
