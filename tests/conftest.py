"""Fixtures for the service tests: a fresh database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

# Test settings must be in place before portal_app.config is first imported.
os.environ.setdefault("PORTAL_ENV", "test")
os.environ.setdefault("PORTAL_BCRYPT_COST", "4")  # production cost 12 is checked by its own test

import pytest
from sqlmodel import Session, SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.db import get_engine, working_on
from tests.support.databases import postgres_database_with_tables, postgres_reachable, require_or_skip

_POSTGRES = None


def _postgres_available() -> bool:
    global _POSTGRES
    if _POSTGRES is None:
        _POSTGRES = postgres_reachable()
    return _POSTGRES


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database with every table, on each backend; the clinic's zone is read from it too."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'portal.db'}"
        SQLModel.metadata.create_all(get_engine(url))
        with working_on(url):
            yield url
        get_engine(url).dispose()
        return
    require_or_skip(_postgres_available(), "PostgreSQL")
    with postgres_database_with_tables() as url, working_on(url):
        yield url
        get_engine(url).dispose()


@pytest.fixture
def session(database_url):
    """A session on the fresh database; tests commit when the rule under test needs it."""
    with Session(get_engine(database_url), expire_on_commit=False) as s:
        yield s


def pytest_report_header(config):
    return [f"PostgreSQL on 127.0.0.1: {'yes' if _postgres_available() else 'NO (its runs are skipped)'}"]


def pytest_terminal_summary(terminalreporter):
    used = ["SQLite"] + (["PostgreSQL"] if _postgres_available() else [])
    terminalreporter.write_line(f"Databases used by the service tests: {', '.join(used)}")


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """The production build, served once per pytest run with the demo clinic (see tests/support/server.py)."""
    from tests.support.server import serve_portal

    with serve_portal(tmp_path_factory.mktemp("portal")) as served:
        yield served


@pytest.fixture
def smtp():
    """A real SMTP server for one test (tests/support/mail.py)."""
    from tests.support.mail import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()
