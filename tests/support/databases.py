"""Fresh databases for tests: SQLite always, PostgreSQL when a server answers on 127.0.0.1.

Under ``CI=true`` a missing PostgreSQL fails the run instead of skipping it, so CI can never pass
by quietly testing less.
"""

from __future__ import annotations

import atexit
import os
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

POSTGRES_ADMIN_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def require_or_skip(available: bool, what: str) -> None:
    """Skip (printing why) when a server is missing; under CI that is a failure."""
    if available:
        return
    message = f"{what} is not reachable on 127.0.0.1"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run these tests")
    pytest.skip(message)


def _database_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _admin_engine():
    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


class _Dropper:
    """Drops finished test databases on a background thread, since a drop can take a second and the
    next test need not wait for it; everything queued is dropped before the process exits."""

    def __init__(self) -> None:
        self._names: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def drop(self, name: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="drop-test-databases", daemon=True)
            self._thread.start()
        self._names.put(name)

    def finish(self) -> None:
        if self._thread is not None:
            self._names.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        admin = _admin_engine()
        while (name := self._names.get()) is not None:
            for attempt in range(5):  # a test restarts the server, which ends this connection too
                try:
                    with admin.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    break
                except OperationalError:
                    time.sleep(1 + attempt)
        admin.dispose()


_dropper = _Dropper()


@contextmanager
def _new_database(template: str | None = None) -> Iterator[str]:
    name = f"portal_test_{secrets.token_hex(4)}"
    admin = _admin_engine()
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    admin.dispose()
    try:
        yield _database_url(name)
    finally:
        from portal_app.db import get_engine

        get_engine.cache_clear()
        _dropper.drop(name)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with _new_database() as url:
        yield url


_template: str | None = None


def _tables_template() -> str:
    """A database with every table (and the audit triggers), built once per test process."""
    global _template
    if _template is None:
        from sqlmodel import SQLModel

        from portal_app.db import get_engine

        name = f"portal_template_{secrets.token_hex(4)}"
        with _admin_engine().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = get_engine(_database_url(name))
        SQLModel.metadata.create_all(engine)
        engine.dispose()  # a template must have no open connections to be copied
        get_engine.cache_clear()
        _template = name
    return _template


@atexit.register
def _drop_everything_left() -> None:
    if _template is not None:
        _dropper.drop(_template)
    _dropper.finish()


@contextmanager
def postgres_database_with_tables() -> Iterator[str]:
    """A PostgreSQL database holding every table, copied from a per-process template: a copy takes
    about a fifth of the time of creating the tables in each test."""
    with _new_database(template=_tables_template()) as url:
        yield url
