"""Failed attempts per account and factor: growing delays, then the factor is switched off.

NIST SP 800-63B-4 §3.2.2 caps consecutive failures at 100. Ours: from the 6th failure each further
try must wait 30 s, doubling up to 1 h; at 100 the factor is disabled until the account is
recovered (staff reset). A success resets the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.mfa import FactorFailures

FIRST_DELAYED_FAILURE = 6
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
CAP = 100


@dataclass(frozen=True)
class Gate:
    open: bool
    wait_seconds: int = 0
    disabled: bool = False


def delay_after(failures: int) -> timedelta:
    if failures < FIRST_DELAYED_FAILURE:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - FIRST_DELAYED_FAILURE), LONGEST_DELAY)


def _row(session: Session, user_id: int, factor: str) -> FactorFailures:
    row = session.exec(
        select(FactorFailures).where(FactorFailures.user_id == user_id, FactorFailures.factor == factor)
    ).first()
    if row is None:
        row = FactorFailures(user_id=user_id, factor=factor)
        session.add(row)
    return row


def gate(session: Session, user_id: int, factor: str) -> Gate:
    """May this factor be tried now?"""
    row = _row(session, user_id, factor)
    if row.disabled_at is not None:
        return Gate(open=False, disabled=True)
    if row.last_failure_at is None:
        return Gate(open=True)
    ready_at = clock.as_utc(row.last_failure_at) + delay_after(row.count)
    remaining = (ready_at - clock.now()).total_seconds()
    return Gate(open=True) if remaining <= 0 else Gate(open=False, wait_seconds=int(remaining) + 1)


def failed(session: Session, user_id: int, factor: str) -> None:
    row = _row(session, user_id, factor)
    row.count += 1
    row.last_failure_at = clock.now()
    if row.count >= CAP:
        row.disabled_at = row.last_failure_at
    session.add(row)


def succeeded(session: Session, user_id: int, factor: str) -> None:
    row = _row(session, user_id, factor)
    row.count = 0
    row.last_failure_at = None
    session.add(row)


def reset(session: Session, user_id: int) -> None:
    """Staff recovery: every factor of the account may be tried again."""
    for row in session.exec(select(FactorFailures).where(FactorFailures.user_id == user_id)).all():
        row.count, row.last_failure_at, row.disabled_at = 0, None, None
        session.add(row)
