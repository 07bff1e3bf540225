"""Pre-visit check-in: when the patient's side checked in online, and what changed.

Revision ID: 0303
Revises: 0302
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0303"
down_revision = "0601"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("previsit_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("previsit_flags", sa.String(60), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("previsit_flags")
        batch.drop_column("previsit_at")
