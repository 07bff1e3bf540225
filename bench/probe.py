"""In-page instrumentation: timings taken with performance.now() inside the page.

Playwright delivers events to Python only when Python waits on it, so Python-side clocks would add
scheduling noise of several milliseconds. Everything timed here is timed in the page; Python only
starts a measurement and reads the result.

`INIT_SCRIPT` runs before any page script (context.add_init_script). It wraps the WebSocket
constructor to count the Reflex events a page sends and the state updates it receives, with their
times, and records the moments that define time to interactive.
"""

from __future__ import annotations

import json
import time

from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.browser import PHONE, FrameRecorder, new_context

# Reflex (socket.io) frames: an event the page sends, a state update (delta) it receives.
SENT_EVENT = '["event",{"name"'
RECEIVED_UPDATE = '["event",{'

INIT_SCRIPT = r"""
(() => {
  const B = window.__bench = {
    sent: 0, received: 0, lastReceived: 0, baseSent: 0, baseReceived: 0,
    firstStateFrame: null, interactive: null, readySelector: null,
  };
  // Time to interactive: the first state frame has arrived AND the ready control is enabled.
  B.check = () => {
    if (B.interactive !== null || B.firstStateFrame === null || !B.readySelector) return;
    const el = document.querySelector(B.readySelector);
    if (el && !el.disabled) B.interactive = performance.now();
  };
  const Native = window.WebSocket;
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      // Registered before socket.io sets onmessage, so this sees a frame before the app does.
      this.addEventListener('message', (e) => {
        const now = performance.now();
        const data = typeof e.data === 'string' ? e.data : '';
        if (!data.includes(%(update)s)) return;
        B.received += 1;
        B.lastReceived = now;
        if (B.firstStateFrame === null && data.includes('"delta"')) { B.firstStateFrame = now; B.check(); }
      });
    }
    send(data) {
      if (typeof data === 'string' && data.includes(%(sent)s)) B.sent += 1;
      return super.send(data);
    }
  }
  window.WebSocket = Recorded;
  new MutationObserver(() => B.check())
    .observe(document, {subtree: true, childList: true, attributes: true});
})();
""" % {"update": repr(RECEIVED_UPDATE), "sent": repr(SENT_EVENT)}

# Click `click` and resolve with the ms until the text of `watch` differs from before the click.
# The observer callback runs right after the DOM mutation (a microtask), so this is click → DOM,
# with no Python in between. Rejects after timeoutMs (a bounded wait, not an assertion).
CLICK_TO_TEXT_CHANGE = r"""
async ({click, watch, timeoutMs}) => {
  const read = () => { const el = document.querySelector(watch); return el ? el.textContent : null; };
  const button = document.querySelector(click);
  if (!button) throw new Error(`nothing matches ${click}`);
  const before = read();
  return await new Promise((resolve, reject) => {
    let t0 = 0;
    const observer = new MutationObserver(() => {
      const now = performance.now();
      const after = read();
      if (after === before) return;
      observer.disconnect(); clearTimeout(timer);
      resolve({ms: now - t0, before, after});
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`${watch} still read ${JSON.stringify(before)} ${timeoutMs} ms after clicking ${click}`));
    }, timeoutMs);
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    t0 = performance.now();
    button.click();
  });
}
"""

# Resolve once every event sent so far has had at least as many updates back and no frame has
# arrived for quietMs, or after maxMs, so one measurement's tail (e.g. the notices reload that
# follows a language switch) never lands inside the next one. Returns whether it settled.
SETTLE = r"""
async ({quietMs, maxMs}) => {
  const B = window.__bench;
  const start = performance.now();
  return await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const answered = B.received - B.baseReceived >= B.sent - B.baseSent;
      if (answered && now - Math.max(B.lastReceived, start) >= quietMs) return resolve(true);
      if (now - start >= maxMs) return resolve(false);
      setTimeout(tick, 5);
    };
    tick();
  });
}
"""


def instrument(context: BrowserContext, ready_selector: str | None = None) -> None:
    """Install the recorder in every page of the context; `ready_selector` is the control whose
    enabled state (after the first state frame) marks the page interactive."""
    context.add_init_script(INIT_SCRIPT)
    if ready_selector:
        context.add_init_script(f"window.__bench.readySelector = {json.dumps(ready_selector)};")


def timings(page: Page) -> dict:
    """What the recorder saw, in ms since navigation start (the page's performance.timeOrigin)."""
    return page.evaluate("""() => {
      const B = window.__bench, nav = performance.getEntriesByType('navigation')[0];
      return {firstStateFrame: B.firstStateFrame, interactive: B.interactive,
              sent: B.sent, received: B.received,
              redirect: nav ? nav.redirectEnd - nav.redirectStart : null,
              responseStart: nav ? nav.responseStart : null,
              domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
              load: nav ? nav.loadEventEnd : null};
    }""")


def state_frames(frames: FrameRecorder) -> list[str]:
    """Frames carrying state (a delta), as seen through Playwright's page.on("websocket")."""
    return [f for f in frames.frames if RECEIVED_UPDATE in f and '"delta"' in f]


def wait_until_interactive(page: Page, frames: FrameRecorder, timeout_s: float = 30) -> bool:
    """Poll (bounded) until Playwright has seen a state frame and the page recorded interactivity.

    The time itself comes from the page; this loop only decides when to read it.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if state_frames(frames) and page.evaluate("() => window.__bench.interactive !== null"):
            return True
        page.wait_for_timeout(20)
    return False


def mark_baseline(page: Page) -> None:
    """From here on SETTLE compares events sent with updates received (hydration is excluded)."""
    page.evaluate("() => { const B = window.__bench; B.baseSent = B.sent; B.baseReceived = B.received; }")


def settle(page: Page, quiet_ms: float = 50, max_ms: float = 5000) -> bool:
    return page.evaluate(SETTLE, {"quietMs": quiet_ms, "maxMs": max_ms})


def click_to_text_change(page: Page, click: str, watch: str, timeout_ms: float = 10000) -> dict:
    return page.evaluate(CLICK_TO_TEXT_CHANGE, {"click": click, "watch": watch, "timeoutMs": timeout_ms})


# Click `click` and resolve with the ms until the first state update after the click has arrived
# and the browser has painted what it changed (two animation frames after the update frame), and,
# when `ready` is given, a node matching it exists. For screens whose text may not change (the same
# list drawn again, a chart's dots), where CLICK_TO_TEXT_CHANGE would wait for ever. `frame_ms`:
# the update frame's arrival, the server's share.
CLICK_TO_UPDATE_PAINTED = r"""
async ({click, ready, timeoutMs}) => {
  const B = window.__bench;
  const button = document.querySelector(click);
  if (!button) throw new Error(`nothing matches ${click}`);
  const before = B.received;
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error(`no update painted ${timeoutMs} ms after clicking ${click}`)),
                             timeoutMs);
    const painted = (frameAt) => requestAnimationFrame(() => requestAnimationFrame(() => {
      if (ready && !ready.split("|").every((s) => document.querySelector(s))) return setTimeout(() => painted(frameAt), 1);
      clearTimeout(timer);
      resolve({ms: performance.now() - t0, frame_ms: frameAt - t0});
    }));
    const wait = () => (B.received > before ? painted(B.lastReceived) : setTimeout(wait, 1));
    button.click();
    wait();
  });
}
"""


def click_to_update_painted(page: Page, click: str, ready: str = "", timeout_ms: float = 20000) -> dict:
    """See CLICK_TO_UPDATE_PAINTED; `ready`: selectors (joined by |) that must all match at the end."""
    return page.evaluate(CLICK_TO_UPDATE_PAINTED, {"click": click, "ready": ready, "timeoutMs": timeout_ms})


TRIVIAL_TOGGLE = "button[aria-controls='field-password']"


def trivial_samples(browser: Browser, base_url: str, clicks: int) -> list[float]:
    """The floor: click-to-screen of the password Show/Hide toggle on /signin (one bool flipped),
    measured in the same run as a scenario's own clicks so that their ratio is fair."""
    context = new_context(browser, PHONE)
    try:
        instrument(context, ready_selector="button[type=submit]")
        page = context.new_page()
        frames = FrameRecorder(page)
        page.goto(base_url + "/signin")
        if not wait_until_interactive(page, frames):
            raise RuntimeError("/signin did not become interactive")
        settle(page, quiet_ms=200)
        mark_baseline(page)
        samples = []
        for _ in range(clicks):
            samples.append(click_to_text_change(page, TRIVIAL_TOGGLE, TRIVIAL_TOGGLE)["ms"])
            settle(page)
        return samples
    finally:
        context.close()
