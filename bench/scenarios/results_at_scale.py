"""Results for a patient with 5,000 observations: the results page opens and filters with
click-to-screen p95 within 3x the trivial Reflex event, and a 200-point trend chart renders in
under 300 ms.

Why: a patient followed for years has thousands of lab values; the page must stay quick. The bench
adds to Sam's chart 500 lab reports (one a week for ten years back), ten values each; one test
(TREND_LOINC) is in the newest 200 reports, so its trend has 200 points, and one (SINGLE_LOINC) once,
in the newest report. The page draws the newest groups first (state/health.py RESULTS_PAGE).
Each round, on a phone-sized page: apply a date filter (the last year) and clear it; show older
results once; open the
newest trend value (timed until the chart has drawn its 200 dots); go back to the results (timed
until the server's list is painted); then open the single value and go back, untimed, so the next
trend opening starts from a page without a chart. Timed in the page (bench/probe.py); the first
WARMUP rounds are discarded.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser
from sqlalchemy import insert
from sqlmodel import select

from bench import probe
from bench.stats import ratio, summary
from portal_app import clock, db
from portal_app.models.people import User
from portal_app.models.record import DiagnosticReport, Observation
from tests.support.browser import PHONE, new_context, sign_in
from tests.support.server import ServedPortal

USERNAME = "sam.oduya"
REPORTS = 500
VALUES_PER_REPORT = 10
TREND_REPORTS = 200
TREND_LOINC, TREND_NAME = "2345-7", "Glucose [Mass/volume] in Serum or Plasma"
SINGLE_LOINC, SINGLE_NAME = "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"
OTHERS = [("2160-0", "Creatinine"), ("2951-2", "Sodium"), ("2823-3", "Potassium"), ("2075-0", "Chloride"),
          ("2028-9", "Carbon dioxide"), ("3094-0", "Urea nitrogen"), ("17861-6", "Calcium"),
          ("2885-2", "Protein"), ("1751-7", "Albumin")]
ROUNDS = 12
WARMUP = 2
FIRST_GROUP = "main li h3"
CHART_DRAWN = ".result-trend .recharts-line-dots circle:nth-of-type(200)"


def _seed(url: str) -> dict:
    now = clock.now()
    with db.transaction(url) as session:
        patient_id = session.exec(select(User.patient_id).where(User.username == USERNAME)).one()
        first = (session.exec(select(DiagnosticReport.id).order_by(DiagnosticReport.id.desc())).first() or 0) + 1
        reports, values = [], []
        for n in range(REPORTS):
            at = now - timedelta(days=7 * n + 1)
            reports.append({"id": first + n, "patient_id": patient_id, "code": "24323-8",
                            "name": "Comprehensive metabolic panel", "category": "labs", "status": "final",
                            "effective_at": at, "issued_at": at + timedelta(hours=6), "created_at": at})
            tests = [(TREND_LOINC, TREND_NAME) if n < TREND_REPORTS else ("2345-7x", "Glucose (other lab)")] + OTHERS
            if n == 0:
                tests[-1] = (SINGLE_LOINC, SINGLE_NAME)
            for k, (loinc, name) in enumerate(tests):
                values.append({"patient_id": patient_id, "category": "laboratory", "loinc_code": loinc, "name": name,
                               "status": "final", "value_num": 90 + (n * 7 + k * 3) % 40, "unit": "mg/dL",
                               "range_low": 70.0, "range_high": 110.0, "effective_at": at,
                               "issued_at": at + timedelta(hours=6), "report_id": first + n, "created_at": at})
        session.execute(insert(DiagnosticReport), reports)
        for start in range(0, len(values), 2_000):
            session.execute(insert(Observation), values[start:start + 2_000])
        newest_trend = session.exec(select(Observation.id).where(Observation.patient_id == patient_id,
                                                                 Observation.loinc_code == TREND_LOINC)
                                    .order_by(Observation.effective_at.desc())).first()
        single = session.exec(select(Observation.id).where(Observation.patient_id == patient_id,
                                                           Observation.loinc_code == SINGLE_LOINC)).first()
    return {"reports": REPORTS, "observations": len(values), "trend_id": newest_trend, "single_id": single,
            "since": (now - timedelta(days=365)).date().isoformat(), "until": now.date().isoformat()}


def _rounds(browser: Browser, portal: ServedPortal, seeded: dict) -> dict[str, tuple[list[float], list[float]]]:
    context = new_context(browser, PHONE)
    trend, single = (f"main a[href='/health/result?id={seeded[key]}']" for key in ("trend_id", "single_id"))
    back = "main a[href='/health/results']"
    try:
        probe.instrument(context)
        page = context.new_page()
        sign_in(page, portal.url, USERNAME)
        page.wait_for_url("**/home", timeout=30_000)
        page.goto(portal.url + "/health/results")
        page.wait_for_selector(FIRST_GROUP, timeout=60_000)
        probe.settle(page, quiet_ms=300, max_ms=20_000)
        probe.mark_baseline(page)
        timed: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in ("filter", "older", "chart", "open")}

        def click(name: str, selector: str, ready: str) -> None:
            page.wait_for_selector(selector, state="attached", timeout=30_000)
            result = probe.click_to_update_painted(page, selector, ready, timeout_ms=60_000)
            timed[name][0].append(result["ms"])
            timed[name][1].append(result["frame_ms"])
            probe.settle(page, max_ms=20_000)

        for _ in range(ROUNDS):
            page.locator("main details summary").first.click()  # the date filter
            page.fill("#field-since", seeded["since"])
            page.fill("#field-until", seeded["until"])
            click("filter", "main form button[type=submit]", FIRST_GROUP)
            click("filter", "main form button[type=button]", FIRST_GROUP)  # clear: everything again
            click("older", "#results-older", FIRST_GROUP)
            click("chart", trend, CHART_DRAWN)
            click("open", back, FIRST_GROUP)
            page.click(single)
            page.get_by_role("heading", name=SINGLE_NAME).wait_for(timeout=30_000)
            page.click(back)
            page.wait_for_selector(trend, state="attached", timeout=30_000)
            probe.settle(page, max_ms=20_000)
        return timed
    finally:
        context.close()


def run(portal: ServedPortal, browser: Browser) -> dict:
    seeded = _seed(portal.env["PORTAL_DATABASE_URL"])
    trivial = probe.trivial_samples(browser, portal.url, 40)[8:]
    timed = _rounds(browser, portal, seeded)
    per_click = {"filter": 2, "older": 1, "chart": 1, "open": 1}
    figures = {"trivial_ms": summary(trivial)}
    for name, (screen, server) in timed.items():
        figures[f"{name}_ms"] = summary(screen[WARMUP * per_click[name]:])
        figures[f"{name}_update_arrived_ms"] = summary(server[WARMUP * per_click[name]:])
    for name in ("filter", "older", "open"):
        figures[f"{name}_ratio_p95"] = ratio(figures[f"{name}_ms"]["p95"], figures["trivial_ms"]["p95"])
    return {"reports": seeded["reports"], "observations": seeded["observations"], **figures,
            "samples_ms": {"trivial": [round(v, 2) for v in trivial],
                           **{name: [round(v, 2) for v in screen] for name, (screen, _s) in timed.items()}}}


def summarize(result: dict) -> str:
    t, f, o, c = result["trivial_ms"], result["filter_ms"], result["open_ms"], result["chart_ms"]
    return (f"results at scale ({result['observations']} observations in {result['reports']} reports): trivial p95 "
            f"{t['p95']:.1f} ms | open the results p50 {o['p50']:.1f} p95 {o['p95']:.1f} ms ({result['open_ratio_p95']:.1f}x) | "
            f"filter by dates p50 {f['p50']:.1f} p95 {f['p95']:.1f} ms ({result['filter_ratio_p95']:.1f}x) | "
            f"show older p95 {result['older_ms']['p95']:.1f} ms ({result['older_ratio_p95']:.1f}x); goal within 3x\n"
            f"  trend chart of 200 points: click to drawn p50 {c['p50']:.1f} p95 {c['p95']:.1f} ms (goal < 300 ms), "
            f"of which the server's answer arrived after p95 {result['chart_update_arrived_ms']['p95']:.1f} ms; "
            f"results list update arrived after p95 {result['open_update_arrived_ms']['p95']:.1f} ms")
