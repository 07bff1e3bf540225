"""The audit trail: one row per access or change, append-only and hash-chained.

HIPAA 164.312(b), ONC 170.315(d)(2), (d)(3), (d)(10). Rows are written only by
``services/audit.py``; the database itself refuses to change or delete them (triggers below), and
each row carries the SHA-256 of its own contents and of the row before, so ``portal audit verify``
finds a row that someone with database-owner rights altered, deleted or moved anyway.

No foreign keys on purpose: an audit row must be writable for ids that do not exist (a refused
request for a made-up patient id is itself audited) and must outlive anything it mentions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, event
from sqlmodel import Field, SQLModel

from portal_app.models.base import utc_column

APPEND_ONLY_MESSAGE = "audit_event is append-only"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    # Ids never reused. services/audit.py gives each row the id after the last one (under the chain
    # lock) so that ids have no gaps and a missing id means a deleted row.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = utc_column(nullable=False, index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_role: str = Field(max_length=16)  # a Role value, "system" or "anonymous"
    actor_label: str = Field(max_length=200)  # display name, or "system: portal command"
    patient_id: int | None = Field(default=None, index=True)  # whose record, when there is one
    action: str = Field(max_length=32, index=True)  # sign_in, read, create, update, delete, ...
    category: str = Field(max_length=32)  # the data category: session, demographics, results, ...
    outcome: str = Field(max_length=16)  # success, denied, failure
    detail: str = Field(default="", max_length=200)  # short, never a health data value
    source_ip: str = Field(default="", max_length=64)
    session_ref: str = Field(default="", max_length=64)  # the hashed session id (Actor.session_ref)
    prev_hash: str = Field(max_length=64)  # row_hash of the row before; 64 zeros for the first
    row_hash: str = Field(max_length=64)  # SHA-256 hex of every field above plus prev_hash


def append_only_ddl(dialect: str) -> list[str]:
    """The statements that make ``audit_event`` refuse UPDATE and DELETE (and TRUNCATE), per dialect.

    Used both by migration 0002 and by ``SQLModel.metadata.create_all`` (the hook below), so the
    tests' databases and the migrated ones carry the very same triggers. No ``%`` or ``:name`` in
    the SQL: it goes through SQLAlchemy's ``DDL`` and ``text``.
    """
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
        ]
    raise NotImplementedError(f"no append-only triggers for {dialect}: the audit trail needs SQLite or PostgreSQL")


def drop_append_only_ddl(dialect: str) -> list[str]:
    """Undo ``append_only_ddl`` (dropping the table drops its triggers; PostgreSQL keeps the function)."""
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
            "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
            "DROP FUNCTION IF EXISTS audit_event_append_only()",
        ]
    raise NotImplementedError(dialect)


for _dialect in ("sqlite", "postgresql"):
    for _statement in append_only_ddl(_dialect):
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
# create_all's DROP TABLE takes the triggers with it; the PostgreSQL function must go separately.
event.listen(
    AuditEvent.__table__,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS audit_event_append_only()").execute_if(dialect="postgresql"),
)
