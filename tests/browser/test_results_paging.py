"""Years of results at 390x844 and 1280x800: the results page draws the newest groups first, says how
many older ones are not shown yet, and "Show older results" adds them; another patient's page shows
none of them. axe-core checks both states; screenshots land in test-artifacts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert
from sqlmodel import select

from portal_app import clock, db
from portal_app.models.people import User
from portal_app.models.record import DiagnosticReport, Observation
from portal_app.services import record
from portal_app.services.access import Actor
from portal_app.state.health import RESULTS_PAGE
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in
from tests.support.server import serve_portal

WAIT = 30_000  # ms: sign-in and page loads take seconds on a busy machine
PANELS = 40  # more than one page of groups


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_portal(tmp_path_factory.mktemp("results-paging"), timeout=600) as portal:  # a busy machine builds slowly
        yield portal


def _add_panels(url: str) -> int:
    """PANELS lab reports on Sam's chart, a minute apart ("Panel 00" the newest, all newer than the demo's), each
    with one glucose value; returns how many result groups Sam's page has in all."""
    now = clock.now()
    with db.transaction(url) as session:
        sam = session.exec(select(User).where(User.username == "sam.oduya")).one()
        first = (session.exec(select(DiagnosticReport.id).order_by(DiagnosticReport.id.desc())).first() or 0) + 1
        at = [now - timedelta(minutes=1 + n) for n in range(PANELS)]
        session.execute(insert(DiagnosticReport), [
            {"id": first + n, "patient_id": sam.patient_id, "name": f"Panel {n:02d}", "category": "labs",
             "status": "final", "effective_at": at[n], "issued_at": at[n], "created_at": at[n]} for n in range(PANELS)])
        session.execute(insert(Observation), [
            {"patient_id": sam.patient_id, "category": "laboratory", "loinc_code": "2345-7", "name": "Glucose",
             "status": "final", "value_num": 95.0, "unit": "mg/dL", "range_low": 70.0, "range_high": 110.0,
             "effective_at": at[n], "issued_at": at[n], "report_id": first + n, "created_at": at[n]}
            for n in range(PANELS)])
    return _groups_of(url, "sam.oduya")


def _groups_of(url: str, username: str) -> int:
    with db.transaction(url) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        reader = Actor.for_user(user)
        return len(record.results(session, reader, user.patient_id).groups)


def _panel(page, n: int):
    return page.get_by_role("heading", name=f"Panel {n:02d}", exact=True)


def test_older_results_come_a_page_at_a_time(served, open_context):
    total = _add_panels(served.env["PORTAL_DATABASE_URL"])
    assert total >= PANELS > RESULTS_PAGE
    after_one_more = min(total, 2 * RESULTS_PAGE)

    for viewport, size in ((PHONE, "390"), (DESKTOP, "1280")):
        page = open_context(viewport).new_page()
        page.set_default_timeout(60_000)  # a full-page screenshot of fifty groups takes a while on a busy machine
        sign_in(page, served.url, "sam.oduya")
        expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
        page.goto(f"{served.url}/health/results")
        expect(_panel(page, 0)).to_be_visible(timeout=WAIT)
        expect(page.locator("main li h3")).to_have_count(RESULTS_PAGE)
        expect(_panel(page, RESULTS_PAGE - 1)).to_be_visible()
        expect(_panel(page, RESULTS_PAGE)).to_have_count(0)
        expect(page.get_by_role("status").filter(has_text="older results not shown yet")) \
            .to_have_text(f"{total - RESULTS_PAGE} older results not shown yet")
        _check(page, "/health/results-older", size)

        older = page.get_by_role("button", name="Show older results")
        older.focus()
        page.keyboard.press("Enter")  # the keyboard works it, as a screen reader user would
        expect(page.locator("main li h3")).to_have_count(after_one_more, timeout=WAIT)
        expect(_panel(page, RESULTS_PAGE)).to_be_visible()
        if after_one_more == total:
            expect(older).to_have_count(0)  # nothing older left
        _check(page, "/health/results-all", size)

    other = open_context(PHONE).new_page()
    sign_in(other, served.url, "nadia.farouk")
    expect(other).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    other.goto(f"{served.url}/health/results")
    expect(other.get_by_role("heading", name="Test results")).to_be_visible(timeout=WAIT)
    other.wait_for_timeout(1000)
    expect(other.get_by_role("heading", name=re.compile(r"^Panel \d\d$"))).to_have_count(0)
    # Her own results only: the count of older ones is hers, not Sam's.
    nadias = _groups_of(served.env["PORTAL_DATABASE_URL"], "nadia.farouk")
    if nadias > RESULTS_PAGE:
        expect(other.get_by_role("status").filter(has_text="older results not shown yet")) \
            .to_have_text(f"{nadias - RESULTS_PAGE} older results not shown yet")
    else:
        expect(other.get_by_role("button", name="Show older results")).to_have_count(0)
