"""Secure messaging: pools and their members, threads, messages, internal notes, read markers,
drafts, canned replies (attachments are stored_file rows claimed as "message:<id>").

Revision ID: 0401
Revises: 0501
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0401"
down_revision = "0501"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_pool",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("clinical", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "message_pool_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pool_id", sa.Integer(), sa.ForeignKey("message_pool.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.UniqueConstraint("pool_id", "user_id", name="uq_message_pool_member"),
    )
    op.create_index("ix_message_pool_member_user_id", "message_pool_member", ["user_id"])
    op.create_table(
        "message_thread",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("pool_id", sa.Integer(), sa.ForeignKey("message_pool.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("started_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("reply_due", UTC_TIME, nullable=True),
        sa.Column("last_message_at", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_message_thread_patient_last", "message_thread", ["patient_id", "last_message_at"])
    op.create_index("ix_message_thread_pool_status", "message_thread", ["pool_id", "status", "last_message_at"])
    op.create_index("ix_message_thread_assignee_user_id", "message_thread", ["assignee_user_id"])
    for table in ("message", "message_note"):
        columns = [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("thread_id", sa.Integer(), sa.ForeignKey("message_thread.id"), nullable=False),
            sa.Column("author_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
            sa.Column("author_label", sa.String(200), nullable=False),
        ]
        if table == "message":
            columns.append(sa.Column("from_staff", sa.Boolean(), nullable=False))
        columns += [sa.Column("body", sa.Text(), nullable=False), sa.Column("created_at", UTC_TIME, nullable=False)]
        op.create_table(table, *columns)
        op.create_index(f"ix_{table}_thread_id", table, ["thread_id"])
    op.create_index("ix_message_author_created", "message", ["author_user_id", "created_at"])
    op.create_table(
        "message_read",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("message_thread.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("thread_id", "user_id", name="uq_message_read"),
    )
    op.create_index("ix_message_read_user_id", "message_read", ["user_id"])
    op.create_table(
        "message_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("slot", sa.String(24), nullable=False),
        sa.Column("topic", sa.String(16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("user_id", "patient_id", "slot", name="uq_message_draft"),
    )
    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pool_id", sa.Integer(), sa.ForeignKey("message_pool.id"), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("canned_reply")
    op.drop_table("message_draft")
    op.drop_index("ix_message_read_user_id", table_name="message_read")
    op.drop_table("message_read")
    for table in ("message_note", "message"):
        op.drop_index(f"ix_{table}_thread_id", table_name=table)
        op.drop_table(table)
    for index in ("ix_message_thread_assignee_user_id", "ix_message_thread_pool_status", "ix_message_thread_patient_last"):
        op.drop_index(index, table_name="message_thread")
    op.drop_table("message_thread")
    op.drop_index("ix_message_pool_member_user_id", table_name="message_pool_member")
    op.drop_table("message_pool_member")
    op.drop_table("message_pool")
