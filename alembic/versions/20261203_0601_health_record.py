"""Health record: visits, problems, allergies, immunizations, results and reports, procedures,
documents, care team; result holds and each patient's release choice per category.

Revision ID: 0601
Revises: 0501
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = "0601"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id')
    )
    op.create_table('practitioner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('qualification', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id')
    )
    op.create_table('allergy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('substance', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('criticality', sa.String(length=20), nullable=True),
    sa.Column('reaction', sa.String(length=300), nullable=True),
    sa.Column('severity', sa.String(length=20), nullable=True),
    sa.Column('clinical_status', sa.String(length=20), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_allergy_patient_source')
    )
    with op.batch_alter_table('allergy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allergy_patient_id'), ['patient_id'], unique=False)

    op.create_table('care_team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('last_seen_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'practitioner_id', name='uq_care_team_member')
    )
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_member_patient_id'), ['patient_id'], unique=False)

    op.create_table('encounter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('visit_class', sa.String(length=20), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('practitioner_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_encounter_patient_source')
    )
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_encounter_patient_id'), ['patient_id'], unique=False)

    op.create_table('patient_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id')
    )
    with op.batch_alter_table('patient_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_source_patient_id'), ['patient_id'], unique=False)

    op.create_table('release_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'category', name='uq_release_preference')
    )
    with op.batch_alter_table('release_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_preference_patient_id'), ['patient_id'], unique=False)

    op.create_table('clinical_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('kind', sa.String(length=300), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_clinical_document_patient_source')
    )
    with op.batch_alter_table('clinical_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinical_document_patient_id'), ['patient_id'], unique=False)

    op.create_table('condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('code_system', sa.String(length=120), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('clinical_status', sa.String(length=20), nullable=False),
    sa.Column('onset_on', sa.Date(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_condition_patient_source')
    )
    with op.batch_alter_table('condition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_patient_id'), ['patient_id'], unique=False)

    op.create_table('diagnostic_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=True),
    sa.Column('performer', sa.String(length=300), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_diagnostic_report_patient_source')
    )
    with op.batch_alter_table('diagnostic_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_report_patient_id'), ['patient_id'], unique=False)

    op.create_table('immunization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('cvx_code', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_immunization_patient_source')
    )
    with op.batch_alter_table('immunization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_immunization_patient_id'), ['patient_id'], unique=False)

    op.create_table('procedure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_procedure_patient_source')
    )
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_patient_id'), ['patient_id'], unique=False)

    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('loinc_code', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('value_num', sa.Float(), nullable=True),
    sa.Column('value_text', sa.String(length=500), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('range_low', sa.Float(), nullable=True),
    sa.Column('range_high', sa.Float(), nullable=True),
    sa.Column('range_text', sa.String(length=200), nullable=True),
    sa.Column('interpretation', sa.String(length=10), nullable=True),
    sa.Column('components', sa.Text(), nullable=True),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('encounter_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounter.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['diagnostic_report.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'source_id', name='uq_observation_patient_source')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_loinc_code'), ['loinc_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_report_id'), ['report_id'], unique=False)

    op.create_table('result_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('observation_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('held_by', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['held_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['released_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['diagnostic_report.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_hold_observation_id'), ['observation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_hold_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_hold_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('result_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_hold_report_id'))
        batch_op.drop_index(batch_op.f('ix_result_hold_patient_id'))
        batch_op.drop_index(batch_op.f('ix_result_hold_observation_id'))

    op.drop_table('result_hold')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_report_id'))
        batch_op.drop_index(batch_op.f('ix_observation_patient_id'))
        batch_op.drop_index(batch_op.f('ix_observation_loinc_code'))
        batch_op.drop_index(batch_op.f('ix_observation_category'))

    op.drop_table('observation')
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_patient_id'))

    op.drop_table('procedure')
    with op.batch_alter_table('immunization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_immunization_patient_id'))

    op.drop_table('immunization')
    with op.batch_alter_table('diagnostic_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_report_patient_id'))

    op.drop_table('diagnostic_report')
    with op.batch_alter_table('condition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_patient_id'))

    op.drop_table('condition')
    with op.batch_alter_table('clinical_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinical_document_patient_id'))

    op.drop_table('clinical_document')
    with op.batch_alter_table('release_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_preference_patient_id'))

    op.drop_table('release_preference')
    with op.batch_alter_table('patient_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_source_patient_id'))

    op.drop_table('patient_source')
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_encounter_patient_id'))

    op.drop_table('encounter')
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_member_patient_id'))

    op.drop_table('care_team_member')
    with op.batch_alter_table('allergy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allergy_patient_id'))

    op.drop_table('allergy')
    op.drop_table('practitioner')
    op.drop_table('organization')
