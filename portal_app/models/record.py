"""The health record: what the EHR knows about a patient, as the portal keeps and shows it.

Every row comes from the FHIR import (``services/fhir_import.py``) or the clinic. ``source_id`` is
the EHR's resource id, unique per patient, so that importing the same bundle again updates rows
instead of adding them. Codes keep their system (SNOMED CT, LOINC, CVX...) so that the plain-words
guide and the export can use them. Medicines live in ``models/medication.py`` (the refills feature).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


def _per_patient(table: str) -> tuple:
    return (UniqueConstraint("patient_id", "source_id", name=f"uq_{table}_patient_source"),)


class PatientSource(SQLModel, table=True):
    """Which EHR patient id is which chart, so a second import finds the same chart."""

    __tablename__ = "patient_source"

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=128, unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    created_at: datetime = created_at_field()


class Encounter(SQLModel, table=True):
    """A visit: when, what kind, why, with whom, and its summary or notes."""

    __tablename__ = "encounter"
    __table_args__ = _per_patient("encounter")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    status: str = Field(default="finished", max_length=20)
    visit_class: str | None = Field(default=None, max_length=20)  # AMB, EMER, IMP...
    code: str | None = Field(default=None, max_length=40)
    name: str = Field(max_length=300)  # "Encounter for check up"
    reason: str | None = Field(default=None, max_length=300)
    started_at: datetime | None = utc_column(default=None, nullable=True)
    ended_at: datetime | None = utc_column(default=None, nullable=True)
    practitioner_id: int | None = Field(default=None, foreign_key="practitioner.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    summary: str | None = Field(default=None, sa_type=Text)  # the visit summary or note, as plain text
    created_at: datetime = created_at_field()


class Condition(SQLModel, table=True):
    """A problem or diagnosis, active or resolved."""

    __tablename__ = "condition"
    __table_args__ = _per_patient("condition")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    code_system: str | None = Field(default=None, max_length=120)
    code: str | None = Field(default=None, max_length=40)
    name: str = Field(max_length=300)
    clinical_status: str = Field(default="active", max_length=20)  # active, recurrence, relapse, inactive, remission, resolved
    onset_on: date | None = None
    resolved_on: date | None = None
    recorded_on: date | None = None
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    created_at: datetime = created_at_field()


class Allergy(SQLModel, table=True):
    __tablename__ = "allergy"
    __table_args__ = _per_patient("allergy")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    code: str | None = Field(default=None, max_length=40)
    substance: str = Field(max_length=300)
    category: str | None = Field(default=None, max_length=40)  # food, medication, environment, biologic
    criticality: str | None = Field(default=None, max_length=20)  # low, high, unable-to-assess
    reaction: str | None = Field(default=None, max_length=300)  # what happens, in the EHR's words
    severity: str | None = Field(default=None, max_length=20)  # mild, moderate, severe
    clinical_status: str = Field(default="active", max_length=20)
    recorded_on: date | None = None
    created_at: datetime = created_at_field()


class Immunization(SQLModel, table=True):
    __tablename__ = "immunization"
    __table_args__ = _per_patient("immunization")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    cvx_code: str | None = Field(default=None, max_length=20)
    name: str = Field(max_length=300)
    status: str = Field(default="completed", max_length=20)
    given_on: date | None = None
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    created_at: datetime = created_at_field()


class DiagnosticReport(SQLModel, table=True):
    """A report: a lab panel grouping its results, or an imaging or pathology report with its words.

    ``category`` is one of the release categories (labs, imaging, pathology, genetic);
    ``reviewed_at`` is set when a clinician has looked at it (patients may wait for that).
    """

    __tablename__ = "diagnostic_report"
    __table_args__ = _per_patient("diagnostic_report")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    code: str | None = Field(default=None, max_length=40)
    name: str = Field(max_length=300)
    category: str = Field(default="labs", max_length=20)
    status: str = Field(default="final", max_length=20)
    effective_at: datetime | None = utc_column(default=None, nullable=True)
    issued_at: datetime | None = utc_column(default=None, nullable=True)
    conclusion: str | None = Field(default=None, sa_type=Text)
    narrative: str | None = Field(default=None, sa_type=Text)  # the report's text (from its attached form)
    performer: str | None = Field(default=None, max_length=300)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    reviewed_at: datetime | None = utc_column(default=None, nullable=True)
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class Observation(SQLModel, table=True):
    """One measurement: a vital sign, a lab value, or another fact (smoking, a survey score).

    A number keeps its unit and, when the lab gave one, its reference range and interpretation
    code (H, L, HH, LL, N, A...). Values with parts (blood pressure) keep them in ``value_text``
    ("128/82") and ``components`` (JSON text, as imported).
    """

    __tablename__ = "observation"
    # One test's values on one chart (by LOINC code, or by name when there is none): the trend chart.
    __table_args__ = (*_per_patient("observation"), Index("ix_observation_patient_test", "patient_id", "loinc_code", "name"))

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    category: str = Field(default="laboratory", max_length=30, index=True)  # vital-signs, laboratory, survey...
    loinc_code: str | None = Field(default=None, max_length=20, index=True)
    name: str = Field(max_length=300)
    status: str = Field(default="final", max_length=20)
    value_num: float | None = None
    value_text: str | None = Field(default=None, max_length=500)
    unit: str | None = Field(default=None, max_length=40)
    range_low: float | None = None
    range_high: float | None = None
    range_text: str | None = Field(default=None, max_length=200)
    interpretation: str | None = Field(default=None, max_length=10)
    components: str | None = Field(default=None, sa_type=Text)
    effective_at: datetime | None = utc_column(default=None, nullable=True)
    issued_at: datetime | None = utc_column(default=None, nullable=True)
    report_id: int | None = Field(default=None, foreign_key="diagnostic_report.id", index=True)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    reviewed_at: datetime | None = utc_column(default=None, nullable=True)
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class Procedure(SQLModel, table=True):
    __tablename__ = "procedure"
    __table_args__ = _per_patient("procedure")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    code: str | None = Field(default=None, max_length=40)
    name: str = Field(max_length=300)
    status: str = Field(default="completed", max_length=20)
    performed_on: date | None = None
    reason: str | None = Field(default=None, max_length=300)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    created_at: datetime = created_at_field()


class ClinicalDocument(SQLModel, table=True):
    """A document from the EHR (discharge summary, advance directive...), with its text when it has one."""

    __tablename__ = "clinical_document"
    __table_args__ = _per_patient("clinical_document")

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)
    kind: str = Field(max_length=300)  # the document type, e.g. "Discharge summary"
    description: str | None = Field(default=None, max_length=500)
    status: str = Field(default="current", max_length=20)
    written_on: date | None = None
    content_type: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, sa_type=Text)
    encounter_id: int | None = Field(default=None, foreign_key="encounter.id")
    created_at: datetime = created_at_field()
