"""Stored files: uploads kept in the database, outside any public folder.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(43), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("attached_to", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stored_file_token", "stored_file", ["token"], unique=True)
    op.create_index("ix_stored_file_owner_user_id", "stored_file", ["owner_user_id"])
    op.create_index("ix_stored_file_attached_to", "stored_file", ["attached_to"])


def downgrade() -> None:
    op.drop_index("ix_stored_file_attached_to", table_name="stored_file")
    op.drop_index("ix_stored_file_owner_user_id", table_name="stored_file")
    op.drop_index("ix_stored_file_token", table_name="stored_file")
    op.drop_table("stored_file")
