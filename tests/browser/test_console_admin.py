"""The console's admin side: notices, the audit report and its CSV, staff accounts, and who is refused."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, FrameRecorder, sign_in

LIVE_TIMEOUT = 10_000


def _console(page, portal, username: str) -> None:
    sign_in(page, portal.url, username)
    expect(page).to_have_url(re.compile(r"/console/?$"))


def test_admin_publishes_a_notice_a_patient_sees_live(portal, open_context):
    patient = open_context(PHONE).new_page()
    sign_in(patient, portal.url, "nadia.farouk")
    expect(patient).to_have_url(re.compile(r"/home/?$"))
    admin = open_context(DESKTOP).new_page()
    _console(admin, portal, "admin.hughes")
    admin.get_by_role("link", name="Notices", exact=True).locator("visible=true").click()
    expect(admin).to_have_url(re.compile(r"/console/notices/?$"))
    text = f"Flu shots on Saturday ({secrets.token_hex(3)})"
    admin.locator("#field-message").fill(text)
    admin.locator("#field-message_es").fill(f"Vacunas el sábado {text[-8:]}")
    admin.get_by_role("button", name="Publish notice").click()
    expect(admin.get_by_role("status").filter(has_text="The notice is published.")).to_be_visible()
    expect(patient.locator(".clinic-notice").filter(has_text=text)).to_be_visible(timeout=LIVE_TIMEOUT)
    admin.locator("li").filter(has_text=text).get_by_role("button", name="Withdraw").click()
    expect(admin.get_by_role("status").filter(has_text="The notice is withdrawn.")).to_be_visible()
    expect(patient.locator(".clinic-notice").filter(has_text=text)).to_have_count(0, timeout=LIVE_TIMEOUT)


def test_admin_sees_the_audit_report_and_downloads_csv(portal, open_context):
    page = open_context(DESKTOP).new_page()
    frames = FrameRecorder(page)
    _console(page, portal, "admin.hughes")
    page.get_by_role("link", name="Audit", exact=True).locator("visible=true").click()
    expect(page).to_have_url(re.compile(r"/console/audit/?$"))
    table = page.locator("#audit-table")
    expect(table.get_by_role("cell", name="sign_in", exact=True).first).to_be_visible()
    assert '"rows_rx_state_":[{' in frames.text()  # what the refusal tests look for does show up when allowed
    # sort by action, ascending, then reversed
    page.get_by_role("button", name="Action", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Action")
    page.get_by_role("button", name="Action", exact=True).click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Action")
    # filter by action
    page.locator("#field-action").select_option("sign_in")
    page.get_by_role("button", name="Show report").click()
    actions = table.locator("tbody tr td:nth-child(4)")
    expect(actions.first).to_have_text("sign_in")
    assert set(actions.all_inner_texts()) == {"sign_in"}
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = open(download.path(), encoding="utf-8").read()
    assert content.startswith("id,occurred_at,actor_user_id")
    assert "sign_in" in content


def test_admin_creates_a_staff_account_and_sees_its_password_once(portal, open_context):
    page = open_context(DESKTOP).new_page()
    frames = FrameRecorder(page)
    _console(page, portal, "admin.hughes")
    page.goto(f"{portal.url}/console/staff")
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    username = f"rn.new{secrets.randbelow(10**6)}"
    page.locator("#field-username").fill(username)
    page.locator("#field-display_name").fill("Nia New")
    page.locator("#field-role").select_option("nurse")
    page.get_by_role("button", name="Create account").click()
    shown = page.locator("#one-time-password")
    expect(shown).to_have_text(re.compile(r"^[A-Za-z0-9]{16}$"))
    password = shown.inner_text()
    page.get_by_role("button", name="I have given it; hide it").click()
    expect(shown).to_have_count(0)
    row = page.locator("li").filter(has_text=username)
    expect(row).to_contain_text("Nurse")
    row.get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("Disabled")
    assert "password_hash" not in frames.text()
    assert password in frames.text()  # sent once, while shown
    page.reload()
    expect(page.locator("li").filter(has_text=username)).to_be_visible()
    expect(page.locator("#one-time-password")).to_have_count(0)


def test_front_desk_cannot_open_the_audit_report(portal, open_context):
    page = open_context(PHONE).new_page()
    frames = FrameRecorder(page)
    _console(page, portal, "desk.tanaka")
    expect(page.get_by_role("link", name="Notices", exact=True).locator("visible=true")).to_be_visible()
    expect(page.get_by_role("link", name="Audit", exact=True)).to_have_count(0)
    page.goto(f"{portal.url}/console/audit")
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do that.")).to_be_visible()
    expect(page.locator("#audit-table")).to_have_count(0)
    assert '"rows_rx_state_":[{' not in frames.text()  # no audit row reached this browser
    page.goto(f"{portal.url}/console/outbox")
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do that.")).to_be_visible()
    assert '"messages_rx_state_":[{' not in frames.text()


def test_nurse_cannot_open_staff_accounts(portal, open_context):
    page = open_context(DESKTOP).new_page()
    frames = FrameRecorder(page)
    _console(page, portal, "rn.baptiste")
    expect(page.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Notices", exact=True)).to_have_count(0)
    page.goto(f"{portal.url}/console/staff")
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do that.")).to_be_visible()
    expect(page.locator("li").filter(has_text="admin.hughes")).to_have_count(0)
    assert "admin.hughes" not in frames.text() and '"people_rx_state_":[{' not in frames.text()


STAFF_ROUTES = ["/console", "/console/account", "/console/audit", "/console/message-teams", "/console/messages",
                "/console/notices", "/console/outbox", "/console/patients", "/console/profile-reviews",
                "/console/refills", "/console/results", "/console/schedule", "/console/signups", "/console/staff"]


def test_a_patient_is_refused_every_staff_page(portal, open_context):
    page = open_context(PHONE).new_page()
    frames = FrameRecorder(page)
    sign_in(page, portal.url, "nadia.farouk")
    expect(page).to_have_url(re.compile(r"/home/?$"))
    for route in STAFF_ROUTES:
        page.goto(f"{portal.url}{route}")
        expect(page).to_have_url(re.compile(r"/home/?$"))
        expect(page.get_by_role("heading", name="Clinic console")).to_have_count(0)
    assert "Walter Pimm" not in frames.text() and "Sam Oduya" not in frames.text()  # no other chart reached her


def test_front_desk_sees_no_result_anywhere(portal, open_context):
    page = open_context(DESKTOP).new_page()
    frames = FrameRecorder(page)
    _console(page, portal, "desk.tanaka")
    page.goto(f"{portal.url}/console/results")
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do that.")).to_be_visible()
    for route in ("/health", "/health/results"):  # the patients' pages send staff back to the console
        page.goto(f"{portal.url}{route}")
        expect(page).to_have_url(re.compile(r"/console/?$"))
    assert "Hemoglobin" not in frames.text() and "mg/dL" not in frames.text()


def test_the_nurse_sees_what_is_waiting_and_goes_straight_to_it(portal, open_context):
    from tests.browser.test_accessibility import _check

    page = open_context(PHONE).new_page()
    _console(page, portal, "rn.baptiste")
    waiting = page.locator("#console-waiting")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    overdue = waiting.get_by_role("link").filter(has_text="Messages past the time we promised an answer")
    expect(overdue).to_have_text(re.compile(r"^[1-9]\d*"))  # the demo's overdue question
    expect(waiting.get_by_role("link").filter(has_text="Refill requests to review")).to_be_visible()
    expect(waiting.get_by_role("link").filter(has_text="New results to review")).to_have_count(0)  # clinicians' work
    _check(page, "console-waiting", "390")
    overdue.click()
    expect(page).to_have_url(re.compile(r"/console/messages/?$"))
