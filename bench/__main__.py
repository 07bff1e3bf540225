"""`python -m bench [scenario ...]`: serve the portal once, run the scenarios, print and save figures.

Why one served portal for all scenarios: building and starting the production server takes
30-60 s, far longer than any scenario. Scenarios each open their own browser contexts, so they do
not share caches or sessions. Nothing here asserts a time; a failing scenario is reported (and
the exit status is 1) while the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.scenarios import SCENARIOS, load
from tests.support.browser import launch
from portal_app.config import Settings
from tests.support.server import ServedPortal, serve_portal

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "latest.json"


def _serve(stack: ExitStack, workdir: Path) -> ServedPortal:
    """Serve the portal; retry once, because the frontend build in .web/ is shared with anyone
    else building at the same moment and a collision fails the first attempt."""
    for attempt in (1, 2):
        try:
            # The production live-signal poll interval, not the tests' faster one, so figures are honest.
            # A generous start-up limit: on a shared machine the production build alone can take minutes.
            return stack.enter_context(serve_portal(workdir / f"attempt-{attempt}", timeout=600,
                                                    PORTAL_LIVE_POLL_SECONDS=str(Settings().live_poll_seconds)))
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            if attempt == 2:
                raise
            print(f"the portal did not start ({str(exc).splitlines()[0]}); retrying once", flush=True)
    raise AssertionError("unreachable")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"scenarios to run (default: all of {', '.join(SCENARIOS)})")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name in SCENARIOS:
            print(f"{name}: {(load(name).__doc__ or '').strip().splitlines()[0]}")
        return 0
    unknown = [n for n in args.scenarios if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    names = list(dict.fromkeys(args.scenarios)) or list(SCENARIOS)
    modules = {name: load(name) for name in names}

    report: dict = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "reflex": _version("reflex"), "playwright": _version("playwright"),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "scenarios": {},
    }
    failed = 0
    started = time.monotonic()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-")))
        print("building and serving the portal (30-60 s)...", flush=True)
        portal = _serve(stack, workdir)
        report["portal_url"] = portal.url
        playwright = stack.enter_context(sync_playwright())
        browser = launch(playwright)
        stack.callback(browser.close)
        report["machine"]["chromium"] = browser.version
        print(f"portal up at {portal.url} after {time.monotonic() - started:.0f} s; "
              f"Chromium {browser.version}", flush=True)
        for name, module in modules.items():
            print(f"running {name}...", flush=True)
            t0 = time.monotonic()
            try:
                result = module.run(portal, browser)
            except Exception as exc:  # report it, keep going with the other scenarios
                traceback.print_exc()
                result = {"error": f"{type(exc).__name__}: {exc}"}
                failed += 1
            result["wall_seconds"] = round(time.monotonic() - t0, 1)
            report["scenarios"][name] = result
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")

    m = report["machine"]
    print()
    print(f"== portal benchmarks: commit {report['commit']}, Reflex {m['reflex']}, Chromium {m.get('chromium')}, "
          f"{m['cpus']} CPUs, load average {m['load_average_at_start'][0]} -> {m['load_average_at_end'][0]} ==")
    for name, result in report["scenarios"].items():
        if "error" in result:
            print(f"{name}: FAILED: {result['error']}")
        else:
            print(modules[name].summarize(result))
    print(f"saved {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
