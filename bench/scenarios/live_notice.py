"""Live update delay: from a clinic notice's commit to its appearance on an open page.

Why: the foundation promises that a change reaches every open page within 2 seconds without a
reload. The notice is committed in this process (like a staff action or a command would), the
clock read right after the commit; the page records, with a MutationObserver, the wall-clock time
the notice's text appears. Both clocks are this machine's, so the difference is the delay a
patient would see: the hub's poll interval plus delivery and rendering.
"""

from __future__ import annotations

import secrets
import time

from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.stats import summary
from portal_app import db
from portal_app.services import notices
from portal_app.services.access import Actor
from tests.support.browser import PHONE, new_context
from tests.support.server import ServedPortal

ROUNDS = 12
# Arms an observer and returns at once; the time the text appears lands in window.__noticeShownAt.
WATCH = """(text) => {
    window.__noticeShownAt = null;
    const seen = () => [...document.querySelectorAll('.clinic-notice')].some((n) => n.textContent.includes(text));
    const observer = new MutationObserver(() => {
        if (seen()) { window.__noticeShownAt = Date.now(); observer.disconnect(); }
    });
    observer.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def _publish(url: str, text: str) -> tuple[int, float]:
    with db.transaction(url) as session:
        notice_id = notices.publish(session, Actor.system("bench"), text)
    return notice_id, time.time() * 1000


def _withdraw(url: str, notice_id: int) -> None:
    with db.transaction(url) as session:
        notices.withdraw(session, Actor.system("bench"), notice_id)


def run(portal: ServedPortal, browser: Browser) -> dict:
    url = portal.env["PORTAL_DATABASE_URL"]
    context = new_context(browser, PHONE)
    delays: list[float] = []
    missed = 0
    try:
        page = context.new_page()
        page.goto(portal.url + "/signin")
        page.wait_for_selector("h1")
        page.wait_for_timeout(1500)  # hydrated and subscribed
        for _ in range(ROUNDS):
            text = f"Bench notice {secrets.token_hex(4)}"
            page.evaluate(WATCH, text)  # the observer is armed before the commit
            notice_id, committed_at = _publish(url, text)
            try:
                page.wait_for_function("window.__noticeShownAt !== null", timeout=10_000)
                delays.append(page.evaluate("window.__noticeShownAt") - committed_at)
            except PlaywrightTimeout:
                missed += 1
            _withdraw(url, notice_id)
            page.wait_for_timeout(300)
    finally:
        context.close()
    return {"rounds": ROUNDS, "missed": missed, "delay_ms": summary(delays), "samples_ms": delays}


def summarize(result: dict) -> str:
    d = result["delay_ms"]
    return (f"live notice (commit -> on screen, {result['rounds']} rounds, {result['missed']} missed): "
            f"p50 {d['p50']:.0f} ms p95 {d['p95']:.0f} ms max {d['max']:.0f} ms (target: under 2000 ms)")
