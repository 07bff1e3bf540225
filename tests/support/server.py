"""Serving the production build of the portal on a free port, for browser tests and benchmarks.

Each served portal gets its own SQLite database with the demo clinic, fast test settings (bcrypt
cost 4, a 0.2 s live-signal poll) and, optionally, Redis with two web workers. Building the frontend
takes 30 s on a quiet machine and minutes on a busy one, so it is built once per source tree and
settings (tests/support/built_frontends.py) and callers start one portal per module, not per test.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from portal_app import db
from tests.support import built_frontends

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


PORTS = range(20000, 32000)  # below Linux's default ephemeral range (32768-60999)
SERVED: dict[str, "ServedPortal"] = {}  # base URL -> the portal serving it (for helpers given only a URL)


def free_port() -> int:
    """A port nothing listens on, below the kernel's range for outgoing connections. Parallel test
    processes (pytest-xdist) draw from separate blocks, since two processes asking the kernel at the
    same moment can be handed the same free port."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    block = (PORTS.stop - PORTS.start) // count
    low = PORTS.start + block * (int(worker) % count if worker.isdecimal() else 0)
    while True:
        port = low + secrets.randbelow(block)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


@dataclass
class ServedPortal:
    url: str
    port: int
    env: dict[str, str]
    log_path: Path
    workdir: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def portal_command(self, *args: str) -> subprocess.CompletedProcess:
        """Run a `portal` command against this portal's database (as an operator would)."""
        return subprocess.run([str(BIN / "portal"), *args], env=self.env, cwd=ROOT, capture_output=True,
                              text=True, check=True, timeout=120)


def portal_env(workdir: Path, port: int, redis_url: str | None = None, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PORTAL_ENV="test",
        PORTAL_PORT=str(port),
        PORTAL_DATABASE_URL=f"sqlite:///{workdir / 'portal.db'}",
        PORTAL_BCRYPT_COST="4",
        PORTAL_LIVE_POLL_SECONDS="0.2",
        PORTAL_BACKUP_DIR=str(workdir / "backups"),
        # A private build directory: a build for this port never overwrites another portal's files.
        REFLEX_WEB_WORKDIR=str(workdir / "web"),
    )
    if redis_url:
        env.update(PORTAL_REDIS_URL=redis_url, PORTAL_SCHEDULER="external", GRANIAN_WORKERS="2")
    env.update(overrides)
    return env


NODE_MODULES_CACHE = ROOT / "test-artifacts" / "node_modules"


def _reuse_node_modules(web: Path) -> None:
    """Hard-link npm packages installed by an earlier build, so this build skips most of npm install."""
    for shared in (ROOT / ".web" / "node_modules", NODE_MODULES_CACHE):
        if shared.is_dir() and not (web / "node_modules").exists():
            web.mkdir(parents=True, exist_ok=True)
            subprocess.run(["cp", "-al", str(shared), str(web / "node_modules")], check=False)
            return


def _keep_node_modules(web: Path) -> None:
    """Keep the first build's packages for later builds. Test workers run in parallel, so the copy
    is made under a private name and renamed into place: no build ever sees a half-made copy."""
    if NODE_MODULES_CACHE.exists() or not (web / "node_modules").is_dir():
        return
    NODE_MODULES_CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = NODE_MODULES_CACHE.with_name(f"{NODE_MODULES_CACHE.name}.{os.getpid()}")
    if subprocess.run(["cp", "-al", str(web / "node_modules"), str(partial)], check=False).returncode == 0:
        try:
            partial.rename(NODE_MODULES_CACHE)
        except OSError:  # another worker's copy got there first
            pass
    if partial.exists():
        subprocess.run(["rm", "-rf", str(partial)], check=False)


def _wait_until_up(portal: ServedPortal, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if portal.process and portal.process.poll() is not None:
            break
        try:
            if httpx.get(f"{portal.url}/ping", timeout=2).status_code == 200:
                # /ping answers before the prerendered pages are mounted; wait for a real page.
                if httpx.get(f"{portal.url}/signin/", timeout=5).status_code == 200:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    tail = portal.log_path.read_text(errors="replace")[-4000:] if portal.log_path.exists() else ""
    raise RuntimeError(f"the portal did not start on port {portal.port}:\n{tail}")


@contextmanager
def serve_portal(workdir: Path, redis_url: str | None = None, timeout: float = 420, **overrides: str) -> Iterator[ServedPortal]:
    """Serve the demo clinic on a free port. The first portal with a given build (see
    ``built_frontends``) is built and served by ``reflex run`` as in production; later ones reuse
    that build, re-addressed to their own port, and start only the backend."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = portal_env(workdir, port, redis_url, **overrides)
    portal = ServedPortal(url=f"http://127.0.0.1:{port}", port=port, env=env,
                          log_path=workdir / "server.log", workdir=workdir)
    portal.portal_command("migrate")
    portal.portal_command("seed-demo")
    try:
        with built_frontends.claim(overrides) as build:
            reused = build.ready
            if reused:
                build.copy_to(workdir / "web", port)
            else:
                _reuse_node_modules(workdir / "web")
                _start(portal, [str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
                                "--frontend-port", str(port), "--backend-port", str(port)], timeout)
                _keep_node_modules(workdir / "web")
                build.keep(workdir / "web", port)
        if reused:
            _start(portal, [str(BIN / "python"), "-m", "tests.support.serve_built", str(port)], timeout)
        SERVED[portal.url] = portal
        with db.working_on(env["PORTAL_DATABASE_URL"]):  # what the test reads outside a session comes from it
            yield portal
    finally:
        SERVED.pop(portal.url, None)
        _stop(portal.process)


def _start(portal: ServedPortal, command: list[str], timeout: float) -> None:
    with portal.log_path.open("w") as log:
        portal.process = subprocess.Popen(command, cwd=ROOT, env=portal.env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
    _wait_until_up(portal, timeout)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
