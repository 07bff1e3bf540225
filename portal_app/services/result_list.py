"""The results list in SQL: which result groups of a chart are on a page (a report, or a lab or
imaging value outside any report), newest first, how many there are, and one test's values for
its trend chart.

A chart followed for years holds thousands of values, so the database filters, orders, counts and
pages the groups, and only the page asked for is read. Who sees what stays with ``ReleaseRules``
(``services/result_release.py``): the few groups it could hide (under an active hold, or in an
"after review" category, not reviewed and still within the wait) are read and judged there first,
and the page queries leave out the ones it hides. ``services/record.py`` makes the groups.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, exists, func, literal_column, or_, true, union_all
from sqlmodel import Session, select

from portal_app.models.record import DiagnosticReport as R
from portal_app.models.record import Observation as O
from portal_app.services.result_release import REVIEW_WAIT_DAYS, ReleaseRules, Visibility

RESULT_CATEGORIES = ("laboratory", "imaging")  # observation categories shown as results, not in the record
REPORT, VALUE = 0, 1  # group kinds; at the same moment a value comes before a report, as "value-" > "report-"
TREND_POINTS = 200  # the newest values of one test drawn on its chart

# The moments the list uses, as ``result_release.came_in`` and the group's day in ``services/record.py``:
REPORT_WHEN = func.coalesce(R.effective_at, R.issued_at, R.created_at)  # its day and place in the list
REPORT_CAME_IN = func.coalesce(R.issued_at, R.effective_at, R.created_at)  # the date filter and the review wait
VALUE_WHEN = func.coalesce(O.effective_at, O.issued_at, O.created_at)  # a lone value's day, place and date filter
VALUE_CAME_IN = func.coalesce(O.issued_at, O.effective_at, O.created_at)  # its review wait
VALUE_CATEGORY = case((O.category == "imaging", "imaging"), else_="labs")  # as result_release.observation_category

Key = tuple[int, int]  # (REPORT or VALUE, row id)


def in_own_report():
    """The value belongs to a report of its own chart (so it shows in that report's group)."""
    return exists().where(R.id == O.report_id, R.patient_id == O.patient_id)


def lone_values(patient_id: int) -> tuple:
    """The conditions for a chart's result values outside any of its reports: each a group of its own."""
    return O.patient_id == patient_id, O.category.in_(RESULT_CATEGORIES), ~in_own_report()


def hidden(session: Session, patient_id: int, rules: ReleaseRules) -> dict[Key, tuple[R | O, Visibility]]:
    """The groups the patient does not see now, with their row and why: only held ones and, in the
    categories the patient sees after review, unreviewed ones that came in within the wait."""
    waiting = [category for category, mode in rules.modes.items() if mode == "after_review"]
    recent = rules.now - timedelta(days=REVIEW_WAIT_DAYS)
    found: dict[Key, tuple[R | O, Visibility]] = {}
    maybe_reports = [R.id.in_(list(rules.report_holds))] if rules.report_holds else []
    maybe_values = [O.id.in_(list(rules.observation_holds))] if rules.observation_holds else []
    if waiting:
        maybe_reports.append(and_(R.category.in_(waiting), R.reviewed_at.is_(None), REPORT_CAME_IN > recent))
        maybe_values.append(and_(VALUE_CATEGORY.in_(waiting), O.reviewed_at.is_(None), VALUE_CAME_IN > recent))
    if maybe_reports:
        for report in session.exec(select(R).where(R.patient_id == patient_id, or_(*maybe_reports)).order_by(R.id)):
            seen = rules.report(report)
            if not seen.visible:
                found[(REPORT, report.id)] = (report, seen)
    if maybe_values:
        for obs in session.exec(select(O).where(*lone_values(patient_id), or_(*maybe_values)).order_by(O.id)):
            seen = rules.observation(obs)
            if not seen.visible:
                found[(VALUE, obs.id)] = (obs, seen)
    return found


def _split(keys: Collection[Key]) -> tuple[list[int], list[int]]:
    """(report ids, value ids)"""
    return [i for kind, i in keys if kind == REPORT], [i for kind, i in keys if kind == VALUE]


def _not_in(column, ids: list[int]):
    return column.not_in(ids) if ids else true()


def _within(moment, since, until) -> list:
    """A date filter (days in UTC, both ends included) as conditions on a moment."""
    conditions = []
    if since is not None:
        conditions.append(moment >= datetime.combine(since, time(), UTC))
    if until is not None:
        conditions.append(moment < datetime.combine(until + timedelta(days=1), time(), UTC))
    return conditions


def page(session: Session, patient_id: int, since, until, leave_out: Collection[Key], offset: int,
         limit: int | None) -> tuple[list[Key], int]:
    """The groups from ``offset`` (``limit`` of them, or all), newest first, within the dates and
    without ``leave_out``; and how many such groups there are in all."""
    left_reports, left_values = _split(leave_out)
    reports = select(literal_column(str(REPORT), Integer).label("kind"), R.id.label("id"), REPORT_WHEN.label("at")) \
        .where(R.patient_id == patient_id, _not_in(R.id, left_reports), *_within(REPORT_CAME_IN, since, until))
    values = select(literal_column(str(VALUE), Integer).label("kind"), O.id.label("id"), VALUE_WHEN.label("at")) \
        .where(*lone_values(patient_id), _not_in(O.id, left_values), *_within(VALUE_WHEN, since, until))
    groups = union_all(reports, values).subquery()
    rows = session.exec(select(groups.c.kind, groups.c.id, func.count().over())  # the count in the same pass
                        .order_by(groups.c.at.desc(), groups.c.kind.desc(), groups.c.id.desc())
                        .offset(offset).limit(limit)).all()
    if rows or offset == 0:
        return [(kind, i) for kind, i, _total in rows], rows[0][2] if rows else 0
    return [], session.exec(select(func.count()).select_from(groups)).one()  # a page past the end


def trend(session: Session, patient_id: int, leave_out: Collection[Key], loinc: str, name: str) -> list[tuple[datetime, float]]:
    """One test's numbers the patient sees (its LOINC code, or its name for values without one), at
    their group's moment: the newest ``TREND_POINTS``, oldest first."""
    left_reports, left_values = _split(leave_out)
    uncoded = and_(or_(O.loinc_code.is_(None), O.loinc_code == ""), O.name == name)
    same_test = or_(O.loinc_code == loinc, uncoded) if loinc else uncoded
    # A value in a report takes the report's moment; the report's columns are empty for a lone value.
    at = func.coalesce(R.effective_at, R.issued_at, R.created_at, O.effective_at, O.issued_at, O.created_at)
    rows = session.exec(
        select(at.label("at"), O.value_num)
        .select_from(O).outerjoin(R, and_(R.id == O.report_id, R.patient_id == O.patient_id))
        .where(O.patient_id == patient_id, same_test, O.category.in_(RESULT_CATEGORIES), O.value_num.is_not(None),
               or_(and_(R.id.is_(None), _not_in(O.id, left_values)), and_(R.id.is_not(None), _not_in(R.id, left_reports))))
        .order_by(at.desc(), O.id.desc()).limit(TREND_POINTS)).all()
    return [(when, value) for when, value in reversed(rows)]
