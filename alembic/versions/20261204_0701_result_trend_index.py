"""An index for a result's trend chart: one test's values on one chart, by LOINC code (or by name
for values without a code), so a chart with thousands of values reads only that test's.

Revision ID: 0701
Revises: 0403
Create Date: 2026-12-04
"""

from alembic import op

revision = "0701"
down_revision = "0403"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_observation_patient_test", "observation", ["patient_id", "loinc_code", "name"])


def downgrade() -> None:
    op.drop_index("ix_observation_patient_test", table_name="observation")
