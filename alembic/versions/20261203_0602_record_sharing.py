"""Record sharing: shares of a record with another provider and their views; outbox attachments
(a copy of the record the patient emails to an address they choose).

Revision ID: 0602
Revises: 0304
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = "0602"
down_revision = "0304"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('record_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=80), nullable=False),
    sa.Column('sections', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_share_code_hash'), ['code_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_record_share_patient_id'), ['patient_id'], unique=False)
    op.create_table('record_share_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['record_share.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_share_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_share_view_share_id'), ['share_id'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('attachment', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachment')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')
    with op.batch_alter_table('record_share_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_share_view_share_id'))
    op.drop_table('record_share_view')
    with op.batch_alter_table('record_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_share_patient_id'))
        batch_op.drop_index(batch_op.f('ix_record_share_code_hash'))
    op.drop_table('record_share')
