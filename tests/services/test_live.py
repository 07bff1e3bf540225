"""Change signals: every reader sees each signal once, even when PostgreSQL commits ids out of order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.db import get_engine, transaction
from portal_app.models.live import LiveSignal
from portal_app.services import live
from portal_app.services.live import SignalCursor, prune_signals

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _announce(url: str, *topics: str) -> None:
    with transaction(url) as session:
        for topic in topics:
            live.announce(session, topic)


def _read(url: str, cursor: SignalCursor) -> set[str]:
    """One poll, as the web workers do it: a short transaction of its own."""
    with transaction(url) as session:
        return cursor.read(session)


def _new_cursor(url: str) -> SignalCursor:
    with transaction(url) as session:
        return SignalCursor(session)


def test_a_new_reader_ignores_what_was_announced_before_it(database_url):
    _announce(database_url, "notices", "patient:1:messages")
    cursor = _new_cursor(database_url)
    assert _read(database_url, cursor) == set()


def test_each_later_signal_is_read_exactly_once(database_url):
    cursor = _new_cursor(database_url)
    other = _new_cursor(database_url)  # a second web worker

    _announce(database_url, "notices")
    assert _read(database_url, cursor) == {"notices"}
    assert _read(database_url, cursor) == set()

    _announce(database_url, "patient:1:messages", "patient:2:results")
    _announce(database_url, "patient:3:appointments")
    assert _read(database_url, cursor) == {"patient:1:messages", "patient:2:results", "patient:3:appointments"}
    assert _read(database_url, cursor) == set()

    assert _read(database_url, other) == {"notices", "patient:1:messages", "patient:2:results",
                                          "patient:3:appointments"}
    assert _read(database_url, other) == set()


def test_an_uncommitted_signal_is_not_read(database_url):
    cursor = _new_cursor(database_url)
    with pytest.raises(RuntimeError), transaction(database_url) as session:
        live.announce(session, "notices")
        session.flush()
        raise RuntimeError("the change failed")
    assert _read(database_url, cursor) == set()


def test_a_lower_id_committed_after_a_higher_one_is_still_read_once(database_url):
    """What PostgreSQL does when two transactions take ids 20 and 40 and commit 40 first."""
    _announce(database_url, *[f"old-{n}" for n in range(10)])
    cursor = _new_cursor(database_url)

    with transaction(database_url) as session:
        session.add(LiveSignal(id=40, topic="committed-first"))
    assert _read(database_url, cursor) == {"committed-first"}

    with transaction(database_url) as session:
        session.add(LiveSignal(id=20, topic="committed-second"))
    assert _read(database_url, cursor) == {"committed-second"}
    assert _read(database_url, cursor) == set()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has one writer at a time
def test_concurrent_postgresql_transactions_committing_out_of_order(database_url):
    cursor = _new_cursor(database_url)

    slow = Session(get_engine(database_url))
    live.announce(slow, "slow")
    slow.flush()  # takes the lower id, not yet committed
    _announce(database_url, "fast")  # takes the higher id and commits first

    assert _read(database_url, cursor) == {"fast"}
    slow.commit()
    slow.close()
    assert _read(database_url, cursor) == {"slow"}
    assert _read(database_url, cursor) == set()


def test_prune_removes_only_signals_older_than_an_hour(database_url):
    with time_machine.travel(NOW - timedelta(minutes=61), tick=False):
        _announce(database_url, "old")
    with time_machine.travel(NOW - timedelta(minutes=59), tick=False):
        _announce(database_url, "recent")
    with time_machine.travel(NOW, tick=False):
        _announce(database_url, "new")
        with transaction(database_url) as session:
            removed = prune_signals(session)
        with transaction(database_url) as session:
            left = sorted(session.exec(select(LiveSignal.topic)).all())

    assert removed == 1
    assert left == ["new", "recent"]


def test_readers_keep_working_after_every_signal_was_pruned(database_url):
    """A quiet hour prunes the table empty; new ids must still be above what readers have seen."""
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        _announce(database_url, *[f"busy-{n}" for n in range(SignalCursor.LOOKBACK + 100)])
        cursor = _new_cursor(database_url)
    with time_machine.travel(NOW, tick=False):
        with transaction(database_url) as session:
            prune_signals(session)
        _announce(database_url, "notices")
        assert _read(database_url, cursor) == {"notices"}
        _announce(database_url, "patient:1:messages")
        assert _read(database_url, cursor) == {"patient:1:messages"}
