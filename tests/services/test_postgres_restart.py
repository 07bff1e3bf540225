"""The portal survives a PostgreSQL restart without being restarted itself (pool_pre_ping).

This test really restarts the local PostgreSQL cluster, so it needs root and ``pg_ctlcluster``; it
runs after every other test of the run (see ``restarts_postgres`` in conftest.py) and always leaves
the server running.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal_app.db import get_engine
from tests.support.databases import POSTGRES_ADMIN_URL, postgres_reachable, require_or_skip

COME_BACK_SECONDS = 20


def _cluster_version() -> str | None:
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*") if (p / "main").is_dir())
    return versions[-1] if versions else None


def _pg_ctlcluster(version: str, action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        capture_output=True, text=True, timeout=60,
    )


@contextmanager
def _database_surviving_restarts() -> Iterator[str]:
    """Like ``fresh_postgres_database``, with an admin engine that holds no connection across the restart."""
    name = f"portal_restart_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_until_reachable() -> bool:
    deadline = time.monotonic() + COME_BACK_SECONDS
    while time.monotonic() < deadline:
        if postgres_reachable():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.restarts_postgres
def test_the_same_engine_answers_after_a_postgresql_restart():
    require_or_skip(postgres_reachable(), "PostgreSQL")  # fails under CI=true
    version = _cluster_version()
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None or version is None:
        reason = "restarting PostgreSQL needs root and pg_ctlcluster with a cluster under /etc/postgresql"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)

    with _database_surviving_restarts() as url:
        engine = get_engine(url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE acknowledged (note text)"))
            connection.execute(text("INSERT INTO acknowledged VALUES ('written before the restart')"))
        # Fill the pool with several connections, all of which the restart will kill.
        held = [engine.connect() for _ in range(3)]
        for connection in held:
            connection.execute(text("SELECT 1"))
        for connection in held:
            connection.close()
        assert engine.pool.checkedin() >= 3

        try:
            restarted = _pg_ctlcluster(version, "restart")
            assert restarted.returncode == 0, restarted.stderr
            # Wait with a separate probe, so that the engine's first query comes after the server is back.
            assert _wait_until_reachable(), f"PostgreSQL did not come back within {COME_BACK_SECONDS} s"

            assert get_engine(url) is engine  # the portal keeps its engine; nothing is recreated
            # Every pooled connection is dead; each checkout must be replaced transparently, first try.
            connections = [engine.connect() for _ in range(3)]
            try:
                for connection in connections:
                    assert connection.execute(text("SELECT note FROM acknowledged")).scalar_one() == (
                        "written before the restart"
                    )
            finally:
                for connection in connections:
                    connection.close()
        finally:
            if not postgres_reachable():
                _pg_ctlcluster(version, "start")
                _wait_until_reachable()
            engine.dispose()
            get_engine.cache_clear()
    assert postgres_reachable(), "the test must leave PostgreSQL running"
