"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app import migrations
from portal_app.db import get_engine
from tests.support.databases import fresh_postgres_database, postgres_reachable, require_or_skip

TABLES = {"patient", "user", "user_session", "clinic_notice", "live_signal"}
TABLES |= {"audit_event"}  # 0002: audit trail
TABLES |= {"outbox_message", "push_subscription"}  # 0003: notifications outbox
TABLES |= {"totp_credential", "recovery_code", "factor_failures"}  # 0004: second factor
TABLES |= {"invitation", "activation", "activation_failures"}  # 0005: invitations and activation
TABLES |= {"proxy_grant", "break_glass"}  # 0007: proxy access and break-glass
TABLES |= {"password_reset", "signup_request", "request_counter"}  # 0006: recovery and sign-up
TABLES |= {"notification_preference"}  # 0008: notification preferences
TABLES |= {"stored_file"}  # 0009: uploads kept outside any public folder
TABLES |= {"medication"}  # 0010: medications
TABLES |= {"pharmacy", "refill_request", "refill_step", "medication_fill", "auto_refill", "medication_reminder",
           "medication_report"}  # 0501: refills, reminders, patient reports
TABLES |= {"message_pool", "message_pool_member", "message_thread", "message", "message_note", "message_read",
           "message_draft", "canned_reply"}  # 0401: secure messaging
TABLES |= {"clinic_location", "visit_type", "working_hours", "schedule_exception", "appointment",
           "appointment_hold"}  # 0301: appointments
TABLES |= {"staff_setup"}  # 0101: staff first sign-in
TABLES |= {"appointment_reminder_choice"}  # 0302: appointment reminder lead times
TABLES |= {"emergency_contact", "insurance_plan", "profile_change"}  # 0102: profile
TABLES |= {"patient_source", "encounter", "condition", "allergy", "immunization", "diagnostic_report", "observation",
           "procedure", "clinical_document", "organization", "practitioner", "care_team_member", "result_hold",
           "release_preference"}  # 0601: health record, results and their release
TABLES |= {"waitlist_request", "waitlist_offer"}  # 0304: wait list for earlier appointments
TABLES |= {"record_share", "record_share_view"}  # 0602: sharing the record with another provider
TABLES |= {"clinic_settings"}  # 0702: clinic-wide settings (the time zone)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    """An empty database with no tables at all (unlike the shared fixture, which creates them)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
        yield url
        get_engine(url).dispose()
        return
    require_or_skip(postgres_reachable(), "PostgreSQL")
    with fresh_postgres_database() as url:
        yield url
        get_engine(url).dispose()


def _differences(url: str) -> list:
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names())


def test_upgrade_builds_exactly_the_models_schema(empty_database):
    assert _tables(empty_database) == set()

    migrations.upgrade(empty_database)

    assert _tables(empty_database) == TABLES | {"alembic_version"}
    assert _differences(empty_database) == []


def test_downgrade_to_base_then_upgrade_again(empty_database):
    migrations.upgrade(empty_database)

    command.downgrade(migrations.alembic_config(empty_database), "base")
    assert _tables(empty_database) - {"alembic_version"} == set()

    migrations.upgrade(empty_database)
    assert _tables(empty_database) == TABLES | {"alembic_version"}
    assert _differences(empty_database) == []


def test_upgrade_twice_is_harmless(empty_database):
    migrations.upgrade(empty_database)
    migrations.upgrade(empty_database)
    assert _differences(empty_database) == []


def test_the_models_and_the_migrations_name_the_same_tables():
    """A new model without a migration would fail here even before a database is touched."""
    assert set(SQLModel.metadata.tables) == TABLES
