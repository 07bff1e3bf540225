"""The audit trail: what is recorded, that the database refuses changes, the hash chain, and the reports."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from portal_app import clock, migrations
from portal_app.config import PROJECT_ROOT
from portal_app.db import get_engine, transaction
from portal_app.models.audit import AuditEvent, append_only_ddl, drop_append_only_ddl
from portal_app.models.people import Role
from portal_app.services import audit, notices, sessions, signin
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.conftest import sign_in_token
from tests.support.databases import fresh_postgres_database, postgres_reachable, require_or_skip

PASSWORD = "rosa's long garden passphrase"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


# --- helpers ----------------------------------------------------------------------------------


def _rows(url: str) -> list[AuditEvent]:
    """Every committed audit row, in chain order (a fresh session: nothing pending is seen)."""
    with Session(get_engine(url)) as fresh:
        return list(fresh.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def _actor(user) -> Actor:
    return Actor.for_user(user, session_ref="ref-" + user.username[:10])


def _append(url: str, count: int, actor: Actor | None = None, **fields) -> None:
    with transaction(url) as s:
        for number in range(count):
            audit.record(s, actor or Actor.system("test"), fields.get("action", "read"),
                         fields.get("category", "demographics"), patient_id=fields.get("patient_id"),
                         detail=f"row {number}")


def _tamper(url: str, statement: str) -> None:
    """Change the table as a database owner can: past the triggers (what the hash chain is for)."""
    engine = get_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for undo in drop_append_only_ddl("sqlite"):
                connection.execute(text(undo))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text(statement))
        if engine.dialect.name == "sqlite":
            for redo in append_only_ddl("sqlite"):
                connection.execute(text(redo))
        else:
            connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


def _verify(url: str) -> audit.VerifyReport:
    with Session(get_engine(url)) as fresh:
        return audit.verify(fresh)


@pytest.fixture
def frozen():
    """Time stands at NOW until the test moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin(make):
    return _actor(make("admin.hughes", "admin member passphrase", Role.ADMIN))


@pytest.fixture
def nurse(make):
    return _actor(make("rn.baptiste", "nurse member passphrase", Role.NURSE))


@pytest.fixture
def rosa(make):
    return _actor(make("rosa", PASSWORD))


@pytest.fixture
def walter(make):
    return _actor(make("walter", "walter's own passphrase"))


# --- what is recorded -------------------------------------------------------------------------


def test_sign_in_success_failure_and_sign_out_are_recorded(database_url, make, frozen):
    user = make("rosa", PASSWORD)
    with transaction(database_url) as s:
        token = sign_in_token(s, "Rosa", PASSWORD, ip="203.0.113.9", user_agent="Firefox")
    with transaction(database_url) as s:
        info = sessions.resolve(s, token)
    with transaction(database_url) as s:
        assert not signin.check_password(s, "rosa", "not her password at all", ip="198.51.100.7").ok
    with transaction(database_url) as s:
        assert not signin.check_password(s, "nobody", PASSWORD, ip="198.51.100.7").ok
    with transaction(database_url) as s:
        sessions.sign_out(s, token)

    rows = _rows(database_url)
    assert [(r.action, r.category, r.outcome) for r in rows] == [
        ("sign_in", "session", "success"),
        ("sign_in_failed", "session", "failure"),
        ("sign_in_failed", "session", "failure"),
        ("sign_out", "session", "success"),
    ]
    signed_in, failed_own, failed_unknown, signed_out = rows
    assert (signed_in.actor_user_id, signed_in.actor_role, signed_in.actor_label) == (user.id, "patient", "Rosa Test")
    assert signed_in.patient_id == user.patient_id and signed_in.source_ip == "203.0.113.9"
    assert clock.as_utc(signed_in.occurred_at) == NOW
    # A failed try at Rosa's account shows in Rosa's own access history; one at no account, nowhere.
    assert (failed_own.actor_user_id, failed_own.patient_id) == (user.id, user.patient_id)
    assert (failed_own.detail, failed_own.source_ip) == ("password: rosa", "198.51.100.7")
    assert (failed_unknown.actor_user_id, failed_unknown.actor_role, failed_unknown.patient_id) == (None, "anonymous", None)
    assert signed_out.actor_user_id == user.id and signed_out.session_ref == info.actor.session_ref != ""
    assert all(PASSWORD not in str(r.model_dump()) and "not her password" not in str(r.model_dump()) for r in rows)


def test_every_kind_of_failed_sign_in_is_recorded_with_a_short_username(database_url, make):
    make("rosa", PASSWORD)
    make("walter", PASSWORD, active=False)
    attempts = [("nobody", PASSWORD), ("rosa", "wrong"), ("walter", PASSWORD), ("rosa", ""),
                ("x" * 65, PASSWORD), ("bad\x00name\n", PASSWORD)]
    for username, password in attempts:
        with transaction(database_url) as s:
            assert signin.check_password(s, username, password).error == "signin.error.wrong"

    rows = _rows(database_url)
    assert [r.action for r in rows] == ["sign_in_failed"] * len(attempts)
    assert [r.detail for r in rows] == ["password: nobody", "password: rosa", "password: walter", "password: rosa",
                                        "password: " + "x" * 64, "password: bad?name"]
    assert _verify(database_url).ok


def test_notice_publish_and_withdraw_are_recorded(database_url, make):
    desk = _actor(make("desk.tanaka", "front desk passphrase", Role.FRONT_DESK))
    with transaction(database_url) as s:
        notice_id = notices.publish(s, desk, "Closed Monday")
    with transaction(database_url) as s:
        notices.withdraw(s, Actor.system("portal command"), notice_id)

    created, deleted = _rows(database_url)
    assert (created.action, created.category, created.actor_user_id, created.actor_role) == (
        "create", "notices", desk.user_id, "front_desk")
    assert created.detail == f"notice {notice_id}" and created.session_ref == desk.session_ref
    assert (deleted.action, deleted.actor_user_id, deleted.actor_label) == ("delete", None, "system: portal command")


def test_an_idle_timeout_is_recorded_as_a_sign_out(database_url, make, frozen):
    make("rosa", PASSWORD)
    with transaction(database_url) as s:
        token = sign_in_token(s, "rosa", PASSWORD)
    frozen.shift(timedelta(days=1))
    with transaction(database_url) as s:
        assert sessions.resolve(s, token) is None
    assert [(r.action, r.detail) for r in _rows(database_url)] == [("sign_in", "authenticator"), ("sign_out", "timed out")]


def test_unknown_actions_and_outcomes_are_programming_errors(session):
    for bad in [dict(action="peek"), dict(outcome="maybe"), dict(category="Bad Category"), dict(patient_id="7")]:
        arguments = {"action": "read", "category": "results", "outcome": "success"} | bad
        with pytest.raises(ValueError):
            audit.record(session, None, **arguments)


# --- append-only in the database ------------------------------------------------------------


def _refusals(url: str) -> list[str]:
    """Try to change and remove a row; return the statements the database accepted."""
    _append(url, 2)
    statements = ["UPDATE audit_event SET detail = 'edited' WHERE id = 1", "DELETE FROM audit_event WHERE id = 2",
                  "DELETE FROM audit_event"]
    if url.startswith("postgresql"):
        statements.append("TRUNCATE audit_event")
    accepted = []
    for statement in statements:
        try:
            with get_engine(url).begin() as connection:
                connection.execute(text(statement))
            accepted.append(statement)
        except DBAPIError as refused:
            assert "append-only" in str(refused.orig), statement
    assert [r.detail for r in _rows(url)] == ["row 0", "row 1"]
    return accepted


def test_the_database_refuses_update_delete_and_truncate(database_url):
    assert _refusals(database_url) == []


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database(request, tmp_path) -> Iterator[str]:
    """A database built by the real migrations (not create_all), on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
        migrations.upgrade(url)
        yield url
        get_engine(url).dispose()
        return
    require_or_skip(postgres_reachable(), "PostgreSQL")
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        yield url
        get_engine(url).dispose()


def test_the_migrated_database_refuses_update_delete_and_truncate(migrated_database):
    assert _refusals(migrated_database) == []


def _trigger_objects(url: str) -> set[str]:
    engine = get_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        triggers = connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
        functions = connection.execute(text("SELECT proname FROM pg_proc WHERE proname LIKE 'audit_event%'")).scalars()
        return set(triggers) | set(functions)


def test_downgrading_past_0002_removes_the_triggers_and_upgrading_restores_them(migrated_database):
    installed = _trigger_objects(migrated_database)
    assert installed and all(name.startswith("audit_event") for name in installed)

    command.downgrade(migrations.alembic_config(migrated_database), "0001")
    assert _trigger_objects(migrated_database) == set()

    migrations.upgrade(migrated_database)
    assert _trigger_objects(migrated_database) == installed
    assert _refusals(migrated_database) == []


def test_the_triggers_can_be_bypassed_by_a_database_owner_which_is_why_the_chain_exists(database_url):
    """Control: the refusal test above would notice if the triggers were missing."""
    _append(database_url, 1)
    _tamper(database_url, "UPDATE audit_event SET detail = 'edited' WHERE id = 1")
    assert _rows(database_url)[0].detail == "edited"


# --- the hash chain -------------------------------------------------------------------------


def test_a_clean_chain_verifies(database_url):
    assert _verify(database_url) == audit.VerifyReport(ok=True, rows_checked=0)
    _append(database_url, 5)
    _append(database_url, 3, patient_id=7)

    report = _verify(database_url)
    rows = _rows(database_url)
    assert (report.ok, report.rows_checked, report.first_problem, report.first_bad_id) == (True, 8, None, None)
    assert report.last_hash == rows[-1].row_hash
    assert [r.id for r in rows] == list(range(1, 9))
    assert rows[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:]))


def test_verify_walks_long_chains_in_batches(database_url):
    _append(database_url, 25)
    with Session(get_engine(database_url)) as fresh:
        assert audit.verify(fresh, batch=4).rows_checked == 25
    _tamper(database_url, "UPDATE audit_event SET outcome = 'denied' WHERE id = 22")
    with Session(get_engine(database_url)) as fresh:
        assert audit.verify(fresh, batch=4).first_bad_id == 22


@pytest.mark.parametrize(
    ("statement", "bad_id", "words"),
    [
        pytest.param("UPDATE audit_event SET detail = 'nothing to see' WHERE id = 4", 4, "changed", id="edited"),
        pytest.param("UPDATE audit_event SET occurred_at = occurred_at - INTERVAL '1 hour' WHERE id = 3", 3,
                     "changed", id="time-moved"),
        pytest.param("UPDATE audit_event SET patient_id = NULL WHERE id = 2", 2, "changed", id="patient-unlinked"),
        pytest.param("DELETE FROM audit_event WHERE id = 3", 4, "missing", id="deleted"),
        pytest.param("DELETE FROM audit_event WHERE id = 1", 2, "missing", id="first-deleted"),
        pytest.param("DELETE FROM audit_event WHERE id IN (2, 3, 4)", 5, "missing", id="three-deleted"),
        pytest.param("UPDATE audit_event SET id = id + 100 WHERE id = 3", 4, "missing", id="moved-to-the-end"),
        pytest.param("UPDATE audit_event SET prev_hash = row_hash WHERE id = 5", 5, "does not follow",
                     id="relinked"),
    ],
)
def test_verify_names_the_first_bad_row(database_url, statement, bad_id, words):
    _append(database_url, 6, patient_id=3)
    if database_url.startswith("sqlite"):
        statement = statement.replace("occurred_at - INTERVAL '1 hour'", "datetime(occurred_at, '-1 hour')")
    assert _verify(database_url).ok

    _tamper(database_url, statement)

    report = _verify(database_url)
    assert not report.ok
    assert report.first_bad_id == bad_id
    assert words in report.first_problem and f"row {bad_id}" in report.first_problem


def test_verify_notices_rows_swapped_and_a_row_rewritten_with_its_own_hash(database_url):
    _append(database_url, 6)
    # Swap rows 2 and 3 wholesale (contents and hashes): each hash is right for its contents.
    _tamper(database_url, "UPDATE audit_event SET id = -2 WHERE id = 2")
    _tamper(database_url, "UPDATE audit_event SET id = 2 WHERE id = 3")
    _tamper(database_url, "UPDATE audit_event SET id = 3 WHERE id = -2")
    report = _verify(database_url)
    assert (report.ok, report.first_bad_id) == (False, 2)

    # Rewrite row 5 and give it a correct hash of its new contents: the next row no longer follows.
    _tamper(database_url, "DELETE FROM audit_event")
    _append(database_url, 6)
    row = _rows(database_url)[4]
    row.detail = "rewritten"
    forged = audit.compute_hash(row)
    _tamper(database_url, f"UPDATE audit_event SET detail = 'rewritten', row_hash = '{forged}' WHERE id = 5")
    report = _verify(database_url)
    assert (report.ok, report.first_bad_id) == (False, 6)


def test_two_writers_appending_at_once_keep_one_unbroken_chain(database_url):
    writers, appends = 2, 50
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        actor = Actor.system(f"writer {number}")
        start.wait()
        try:
            for _ in range(appends):
                with transaction(database_url) as s:
                    audit.record(s, actor, "read", "demographics", patient_id=number)
        except BaseException as failed:  # noqa: BLE001 - reported by the assertion below
            errors.append(failed)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    rows = _rows(database_url)
    assert len(rows) == writers * appends
    assert {r.patient_id for r in rows} == set(range(writers))
    report = _verify(database_url)
    assert (report.ok, report.rows_checked) == (True, writers * appends)


# --- a patient's own access history ---------------------------------------------------------


def test_a_patient_sees_who_accessed_their_own_record(database_url, rosa, walter, nurse, frozen):
    with transaction(database_url) as s:
        audit.record(s, nurse, "read", "results", patient_id=rosa.patient_id)
    frozen.shift(HOUR)
    with transaction(database_url) as s:
        audit.record(s, nurse, "update", "demographics", patient_id=rosa.patient_id)
        audit.record(s, nurse, "read", "results", patient_id=walter.patient_id)

    with transaction(database_url) as s:
        seen = audit.events_for_patient(s, rosa, rosa.patient_id)

    assert [(v.who, v.role_label_key, v.action, v.category, v.outcome) for v in seen] == [
        ("Rn.Baptiste Test", "role.nurse", "update", "demographics", "success"),
        ("Rn.Baptiste Test", "role.nurse", "read", "results", "success"),
    ]
    assert [v.when for v in seen] == [NOW + HOUR, NOW]
    with transaction(database_url) as s:
        assert len(audit.events_for_patient(s, rosa, rosa.patient_id, limit=1, offset=1)) == 1


def test_another_patients_history_is_not_found_and_the_attempt_is_recorded(database_url, rosa, walter, nurse):
    with transaction(database_url) as s:
        audit.record(s, nurse, "read", "results", patient_id=walter.patient_id)

    for target in [walter.patient_id, 999_999, "1 OR 1=1", None]:
        with pytest.raises(NotFound), transaction(database_url) as s:
            audit.events_for_patient(s, rosa, target)

    denied = [r for r in _rows(database_url) if r.outcome == "denied"]
    assert [(r.actor_user_id, r.action, r.category, r.patient_id) for r in denied] == [
        (rosa.user_id, "read", "audit", walter.patient_id),
        (rosa.user_id, "read", "audit", 999_999),
        (rosa.user_id, "read", "audit", None),
        (rosa.user_id, "read", "audit", None),
    ]
    assert _verify(database_url).ok


@pytest.mark.parametrize("who", ["nurse", "desk", "anonymous"])
def test_staff_without_the_audit_permission_are_refused_a_patients_history(database_url, rosa, make, who):
    actors = {
        "nurse": lambda: _actor(make("rn.baptiste", "nurse member passphrase", Role.NURSE)),
        "desk": lambda: _actor(make("desk.tanaka", "front desk passphrase", Role.FRONT_DESK)),
        "anonymous": lambda: None,
    }
    actor = actors[who]()
    with pytest.raises(PermissionDenied), transaction(database_url) as s:
        audit.events_for_patient(s, actor, rosa.patient_id)
    assert [(r.outcome, r.patient_id) for r in _rows(database_url)] == [("denied", rosa.patient_id)]


def test_an_admin_may_read_any_patients_history(database_url, rosa, admin, nurse):
    with transaction(database_url) as s:
        audit.record(s, nurse, "read", "results", patient_id=rosa.patient_id)
    with transaction(database_url) as s:
        assert [v.action for v in audit.events_for_patient(s, admin, rosa.patient_id)] == ["read"]


def test_a_refusal_after_the_caller_already_audited_neither_deadlocks_nor_is_lost(database_url, rosa, walter):
    """The caller holds the chain lock (and, on SQLite, the write lock) when the refusal happens."""
    finished = threading.Event()
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            with transaction(database_url) as s:
                audit.record(s, rosa, "read", "results", patient_id=rosa.patient_id)
                audit.events_for_patient(s, rosa, walter.patient_id)
        except BaseException as raised:  # noqa: BLE001
            outcome.append(raised)
        finished.set()

    threading.Thread(target=work, daemon=True).start()
    assert finished.wait(timeout=20), "the refusal waited on its own caller's lock"
    assert [type(e) for e in outcome] == [NotFound]
    assert [(r.action, r.outcome, r.patient_id) for r in _rows(database_url)] == [
        ("read", "denied", walter.patient_id)]  # the caller's own row rolled back with it


def test_a_refusal_is_written_once_when_the_caller_commits_anyway(database_url, rosa, walter):
    with transaction(database_url) as s:
        s.exec(select(AuditEvent)).all()  # the transaction has begun: the refusal waits for its end
        with pytest.raises(NotFound):
            audit.events_for_patient(s, rosa, walter.patient_id)
        audit.record(s, rosa, "read", "results", patient_id=rosa.patient_id)
    assert [(r.outcome, r.patient_id) for r in _rows(database_url)] == [
        ("success", rosa.patient_id), ("denied", walter.patient_id)]
    assert _verify(database_url).ok


# --- the staff report ----------------------------------------------------------------------


@pytest.fixture
def history(database_url, admin, nurse, rosa, walter, frozen):
    """Six events over six hours: rows at NOW, NOW+1h, ... NOW+5h."""
    plan = [
        (nurse, "read", "results", rosa.patient_id),
        (nurse, "update", "demographics", rosa.patient_id),
        (nurse, "read", "results", walter.patient_id),
        (rosa, "read", "results", rosa.patient_id),
        (Actor.system("nightly job"), "create", "notices", None),
        (nurse, "print", "results", walter.patient_id),
    ]
    for actor, action, category, patient_id in plan:
        with transaction(database_url) as s:
            audit.record(s, actor, action, category, patient_id=patient_id)
        frozen.shift(HOUR)
    return plan


def _report(url: str, actor: Actor, **options) -> list[audit.AuditRow]:
    options = {"since": NOW - HOUR, "until": NOW + 10 * HOUR} | options
    with transaction(url) as s:
        return audit.report(s, actor, **options)


@pytest.mark.parametrize("who", ["nurse", "patient", "desk", "anonymous"])
def test_only_admins_get_the_report(database_url, history, make, nurse, rosa, who):
    actor = {"nurse": nurse, "patient": rosa, "anonymous": None,
             "desk": _actor(make("desk.tanaka", "front desk passphrase", Role.FRONT_DESK))}[who]
    before = len(_rows(database_url))
    with pytest.raises(PermissionDenied):
        _report(database_url, actor)
    with pytest.raises(PermissionDenied), transaction(database_url) as s:
        audit.report_csv(s, actor, NOW, NOW + HOUR)
    added = _rows(database_url)[before:]
    assert [(r.action, r.outcome) for r in added] == [("read", "denied"), ("download", "denied")]


def test_the_report_filters_by_period_user_patient_and_action(database_url, history, admin, nurse, walter):
    everything = _report(database_url, admin)
    assert len(everything) == 6
    assert [r.occurred_at for r in everything] == [NOW + n * HOUR for n in range(5, -1, -1)]  # newest first

    in_period = _report(database_url, admin, since=NOW + HOUR, until=NOW + 3 * HOUR)  # end excluded
    assert [r.occurred_at for r in in_period] == [NOW + 2 * HOUR, NOW + HOUR]
    assert {r.actor_user_id for r in _report(database_url, admin, user_id=nurse.user_id)} == {nurse.user_id}
    assert len(_report(database_url, admin, user_id=nurse.user_id)) == 4
    assert [r.action for r in _report(database_url, admin, patient_id=walter.patient_id)] == ["print", "read"]
    assert [r.patient_id for r in _report(database_url, admin, action="read", user_id=nurse.user_id)] == [
        walter.patient_id, history[0][3]]
    assert _report(database_url, admin, action="delete") == []


def test_reading_the_report_is_itself_recorded(database_url, history, admin, walter, frozen):
    _report(database_url, admin, patient_id=walter.patient_id)
    last = _rows(database_url)[-1]
    assert (last.actor_user_id, last.action, last.category, last.patient_id) == (
        admin.user_id, "read", "audit", walter.patient_id)
    assert len(_report(database_url, admin)) == 7  # the earlier report's own row is now in the trail


def test_the_report_sorts_by_a_listed_column_in_either_direction(database_url, history, admin):
    until = NOW + 6 * HOUR  # leaves out the rows these reports add about themselves
    by_action = [r.action for r in _report(database_url, admin, until=until, sort="action", descending=False)]
    assert by_action == ["create", "print", "read", "read", "read", "update"]
    by_patient = [r.patient_id for r in _report(database_url, admin, until=until, sort="patient_id")
                  if r.patient_id is not None]
    assert by_patient == sorted(by_patient, reverse=True) and len(by_patient) == 5
    oldest_first = _report(database_url, admin, until=until, sort="occurred_at", descending=False)
    assert [r.occurred_at for r in oldest_first] == [NOW + n * HOUR for n in range(6)]
    assert [r.id for r in _report(database_url, admin, until=until, sort="id", limit=2, offset=1)] == [5, 4]
    assert [r.id for r in _report(database_url, admin, until=until, sort="id", descending=False, limit=2)] == [1, 2]


@pytest.mark.parametrize(
    "sort",
    ["row_hash", "prev_hash", "detail", "__class__", "metadata", "occurred_at DESC; DROP TABLE audit_event", "",
     None, 3, ["id"]],
)
def test_an_unlisted_sort_key_is_refused(database_url, history, admin, sort):
    with pytest.raises(InvalidInput) as refused:
        _report(database_url, admin, sort=sort)
    assert refused.value.key == "audit.error.sort"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"since": NOW, "until": NOW}, "audit.error.period"),
        ({"since": NOW, "until": NOW - HOUR}, "audit.error.period"),
        ({"since": "yesterday"}, "audit.error.period"),
        ({"limit": 0}, "audit.error.page"),
        ({"limit": 1001}, "audit.error.page"),
        ({"offset": -1}, "audit.error.page"),
        ({"limit": True}, "audit.error.page"),
        ({"user_id": "1 OR 1=1"}, "audit.error.filter"),
        ({"action": "peek"}, "audit.error.filter"),
    ],
)
def test_bad_report_requests_are_refused(database_url, admin, options, key):
    with pytest.raises(InvalidInput) as refused:
        _report(database_url, admin, **options)
    assert refused.value.key == key


def test_the_csv_export_has_a_header_and_one_line_per_event(database_url, history, admin):
    with transaction(database_url) as s:  # a name chosen to run as a spreadsheet formula
        audit.record(s, Actor(role=Role.PATIENT, user_id=99, display_name="=HYPERLINK(\"http://x\")"), "read",
                     "results")
    with transaction(database_url) as s:
        exported = audit.report_csv(s, admin, NOW - HOUR, NOW + 10 * HOUR, descending=False)

    lines = exported.splitlines()
    assert len(lines) == 1 + 7
    table = list(csv.reader(io.StringIO(exported)))
    assert table[0] == list(audit.CSV_COLUMNS)
    assert [row[6] for row in table[1:]] == ["read", "update", "read", "read", "create", "print", "read"]
    assert table[1][1] == (NOW).isoformat()
    assert table[-1][4] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert _rows(database_url)[-1].action == "download"


# --- the command ---------------------------------------------------------------------------


def _portal_audit_verify(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_ENV": "test", "PORTAL_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "portal_app.cli", "audit", "verify"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_portal_audit_verify_exit_codes(database_url):
    _append(database_url, 4)
    intact = _portal_audit_verify(database_url)
    assert intact.returncode == 0, intact.stderr
    assert "Audit trail intact: 4 rows" in intact.stdout
    assert _rows(database_url)[-1].row_hash in intact.stdout

    _tamper(database_url, "DELETE FROM audit_event WHERE id = 2")
    broken = _portal_audit_verify(database_url)
    assert broken.returncode == 1
    assert "row 3" in broken.stderr and "missing" in broken.stderr
    assert "intact" not in broken.stdout
