"""One frontend build per source tree and build settings, shared by every test portal.

Each module that needs its own portal (its own database, or settings such as a short idle time)
used to build the frontend again: half a minute on a quiet machine, two or more beside the browser
tests. The build differs between portals only in the port it was built for, which the browser
bundle holds as ``localhost:PORT`` (the websocket address and the share link). So the first portal
with a given source tree and settings keeps its build here; later ones copy it (hard links), write
their own port into the few files that name the old one, and start just the backend.

A build is keyed by the source files and Reflex's version, so an edited page never reuses an old
build. Settings that only the server reads (mail, where the scheduler runs) do not change the key.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "test-artifacts" / "builds"
SOURCES = ("portal_app", "assets", "rxconfig.py", "pyproject.toml")
SERVER_ONLY_SETTINGS = frozenset({"PORTAL_SMTP_HOST", "PORTAL_SMTP_PORT", "PORTAL_MAIL_FROM", "PORTAL_SCHEDULER"})
SIDECARS = (".gz", ".br", ".zst")  # precompressed copies the server prefers to the file itself


@cache
def _source_digest() -> str:
    digest = hashlib.sha256(version("reflex").encode())
    for name in SOURCES:
        top = ROOT / name
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _settings_digest(overrides: dict[str, str]) -> str:
    shown = {k: v for k, v in sorted(overrides.items()) if k not in SERVER_ONLY_SETTINGS}
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:12]


@dataclass
class Build:
    path: Path  # the kept web directory (without node_modules) and, beside it, the port it was built for

    @property
    def port_file(self) -> Path:
        return self.path.with_suffix(".port")

    @property
    def ready(self) -> bool:
        return self.port_file.exists()

    def keep(self, web: Path, port: int) -> None:
        """Keep a portal's finished build for later portals."""
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _copy_tree(web, self.path, skip="node_modules")
        self.port_file.write_text(str(port))

    def copy_to(self, web: Path, port: int) -> None:
        """Give a new portal this build, addressed to its own port."""
        _copy_tree(self.path, web)
        built_for = int(self.port_file.read_text())
        _readdress(web / "build" / "client", built_for, port)


def _copy_tree(source: Path, target: Path, skip: str | None = None) -> None:
    """Hard-link copy (files are never changed in place: _readdress writes new ones)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name != skip:
            if subprocess.run(["cp", "-al", str(entry), str(target)], capture_output=True).returncode:
                subprocess.run(["cp", "-a", str(entry), str(target)], check=True)


def _readdress(client: Path, old: int, new: int) -> None:
    replacements = [(f"{host}:{old}".encode(), f"{host}:{new}".encode()) for host in ("localhost", "127.0.0.1")]
    left = f":{old}".encode()
    for path in client.rglob("*"):
        if not path.is_file() or path.suffix in SIDECARS:
            continue
        content = path.read_bytes()
        if left not in content:
            continue
        for before, after in replacements:
            content = content.replace(before, after)
        if left in content:
            raise RuntimeError(f"{path} names port {old} in a way the test build cache does not know")
        path.unlink()  # a hard link to the kept build: replace it, never write through it
        path.write_bytes(content)
        for suffix in SIDECARS:
            sidecar = path.with_name(path.name + suffix)
            if sidecar.exists():
                sidecar.unlink()
        if path.suffix in (".js", ".css", ".html", ".json"):
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(content, 9))


@contextmanager
def claim(overrides: dict[str, str]) -> Iterator[Build]:
    """The build for these settings, held alone: parallel test processes wait while one builds
    rather than all building at once."""
    build = Build(CACHE / _source_digest() / _settings_digest(overrides))
    build.path.parent.mkdir(parents=True, exist_ok=True)
    _forget_older_sources()
    with open(build.path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield build
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _forget_older_sources() -> None:
    for kept in CACHE.iterdir():
        if kept.name != _source_digest():
            shutil.rmtree(kept, ignore_errors=True)
