"""Database engine and transactions, shared by the web app, jobs, commands and tests.

Services receive a ``Session`` and never commit on their own: the caller wraps one unit of work in
``transaction()`` so that a change, its audit row and its outbox notice land together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from portal_app.config import settings


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            hide_parameters=True,  # SQL errors would otherwise print bound values (health data) into logs
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - runs on every new connection
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # pool_pre_ping replaces connections a database restart has killed, so the portal survives it.
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    return _make_engine(url or settings.database_url)


@lru_cache(maxsize=8)
def get_reader_engine(url: str | None = None) -> Engine:
    """A connection of its own for each read done outside any session (portal_app/localtime.py). Its
    callers often already hold one of ``get_engine``'s pooled connections: twenty requests each
    waiting for a second one from that pool would wait on each other until the pool gave up."""
    return create_engine(url or settings.database_url, hide_parameters=True, poolclass=NullPool)


_working_on: ContextVar[str | None] = ContextVar("portal_database_in_use", default=None)


def database_in_use() -> str | None:
    """The database the code running here was given (``working_on``), None for the portal's own."""
    return _working_on.get()


@contextmanager
def working_on(url: str | None) -> Iterator[None]:
    """Inside this block, what is read without a session (the clinic's zone, portal_app/localtime.py)
    comes from ``url`` too: a job run on another database, a test's own database. None changes nothing."""
    if url is None:
        yield
        return
    token = _working_on.set(url)
    try:
        yield
    finally:
        _working_on.reset(token)


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """One unit of work: commit if the block finishes, roll back if it raises."""
    with working_on(url), Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
