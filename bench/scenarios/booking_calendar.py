"""Booking on a phone: opening the calendar and choosing a day, click-to-screen p95 against the
trivial Reflex event measured in the same run (the goal: within 3x).

Why: both clicks wait on open times computed from the clinic's set-up (services/open_times.py):
"first available" asks for every clinician's month (the calendar marks days with an opening) and
then for one day's times. Nadia books a Check-up with the first available clinician in the demo
clinic; each round clicks "first available" (the calendar appears with its open days), then the
first open day (its times appear), then Back twice. Timed in the page (bench/probe.py), the first
WARMUP rounds discarded.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser

from bench import probe
from bench.stats import ratio, summary
from tests.support.browser import PHONE, new_context, sign_in
from tests.support.server import ServedPortal

ROUNDS = 30
WARMUP = 5
USERNAME = "nadia.farouk"
VISIT = "Check-up"
FIRST_AVAILABLE = "main ul li:first-child button"  # "First available" heads the clinicians' list
OPEN_DAY = "main .appt-day-open"
TIME = "main .appt-time"


def _rounds(browser: Browser, portal: ServedPortal) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    context = new_context(browser, PHONE)
    try:
        probe.instrument(context)
        page = context.new_page()
        sign_in(page, portal.url, USERNAME)
        page.wait_for_url("**/home", timeout=30_000)
        page.goto(portal.url + "/appointments/book")
        page.get_by_role("button", name=re.compile(f"^{VISIT}")).click()
        page.get_by_role("heading", name="Who would you like to see?").wait_for(timeout=30_000)
        probe.settle(page, quiet_ms=300)
        probe.mark_baseline(page)
        screen: dict[str, list[float]] = {"calendar": [], "day": []}
        server: dict[str, list[float]] = {"calendar": [], "day": []}
        for _ in range(ROUNDS):
            for name, click, ready in (("calendar", FIRST_AVAILABLE, OPEN_DAY), ("day", OPEN_DAY, TIME)):
                page.wait_for_selector(click, timeout=20_000)
                timed = probe.click_to_update_painted(page, click, ready)
                screen[name].append(timed["ms"])
                server[name].append(timed["frame_ms"])
                probe.settle(page)
            for heading in ("Choose a day", "Who would you like to see?"):
                page.get_by_role("button", name="Back", exact=True).click()
                page.get_by_role("heading", name=heading).wait_for(timeout=20_000)
                probe.settle(page)
        return screen, server
    finally:
        context.close()


def run(portal: ServedPortal, browser: Browser) -> dict:
    trivial = probe.trivial_samples(browser, portal.url, ROUNDS + WARMUP)[WARMUP:]
    screen, server = _rounds(browser, portal)
    figures = {"trivial_ms": summary(trivial)}
    for name in screen:
        figures[f"{name}_ms"] = summary(screen[name][WARMUP:])
        figures[f"{name}_update_arrived_ms"] = summary(server[name][WARMUP:])
        figures[f"{name}_ratio_p95"] = ratio(figures[f"{name}_ms"]["p95"], figures["trivial_ms"]["p95"])
    return {**figures, "samples_ms": {"trivial": [round(v, 2) for v in trivial],
                                      **{name: [round(v, 2) for v in values[WARMUP:]] for name, values in screen.items()}}}


def summarize(result: dict) -> str:
    t, c, d = result["trivial_ms"], result["calendar_ms"], result["day_ms"]
    return (f"booking calendar ({c['n']} rounds): trivial p95 {t['p95']:.1f} ms | open the calendar p50 {c['p50']:.1f} "
            f"p95 {c['p95']:.1f} ms ({result['calendar_ratio_p95']:.1f}x) | choose a day p50 {d['p50']:.1f} "
            f"p95 {d['p95']:.1f} ms ({result['day_ratio_p95']:.1f}x); goal within 3x\n"
            f"  of which the server's answer arrived after: calendar p95 {result['calendar_update_arrived_ms']['p95']:.1f} ms, "
            f"day p95 {result['day_update_arrived_ms']['p95']:.1f} ms")
