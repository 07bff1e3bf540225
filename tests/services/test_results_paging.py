"""The results list a page at a time: pages follow each other with nothing lost or repeated, say
whether more follow, keep the date filter and the release rules on every page; a chart with 5,000
values opens its first page and a 200-point trend by reading a few hundred rows, not the chart;
and paging changes nothing about who may read (refusals and reads audited)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, insert
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.people import Role
from portal_app.models.proxy import ProxyGrant
from portal_app.models.record import DiagnosticReport, Observation
from portal_app.services import record, result_list, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
GLUCOSE = "2345-7"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield



@pytest.fixture
def chart(session, make):
    user = make("paula", "pw-paula-paging-1")
    return Actor.for_user(user), user.patient_id


def _report(session, pid: int, name: str, at: datetime, tests=((GLUCOSE, "Glucose"),)) -> DiagnosticReport:
    report = DiagnosticReport(patient_id=pid, name=name, category="labs", effective_at=at, issued_at=at)
    session.add(report)
    session.flush()
    session.add_all([Observation(patient_id=pid, category="laboratory", loinc_code=loinc, name=test, value_num=90.0 + n,
                                 unit="mg/dL", effective_at=at, issued_at=at, report_id=report.id)
                     for n, (loinc, test) in enumerate(tests)])
    session.commit()
    return report


def _lone(session, pid: int, name: str, at: datetime, category: str = "laboratory") -> Observation:
    obs = Observation(patient_id=pid, category=category, name=name, value_text="see report", effective_at=at)
    session.add(obs)
    session.commit()
    return obs


@contextmanager
def rows_read(session) -> Iterator[list[int]]:
    """How many rows the database hands back to each query (select) of ``session`` inside the block."""
    counts: list[int] = []

    def count(state):
        if not state.is_select:
            return None  # writes (the audit row) run as they would
        frozen_rows = state.invoke_statement().freeze()
        counts.append(len(frozen_rows.data))
        return frozen_rows()

    event.listen(session, "do_orm_execute", count)
    try:
        yield counts
    finally:
        event.remove(session, "do_orm_execute", count)


def test_pages_follow_each_other_newest_first_and_say_whether_more_follow(session, chart):
    me, pid = chart
    for n in range(7):
        _report(session, pid, f"Panel {n}", NOW - timedelta(days=n + 1))
    scan = _lone(session, pid, "Chest X-ray", NOW - timedelta(days=3), category="imaging")  # as old as Panel 2
    _lone(session, pid, "Ferritin", NOW - timedelta(days=30))
    _lone(session, pid, "Pulse", NOW - timedelta(hours=1), category="vital-signs")  # in the record, not a result

    everything = record.results(session, me, pid)
    names = [g.name for g in everything.groups]
    assert names == ["Panel 0", "Panel 1", "Chest X-ray", "Panel 2", "Panel 3", "Panel 4", "Panel 5", "Panel 6",
                     "Ferritin"]  # at the same moment a value on its own comes first, as before
    assert (everything.total, everything.has_more) == (9, False)

    pages = [record.results(session, me, pid, offset=start, limit=4) for start in (0, 4, 8)]
    assert [[g.name for g in p.groups] for p in pages] == [names[:4], names[4:8], names[8:]]
    assert [(p.total, p.has_more) for p in pages] == [(9, True), (9, True), (9, False)]
    assert [g.key for p in pages for g in p.groups] == [g.key for g in everything.groups]
    assert pages[0].groups[2].key == f"value-{scan.id}" and pages[0].groups[3].values[0].loinc == GLUCOSE
    exact = record.results(session, me, pid, offset=4, limit=5)
    assert ([g.name for g in exact.groups], exact.has_more) == (names[4:], False)
    past_the_end = record.results(session, me, pid, offset=9, limit=4)
    assert (past_the_end.groups, past_the_end.total, past_the_end.has_more) == ([], 9, False)


def test_the_date_filter_and_a_hold_apply_on_every_page(session, make, chart):
    me, pid = chart
    doctor = Actor.for_user(make("drpage", "pw-dr-page-paging-1", role=Role.CLINICIAN))
    monthly = [_report(session, pid, f"Month {n}", NOW - timedelta(days=30 * n + 1)) for n in range(12)]
    held = monthly[4]
    result_release.hold(session, doctor, pid, report_id=held.id, reason="Talk first", ends_at=NOW + timedelta(days=3))
    session.commit()
    since, until = (NOW - timedelta(days=200)).date(), (NOW - timedelta(days=50)).date()  # months 2 to 6

    first = record.results(session, me, pid, since, until, offset=0, limit=2)
    second = record.results(session, me, pid, since, until, offset=2, limit=2)

    assert [g.name for g in first.groups] == ["Month 2", "Month 3"]
    assert [g.name for g in second.groups] == ["Month 5", "Month 6"]  # Month 4 is held: on no page, in no count
    assert (first.total, first.has_more, second.total, second.has_more) == (4, True, 4, False)
    assert first.pending == second.pending == [record.Pending("labs", date(2026, 12, 6))]
    later = record.results(session, me, pid, since=(NOW - timedelta(days=100)).date(), offset=0, limit=2)
    assert ([g.name for g in later.groups], later.total, later.pending) == (["Month 0", "Month 1"], 4, [])
    assert [g.name for g in record.results(session, me, pid, offset=4, limit=3).groups] == ["Month 5", "Month 6",
                                                                                           "Month 7"]
    staff_view = record.chart_results(session, doctor, pid)
    assert len(staff_view) == 12 and next(g for g in staff_view if g.name == "Month 4").held


def test_a_value_waiting_for_review_is_left_out_of_the_pages_until_reviewed(session, make, chart):
    me, pid = chart
    doctor = Actor.for_user(make("drreview", "pw-dr-review-paging-1", role=Role.CLINICIAN))
    for n in range(3):
        _report(session, pid, f"Panel {n}", NOW - timedelta(days=20 + n))
    fresh = _lone(session, pid, "Hemoglobin A1c", NOW - timedelta(days=1))
    result_release.set_preference(session, me, pid, "labs", "after_review")
    session.commit()

    waiting = record.results(session, me, pid, offset=0, limit=2)
    assert ([g.name for g in waiting.groups], waiting.total) == (["Panel 0", "Panel 1"], 3)
    assert [p.appears_on for p in waiting.pending] == [(NOW + timedelta(days=result_release.REVIEW_WAIT_DAYS - 1)).date()]

    result_release.mark_reviewed(session, doctor, pid, observation_id=fresh.id)
    session.commit()
    shown = record.results(session, me, pid, offset=0, limit=2)
    assert ([g.name for g in shown.groups], shown.total, shown.pending) == (["Hemoglobin A1c", "Panel 0"], 4, [])


OTHER_TESTS = [("2160-0", "Creatinine"), ("2951-2", "Sodium"), ("2823-3", "Potassium"), ("2075-0", "Chloride"),
               ("2028-9", "Carbon dioxide"), ("3094-0", "Urea nitrogen"), ("17861-6", "Calcium"),
               ("2885-2", "Protein"), ("1751-7", "Albumin")]


def _years_of_labs(session, pid: int, reports: int = 500) -> list[int]:
    """A panel a week for about ten years, ten values each (glucose in every one): report ids, newest first."""
    first = (session.exec(select(DiagnosticReport.id).order_by(DiagnosticReport.id.desc())).first() or 0) + 1
    at = [NOW - timedelta(days=7 * n + 1) for n in range(reports)]
    session.execute(insert(DiagnosticReport), [
        {"id": first + n, "patient_id": pid, "name": f"Metabolic panel {n:03d}", "category": "labs", "status": "final",
         "effective_at": at[n], "issued_at": at[n], "created_at": at[n]} for n in range(reports)])
    session.execute(insert(Observation), [
        {"patient_id": pid, "category": "laboratory", "loinc_code": loinc, "name": name, "status": "final",
         "value_num": float(80 + n % 50), "unit": "mg/dL", "effective_at": at[n], "issued_at": at[n],
         "report_id": first + n, "created_at": at[n]}
        for n in range(reports) for loinc, name in [(GLUCOSE, "Glucose"), *OTHER_TESTS]])
    session.commit()
    return [first + n for n in range(reports)]


def test_a_chart_with_5000_values_opens_its_first_page_and_a_trend_reading_a_few_hundred_rows(session, chart):
    me, pid = chart
    report_ids = _years_of_labs(session, pid)
    assert session.exec(select(Observation.id).where(Observation.patient_id == pid)).all().__len__() == 5_000

    with rows_read(session) as page_rows:
        first = record.results(session, me, pid, offset=0, limit=25)
    assert [g.key for g in first.groups] == [f"report-{i}" for i in report_ids[:25]]
    assert all(len(g.values) == 10 for g in first.groups)
    assert (first.total, first.has_more) == (500, True)
    assert sum(page_rows) < 350  # the page's 25 reports and their 250 values, not the chart's 5,000

    with rows_read(session) as last_rows:
        last = record.results(session, me, pid, offset=475, limit=25)
    assert [g.key for g in last.groups] == [f"report-{i}" for i in report_ids[475:]] and not last.has_more
    assert sum(last_rows) < 350  # the database skips the first 475 groups

    newest = session.exec(select(Observation).where(Observation.report_id == report_ids[0],
                                                    Observation.loinc_code == GLUCOSE)).one()
    with rows_read(session) as trend_rows:
        detail = record.result_detail(session, me, pid, newest.id)
    assert len(detail.trend) == result_list.TREND_POINTS
    assert detail.trend[-1].value == newest.value_num and detail.trend[-1].when == NOW - timedelta(days=1)
    assert detail.trend[0].when == NOW - timedelta(days=7 * (result_list.TREND_POINTS - 1) + 1)
    assert [p.when for p in detail.trend] == sorted(p.when for p in detail.trend)
    assert sum(trend_rows) < 250  # this test's newest 200 values and the value's own report


def test_a_trend_has_the_same_tests_released_values_only(session, make, chart):
    me, pid = chart
    doctor = Actor.for_user(make("drtrend", "pw-dr-trend-paging-1", role=Role.CLINICIAN))
    _report(session, pid, "Panel old", NOW - timedelta(days=60))
    held = _report(session, pid, "Panel held", NOW - timedelta(days=30))
    newest = _report(session, pid, "Panel new", NOW - timedelta(days=2), tests=((GLUCOSE, "Glucose"), ("2160-0", "Creatinine")))
    uncoded = Observation(patient_id=pid, category="laboratory", name="Glucose", value_num=77.0,
                          effective_at=NOW - timedelta(days=10))  # the same test, typed in without a code
    session.add(uncoded)
    session.commit()
    result_release.hold(session, doctor, pid, report_id=held.id, reason="Wait", ends_at=NOW + timedelta(days=3))
    session.commit()
    value = session.exec(select(Observation).where(Observation.report_id == newest.id,
                                                   Observation.loinc_code == GLUCOSE)).one()

    detail = record.result_detail(session, me, pid, value.id)

    assert [(p.when, p.value) for p in detail.trend] == [
        (NOW - timedelta(days=60), 90.0), (NOW - timedelta(days=10), 77.0), (NOW - timedelta(days=2), 90.0)]
    assert [v.name for v in detail.group.values] == ["Glucose", "Creatinine"] and detail.group.name == "Panel new"
    held_value = session.exec(select(Observation).where(Observation.report_id == held.id)).one()
    with pytest.raises(NotFound):
        record.result_detail(session, me, pid, held_value.id)


@pytest.mark.parametrize("offset, limit", [(-1, 25), ("0", 25), (True, 25), (1.5, 25), (0, 0), (0, -5), (0, "25"),
                                           (0, True), (None, 25)])
def test_a_page_that_cannot_exist_is_refused(session, chart, offset, limit):
    me, pid = chart
    with pytest.raises(InvalidInput):
        record.results(session, me, pid, offset=offset, limit=limit)


def test_paging_refuses_whoever_could_not_read_the_results_and_audits_every_page_read(session, make, chart):
    me, pid = chart
    for n in range(3):
        _report(session, pid, f"Panel {n}", NOW - timedelta(days=n + 1))
    value = session.exec(select(Observation).where(Observation.patient_id == pid)).first()
    other = Actor.for_user(make("olga", "pw-olga-paging-1"))
    desk = Actor.for_user(make("desk", "pw-desk-paging-1", role=Role.FRONT_DESK))
    admin = Actor.for_user(make("admin", "pw-admin-paging-1", role=Role.ADMIN))
    scoped, unscoped = make("ally", "pw-ally-paging-1", role=Role.PROXY), make("ned", "pw-ned-paging-1", role=Role.PROXY)
    for user, scopes in ((scoped, "results"), (unscoped, "appointments,record")):
        session.add(ProxyGrant(patient_id=pid, grantee_user_id=user.id, relationship="friend", scopes=scopes,
                               starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()

    for who in (other, Actor.for_user(unscoped), desk, admin, None):
        for call in (lambda a: record.results(session, a, pid, offset=2, limit=2),
                     lambda a: record.result_detail(session, a, pid, value.id)):
            with pytest.raises((NotFound, PermissionDenied)):
                call(who)
            session.rollback()
    denied = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.outcome == "denied")).all()
    assert len(denied) == 10

    for who in (me, Actor.for_user(scoped)):
        assert [g.name for g in record.results(session, who, pid, offset=2, limit=2).groups] == ["Panel 2"]
        assert record.results(session, who, pid, offset=0, limit=2).has_more
    session.commit()
    reads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "read",
                                                  AuditEvent.outcome == "success").order_by(AuditEvent.id)).all()
    assert [(r.actor_user_id, r.detail) for r in reads] == [(me.user_id, "results list")] * 2 + [
        (scoped.id, "results list")] * 2
