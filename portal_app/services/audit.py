"""The audit trail: recording, verifying and reporting who did what to which record, and when.

HIPAA 164.312(b), ONC 170.315(d)(2), (d)(3), (d)(10); see models/audit.py for the table.

Recording. ``record`` adds the row in the caller's transaction, so a change and its audit row
commit together or not at all. Rows form a hash chain: each stores the SHA-256 of its own
contents and the previous row's hash, and takes the id after the last row's. Appending must
therefore read the last row and insert the next one without another writer slipping in between,
or two rows would claim the same place (the primary key would then refuse the second, failing its
whole transaction). So ``record`` first takes the chain lock, which lasts until the caller's
transaction ends:

- PostgreSQL: ``pg_advisory_xact_lock`` on a constant key. Under READ COMMITTED, the following
  read sees every append committed before the lock was granted.
- SQLite: a write statement that matches no row (``UPDATE ... WHERE 0``) makes the transaction a
  writer. SQLite has one writer at a time, and a transaction that *starts* with a write waits for
  the lock and then reads the newest data (like ``BEGIN IMMEDIATE``).

Because the lock is held to the end of the caller's transaction, audited transactions append one
after another; keep them short.

Refusals. A refused request must itself be audited, but the service refuses by raising, and the
caller then rolls back its transaction, with any row written in it. ``record_refusal`` therefore
keeps the row aside on the session and writes it in a transaction of its own as soon as the
caller's transaction ends, however it ends (commit, rollback or close). It is not written at once
in a second transaction because the caller's transaction may already hold the chain lock (it
audited something earlier) or SQLite's write lock: a second connection from the same thread
would then wait on its own caller, for ever on PostgreSQL. Services call ``record_refusal`` just
before raising ``PermissionDenied`` or ``NotFound``; failed sign-ins use it too.

Verifying. ``verify`` walks the chain in id order and names the first row whose contents no
longer match its hash (edited), whose id does not follow the previous one (deleted), or whose
``prev_hash`` is not the previous row's hash (deleted, inserted or moved). The hash is plain
SHA-256, so someone able to rewrite the table could also rewrite every later hash: keep the
latest hash ``portal audit verify`` prints outside the database (with the backups) to catch that,
and a deletion of the newest rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import string
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.audit import AuditEvent
from portal_app.services.access import SYSTEM, Actor, allowed
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

ACTIONS = frozenset({
    "sign_in", "sign_in_failed", "sign_out", "read", "create", "update", "delete", "print", "download",
    "share", "permission_change", "break_glass",
})
OUTCOMES = frozenset({"success", "denied", "failure"})
ANONYMOUS = "anonymous"
GENESIS = "0" * 64  # the prev_hash of the first row
# "audit:v1" as a number: the transaction-scoped PostgreSQL advisory lock that serialises appends.
CHAIN_LOCK_KEY = int.from_bytes(b"audit:v1", "big") & 0x7FFF_FFFF_FFFF_FFFF
HASHED_FIELDS = (
    "id", "occurred_at", "actor_user_id", "actor_role", "actor_label", "patient_id", "action", "category",
    "outcome", "detail", "source_ip", "session_ref", "prev_hash",
)
# Report columns a client may sort by. Anything else is refused, never looked up on the model.
SORT_COLUMNS = {
    "occurred_at": AuditEvent.occurred_at,
    "id": AuditEvent.id,
    "actor_user_id": AuditEvent.actor_user_id,
    "actor_role": AuditEvent.actor_role,
    "actor_label": AuditEvent.actor_label,
    "patient_id": AuditEvent.patient_id,
    "action": AuditEvent.action,
    "category": AuditEvent.category,
    "outcome": AuditEvent.outcome,
}
MAX_PAGE = 1000
MAX_EXPORT = 100_000
CSV_COLUMNS = (
    "id", "occurred_at", "actor_user_id", "actor_role", "actor_label", "patient_id", "action", "category",
    "outcome", "detail", "source_ip", "session_ref",
)
_PENDING = "audit_pending_refusals"  # session.info key: refusal rows waiting for the transaction's end
_CATEGORY_CHARS = frozenset(string.ascii_lowercase + string.digits + "_")


# --- recording --------------------------------------------------------------------------------


def _clean(value: object, limit: int) -> str:
    """Printable text, cut to the column's length (PostgreSQL refuses NUL; newlines would split CSV lines)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in str(value or ""))
    return cleaned[:limit]


def _fields(
    actor: Actor | None, action: str, category: str, outcome: str, patient_id: int | None, detail: str,
    source_ip: str,
) -> dict[str, Any]:
    """Everything a row holds except its place in the chain, checked and cleaned."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if not category or len(category) > 32 or not set(category) <= _CATEGORY_CHARS:
        raise ValueError(f"audit category must be a short lower-case name, got {category!r}")
    if patient_id is not None and not _is_id(patient_id):
        raise ValueError(f"audit patient_id must be an integer, got {type(patient_id).__name__}")
    if actor is None:
        user_id, role, label, session_ref = None, ANONYMOUS, ANONYMOUS, ""
    else:
        user_id, role, session_ref = actor.user_id, actor.role, actor.session_ref
        if actor.role == SYSTEM:
            label = f"system: {actor.display_name or 'unnamed'}"
        else:
            label = actor.display_name or f"user {actor.user_id}"
    return {
        "occurred_at": clock.now(),
        "actor_user_id": user_id,
        "actor_role": _clean(role, 16),
        "actor_label": _clean(label, 200),
        "patient_id": patient_id,
        "action": action,
        "category": category,
        "outcome": outcome,
        "detail": _clean(detail, 200),
        "source_ip": _clean(source_ip, 64),
        "session_ref": _clean(session_ref, 64),
    }


def compute_hash(row: AuditEvent) -> str:
    """SHA-256 hex of a canonical form of every field but ``row_hash`` (sorted-key, ASCII JSON)."""
    values = {name: getattr(row, name) for name in HASHED_FIELDS}
    values["occurred_at"] = clock.as_utc(row.occurred_at).isoformat(timespec="microseconds")
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(b"audit_event v1\n" + canonical.encode("ascii")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Hold the chain until the transaction ends (see the module docstring)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        session.execute(text("UPDATE audit_event SET id = id WHERE 0"))  # takes the write lock, changes nothing
    else:  # pragma: no cover - models/audit.py already refuses other databases
        raise NotImplementedError(dialect)


def _append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Chain ``rows`` on after the last one: one lock, one read of the chain's end, one insert."""
    _lock_chain(session)
    last = session.exec(select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    next_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    chained = []
    for fields in rows:
        row = {**fields, "id": next_id, "prev_hash": prev_hash}
        row["row_hash"] = compute_hash(SimpleNamespace(**row))
        chained.append(row)
        next_id, prev_hash = next_id + 1, row["row_hash"]
    # A plain INSERT (no ORM objects: nothing reads them back), one statement for the whole list.
    session.execute(insert(AuditEvent.__table__), chained)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    category: str,
    outcome: str = "success",
    patient_id: int | None = None,
    detail: str = "",
    source_ip: str = "",
) -> None:
    """Add one audit row in the caller's transaction. ``detail`` is short and never a health data value."""
    _append(session, [_fields(actor, action, category, outcome, patient_id, detail, source_ip)])


def record_each(
    session: Session,
    actor: Actor | None,
    action: str,
    category: str,
    entries: list[tuple[int | None, str]],
) -> None:
    """One row per (patient_id, detail), as ``record`` would write them one by one, appended together:
    a page listing twenty charts takes the chain lock once, not twenty times."""
    if entries:
        _append(session, [_fields(actor, action, category, "success", patient_id, detail, "")
                          for patient_id, detail in entries])


def record_refusal(
    session: Session,
    actor: Actor | None,
    action: str,
    category: str,
    outcome: str = "denied",
    patient_id: int | None = None,
    detail: str = "",
    source_ip: str = "",
) -> None:
    """Audit a refused request so that the row survives the caller's rollback (see the module docstring).

    The row is written in its own transaction when the caller's transaction ends, or at once when
    the session has no transaction open.
    """
    fields = _fields(actor, action, category, outcome, patient_id, detail, source_ip)
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(fields)
    else:
        _write_apart(session, [fields])


def _write_apart(session: OrmSession, pending: list[dict[str, Any]]) -> None:
    bind = session.get_bind()
    with Session(bind.engine, expire_on_commit=False) as own:
        _append(own, pending)
        own.commit()


@event.listens_for(OrmSession, "after_transaction_end")
def _write_pending_refusals(session: OrmSession, transaction) -> None:
    """Once the caller's (outermost) transaction is over and its locks are released."""
    if transaction.parent is not None or not session.info.get(_PENDING):
        return
    _write_apart(session, session.info.pop(_PENDING))


# --- verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    rows_checked: int
    first_problem: str | None = None
    first_bad_id: int | None = None
    last_hash: str | None = None  # the newest row's hash: keep it outside the database


def verify(session: Session, batch: int = 1000) -> VerifyReport:
    """Walk the whole chain in id order; report the first row that does not fit."""
    columns = [getattr(AuditEvent, name) for name in HASHED_FIELDS] + [AuditEvent.row_hash]
    checked, previous_id, previous_hash = 0, 0, GENESIS
    while True:
        # Plain rows, not ORM objects: nothing piles up in (or is evicted from) the caller's session.
        rows = session.execute(
            select(*columns).where(AuditEvent.id > previous_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return VerifyReport(ok=True, rows_checked=checked, last_hash=previous_hash if checked else None)
        for row in rows:
            checked += 1
            problem = None
            if row.id != previous_id + 1:
                missing = row.id - previous_id - 1
                problem = f"row {row.id}: {missing} row(s) before it are missing (ids {previous_id + 1}-{row.id - 1})"
            elif row.prev_hash != previous_hash:
                problem = f"row {row.id}: does not follow row {previous_id} (rows changed, removed or moved)"
            elif compute_hash(row) != row.row_hash:
                problem = f"row {row.id}: its contents were changed after it was written"
            if problem:
                return VerifyReport(ok=False, rows_checked=checked, first_problem=problem, first_bad_id=row.id)
            previous_id, previous_hash = row.id, row.row_hash


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessView:
    """One line of "who looked at my record" for a patient."""

    who: str
    role_label_key: str  # a translation key: "role." + role
    when: datetime
    action: str
    category: str
    outcome: str


@dataclass(frozen=True)
class AuditRow:
    """One line of the staff audit report."""

    id: int
    occurred_at: datetime
    actor_user_id: int | None
    actor_role: str
    actor_label: str
    patient_id: int | None
    action: str
    category: str
    outcome: str
    detail: str
    source_ip: str
    session_ref: str


def events_for_patient(session: Session, actor: Actor, patient_id: int, limit: int = 50,
                       offset: int = 0) -> list[AccessView]:
    """Accesses to one patient's record, newest first: for that patient, or staff allowed the audit report.

    A patient asking for another patient's id gets NotFound (the record's existence is not
    revealed); anyone else not allowed gets PermissionDenied. Both refusals are audited.
    """
    valid_id = _is_id(patient_id)
    own = allowed(actor, "audit.own") and valid_id and actor.patient_id == patient_id
    if not own and not allowed(actor, "audit.report"):
        record_refusal(session, actor, "read", "audit", patient_id=patient_id if valid_id else None)
        raise NotFound() if allowed(actor, "audit.own") else PermissionDenied()
    if not valid_id:
        raise NotFound()
    limit, offset = _page(limit, offset, MAX_PAGE)
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        AccessView(who=row.actor_label, role_label_key=f"role.{row.actor_role}", when=clock.as_utc(row.occurred_at),
                   action=row.action, category=row.category, outcome=row.outcome)
        for row in rows
    ]


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _page(limit: object, offset: object, most: int) -> tuple[int, int]:
    if not _is_id(limit) or not _is_id(offset) or not 1 <= limit <= most or offset < 0:
        raise InvalidInput("audit.error.page")
    return limit, offset


def _report_rows(
    session: Session, actor: Actor, since: datetime, until: datetime, user_id: int | None, patient_id: int | None,
    action: str | None, sort: str, descending: bool, limit: int, offset: int, most: int, audit_action: str,
) -> list[AuditRow]:
    if not allowed(actor, "audit.report"):
        record_refusal(session, actor, audit_action, "audit")
        raise PermissionDenied()
    if not isinstance(sort, str) or sort not in SORT_COLUMNS:
        raise InvalidInput("audit.error.sort")
    if not isinstance(since, datetime) or not isinstance(until, datetime) or clock.as_utc(until) <= clock.as_utc(since):
        raise InvalidInput("audit.error.period")
    if not all(value is None or _is_id(value) for value in (user_id, patient_id)):
        raise InvalidInput("audit.error.filter")
    if action is not None and action not in ACTIONS:
        raise InvalidInput("audit.error.filter")
    limit, offset = _page(limit, offset, most)
    query = select(AuditEvent).where(
        AuditEvent.occurred_at >= clock.as_utc(since), AuditEvent.occurred_at < clock.as_utc(until)
    )
    if user_id is not None:
        query = query.where(AuditEvent.actor_user_id == user_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    column = SORT_COLUMNS[sort]
    order = [column.desc(), AuditEvent.id.desc()] if descending else [column.asc(), AuditEvent.id.asc()]
    rows = session.exec(query.order_by(*order).limit(limit).offset(offset)).all()
    found = [
        AuditRow(id=row.id, occurred_at=clock.as_utc(row.occurred_at), actor_user_id=row.actor_user_id,
                 actor_role=row.actor_role, actor_label=row.actor_label, patient_id=row.patient_id,
                 action=row.action, category=row.category, outcome=row.outcome, detail=row.detail,
                 source_ip=row.source_ip, session_ref=row.session_ref)
        for row in rows
    ]
    # Reading the trail is itself audited (after the query, so the report does not list its own row).
    record(session, actor, audit_action, "audit", patient_id=patient_id,
           detail=f"{len(found)} rows; user={user_id} action={action}"[:200])
    return found


def report(
    session: Session,
    actor: Actor,
    since: datetime,
    until: datetime,
    user_id: int | None = None,
    patient_id: int | None = None,
    action: str | None = None,
    sort: str = "occurred_at",
    descending: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRow]:
    """Audit rows from ``since`` (inclusive) to ``until`` (exclusive), filtered and sorted; admins only."""
    return _report_rows(session, actor, since, until, user_id, patient_id, action, sort, descending, limit, offset,
                        MAX_PAGE, "read")


def _csv_cell(value: object) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection): names come from users."""
    if value is None:
        return ""
    cell = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def report_csv(
    session: Session,
    actor: Actor,
    since: datetime,
    until: datetime,
    user_id: int | None = None,
    patient_id: int | None = None,
    action: str | None = None,
    sort: str = "occurred_at",
    descending: bool = True,
    limit: int = MAX_EXPORT,
) -> str:
    """The same report as CSV: a header row, then one line per event (UTC times, ISO 8601)."""
    rows = _report_rows(session, actor, since, until, user_id, patient_id, action, sort, descending, limit, 0,
                        MAX_EXPORT, "download")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, column)) for column in CSV_COLUMNS])
    return out.getvalue()
