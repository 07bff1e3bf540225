"""First load of /signin on a phone, cold: the bytes a patient downloads and when they can act.

Why: most patients arrive on a phone with an empty cache, and the JavaScript they download is the
part of the page cost the portal controls. Each run uses a new browser context (empty cache, no
service worker) at 390x844.

- JS: sum of `Network.loadingFinished.encodedDataLength` (bytes on the wire, compressed, headers
  included) over requests whose CDP resource type is Script. Total: the same over every request
  (the websocket's frames are not included; their size is reported separately).
- TTI: ms from navigation start (the page's performance.timeOrigin, so the /signin -> /signin/
  redirect counts) until the websocket has delivered its first state frame AND the sign-in button
  is enabled, both timed inside the page (see bench/probe.py).

One load before the RUNS measured ones is discarded (kept in the JSON under `warmup_runs`): it pays
for the freshly started server's first request, which no patient sees.
"""

from __future__ import annotations

import statistics
from urllib.parse import urlsplit

from playwright.sync_api import Browser, TimeoutError as PlaywrightTimeout

from bench import probe
from bench.stats import summary
from tests.support.browser import PHONE, FrameRecorder, new_context
from tests.support.server import ServedPortal

PATH = "/signin"
READY = "button[type=submit]"
RUNS = 5
WARMUP_RUNS = 1
LOCAL_HOSTS = {"127.0.0.1"}


def _load_once(portal: ServedPortal, browser: Browser) -> dict:
    context = new_context(browser, PHONE)
    try:
        probe.instrument(context, ready_selector=READY)
        page = context.new_page()
        frames = FrameRecorder(page)  # page.on("websocket"): what the page received
        cdp = context.new_cdp_session(page)
        requests: dict[str, dict] = {}

        def entry(event: dict) -> dict:
            return requests.setdefault(event["requestId"], {"url": "", "type": None, "encoded": None,
                                                            "decoded": 0, "failed": False})

        def will_be_sent(e: dict) -> None:
            r = entry(e)
            r["url"] = e["request"]["url"]
            r["type"] = r["type"] or e.get("type")

        def response(e: dict) -> None:
            entry(e)["type"] = e.get("type") or entry(e)["type"]

        def data(e: dict) -> None:
            entry(e)["decoded"] += e.get("dataLength", 0)

        def finished(e: dict) -> None:
            entry(e)["encoded"] = e["encodedDataLength"]

        def failed(e: dict) -> None:
            entry(e)["failed"] = True

        cdp.on("Network.requestWillBeSent", will_be_sent)
        cdp.on("Network.responseReceived", response)
        cdp.on("Network.dataReceived", data)
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.loadingFailed", failed)
        cdp.send("Network.enable")

        page.goto(portal.url + PATH, wait_until="commit")
        interactive = probe.wait_until_interactive(page, frames)
        try:  # let late chunks, fonts and icons finish so the byte counts are complete
            page.wait_for_load_state("networkidle", timeout=15_000)
        except PlaywrightTimeout:
            pass
        for _ in range(100):  # bounded: every HTTP request has finished or failed
            if all(r["encoded"] is not None or r["failed"] for r in requests.values() if _http(r["url"])):
                break
            page.wait_for_timeout(50)
        times = probe.timings(page)
        cdp.detach()
    finally:
        context.close()

    http = [r for r in requests.values() if _http(r["url"]) and r["encoded"] is not None]
    scripts = [r for r in http if r["type"] == "Script"]
    state = probe.state_frames(frames)
    return {
        "interactive": interactive,
        "js_bytes": sum(r["encoded"] for r in scripts),
        "js_decoded_bytes": sum(r["decoded"] for r in scripts),
        "js_requests": len(scripts),
        "total_bytes": sum(r["encoded"] for r in http),
        "requests": len(http),
        "unfinished_requests": sum(1 for r in requests.values() if _http(r["url"]) and r["encoded"] is None),
        "offsite_requests": sorted({r["url"] for r in requests.values()
                                    if _http(r["url"]) and urlsplit(r["url"]).hostname not in LOCAL_HOSTS}),
        "tti_ms": times["interactive"],
        "first_state_frame_ms": times["firstStateFrame"],
        "redirect_ms": times["redirect"],
        "dom_content_loaded_ms": times["domContentLoaded"],
        "load_ms": times["load"],
        "ws_state_frames": len(state),
        "ws_state_chars": sum(len(f) for f in state),
    }


def _http(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def run(portal: ServedPortal, browser: Browser) -> dict:
    warmup = [_load_once(portal, browser) for _ in range(WARMUP_RUNS)]
    runs = [_load_once(portal, browser) for _ in range(RUNS)]
    timed = [r for r in runs if r["interactive"] and r["tti_ms"] is not None]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def ms(key: str) -> dict:
        return summary([r[key] for r in timed if r[key] is not None], digits=1)

    return {
        "path": PATH,
        "viewport": PHONE,
        "runs_requested": RUNS,
        "runs_interactive": len(timed),
        "js_bytes": med("js_bytes"),
        "js_decoded_bytes": med("js_decoded_bytes"),
        "js_requests": med("js_requests"),
        "total_bytes": med("total_bytes"),
        "requests": med("requests"),
        "ws_state_chars": med("ws_state_chars"),
        "tti_ms": ms("tti_ms"),
        "first_state_frame_ms": ms("first_state_frame_ms"),
        "dom_content_loaded_ms": ms("dom_content_loaded_ms"),
        "load_ms": ms("load_ms"),
        "redirect_ms": ms("redirect_ms"),
        "offsite_requests": sorted({u for r in runs for u in r["offsite_requests"]}),
        "runs": runs,
        "warmup_runs": warmup,
    }


def summarize(result: dict) -> str:
    kb = lambda n: f"{n / 1000:.1f} KB"  # noqa: E731  (1 KB = 1000 bytes)
    tti, dcl, frame = result["tti_ms"], result["dom_content_loaded_ms"], result["first_state_frame_ms"]
    lines = [
        f"first load {result['path']} (phone {result['viewport']['width']}x{result['viewport']['height']}, "
        f"{result['runs_interactive']}/{result['runs_requested']} cold loads after {len(result['warmup_runs'])} warm-up): "
        f"JS {kb(result['js_bytes'])} (compressed; {kb(result['js_decoded_bytes'])} decoded, "
        f"{result['js_requests']:g} files), total {kb(result['total_bytes'])} ({result['requests']:g} requests), "
        f"TTI p50 {tti['p50']:.0f} ms p95 {tti['p95']:.0f} ms",
        f"  first state frame p50 {frame['p50']:.0f} ms, DOMContentLoaded p50 {dcl['p50']:.0f} ms, "
        f"redirect /signin -> /signin/ p50 {result['redirect_ms']['p50']:.0f} ms, "
        f"hydration state over the websocket {kb(result['ws_state_chars'])} (characters)",
    ]
    if result["offsite_requests"]:
        lines.append(f"  WARNING: requests left 127.0.0.1: {result['offsite_requests']}")
    return "\n".join(lines)
