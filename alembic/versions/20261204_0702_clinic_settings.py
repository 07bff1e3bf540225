"""Clinic-wide settings the admin changes on /console/setup: for now the clinic's time zone
(empty until chosen; PORTAL_CLINIC_TIMEZONE holds until then).

Revision ID: 0702
Revises: 0701
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0702"
down_revision = "0701"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("clinic_settings")
