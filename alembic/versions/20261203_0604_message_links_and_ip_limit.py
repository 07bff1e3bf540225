"""Messages: a thread may point at the result it asks about; patient-side messages keep the
sender's address, for the per-address sending limit.

Revision ID: 0604
Revises: 0602
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0604"
down_revision = "0602"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_thread") as batch:
        batch.add_column(sa.Column("result_observation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_message_thread_result_observation", "observation",
                                 ["result_observation_id"], ["id"])
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("source_ip", sa.String(45), nullable=True))
        batch.create_index("ix_message_source_ip_created", ["source_ip", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.drop_index("ix_message_source_ip_created")
        batch.drop_column("source_ip")
    with op.batch_alter_table("message_thread") as batch:
        batch.drop_constraint("fk_message_thread_result_observation", type_="foreignkey")
        batch.drop_column("result_observation_id")
