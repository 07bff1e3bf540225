"""Click-to-screen on /signin: a trivial Reflex event against a real portal interaction.

Why: the trivial event (PasswordVisibility.toggle flips one bool; the button label changes
Show <-> Hide) is the floor that Reflex itself sets: websocket round trip, state
(de)serialisation, React commit. The language switch (PreferencesState.choose_language, then
NoticesState.watch reading the clinic's notices from the database; the heading changes
"Sign in" <-> "Iniciar sesión") is what the portal adds on top. Their ratio shows how much of the
latency is ours.

Each click is timed inside the page, from just before `element.click()` to the MutationObserver
callback that sees the watched text change (bench/probe.py), so no Python is in the measurement.
After each click the page is left to settle (every event answered, 50 ms without frames) so the
notices reload that follows a language switch does not overlap the next click. The two kinds
alternate, PAIRS times each; the first WARMUP of each are discarded.
"""

from __future__ import annotations

from playwright.sync_api import Browser

from bench import probe
from bench.stats import ratio, summary
from tests.support.browser import PHONE, FrameRecorder, new_context
from tests.support.server import ServedPortal

PATH = "/signin"
PAIRS = 60
WARMUP = 10
KINDS = {
    # name: (what to click, whose text must change)
    "trivial": ("button[aria-controls='field-password']", "button[aria-controls='field-password']"),
    "language_switch": ("main fieldset button[aria-pressed='false']", "main h1"),
}


def run(portal: ServedPortal, browser: Browser) -> dict:
    context = new_context(browser, PHONE)
    try:
        probe.instrument(context, ready_selector="button[type=submit]")
        page = context.new_page()
        frames = FrameRecorder(page)
        page.goto(portal.url + PATH)
        if not probe.wait_until_interactive(page, frames):
            raise RuntimeError(f"{PATH} did not become interactive within the time allowed")
        probe.settle(page, quiet_ms=200)
        probe.mark_baseline(page)

        samples: dict[str, list[float]] = {name: [] for name in KINDS}
        examples: dict[str, list[str]] = {name: [] for name in KINDS}
        unsettled = 0
        for _ in range(PAIRS):
            for name, (click, watch) in KINDS.items():
                change = probe.click_to_text_change(page, click, watch)
                samples[name].append(change["ms"])
                if len(examples[name]) < 2:
                    examples[name].append(f"{change['before']} -> {change['after']}")
                unsettled += not probe.settle(page)
    finally:
        context.close()

    measured = {name: values[WARMUP:] for name, values in samples.items()}
    figures = {name: summary(values) for name, values in measured.items()}
    trivial, portal_ = figures["trivial"], figures["language_switch"]
    return {
        "path": PATH,
        "pairs": PAIRS,
        "warmup_discarded": WARMUP,
        "trivial_ms": trivial,
        "language_switch_ms": portal_,
        "ratio_p50": ratio(portal_["p50"], trivial["p50"]),
        "ratio_p95": ratio(portal_["p95"], trivial["p95"]),
        "text_changes_seen": examples,
        "clicks_not_settled_in_5s": unsettled,
        "samples_ms": {name: [round(v, 2) for v in values] for name, values in samples.items()},
    }


def summarize(result: dict) -> str:
    t, p = result["trivial_ms"], result["language_switch_ms"]
    line = (f"click-to-screen {result['path']} ({t['n']} + {p['n']} clicks after {result['warmup_discarded']} "
            f"warm-up each): trivial p50 {t['p50']:.1f} ms p95 {t['p95']:.1f} ms | "
            f"language switch p50 {p['p50']:.1f} ms p95 {p['p95']:.1f} ms | "
            f"ratio p50 {result['ratio_p50']:.1f}x p95 {result['ratio_p95']:.1f}x")
    if result["clicks_not_settled_in_5s"]:
        line += f"\n  WARNING: {result['clicks_not_settled_in_5s']} clicks still had frames in flight after 5 s"
    return line
