"""Audit trail: the append-only, hash-chained audit_event table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from portal_app.models.audit import append_only_ddl, drop_append_only_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("occurred_at", UTC_TIME, nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),  # no foreign keys: see models/audit.py
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_label", sa.String(200), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("source_ip", sa.String(64), nullable=False),
        sa.Column("session_ref", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sqlite_autoincrement=True,  # ids never reused (see models/audit.py)
    )
    op.create_index("ix_audit_event_occurred_at", "audit_event", ["occurred_at"])
    op.create_index("ix_audit_event_patient_id", "audit_event", ["patient_id"])
    op.create_index("ix_audit_event_actor_user_id", "audit_event", ["actor_user_id"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    # Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE): the same SQL create_all attaches.
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("audit_event")
