"""Backup and restore round-trip the whole clinic with identical per-table checksums."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, select

from portal_app.db import get_engine, transaction
from portal_app.models.notice import ClinicNotice
from portal_app.models.people import Patient, User
from portal_app.services import backup as backups
from portal_app.services import demo_clinic
from portal_app.services.backup import BackupError, table_checksums


def _require_pg_tools(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (Debian package postgresql-client)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the PostgreSQL backup test")
        pytest.skip(message)


def test_backup_and_restore_round_trip_the_demo_clinic(database_url, tmp_path):
    _require_pg_tools(database_url)
    engine = get_engine(database_url)
    with transaction(database_url) as session:
        demo_clinic.seed(session)
    before = table_checksums(engine)
    assert set(before) >= {"patient", "user", "clinic_notice"}

    backup_file = backups.backup(database_url, tmp_path / "backups")
    assert backup_file.is_file() and backup_file.stat().st_size > 0

    with transaction(database_url) as session:
        session.delete(session.exec(select(ClinicNotice)).first())
        walter = session.exec(select(Patient).where(Patient.family_name == "Pimm")).one()
        walter.phone = "+15550000000"
        session.add(walter)
        session.add(Patient(mrn="MG-999999", given_name="Late", family_name="Arrival",
                            birth_date=walter.birth_date, sex="male"))
    changed = table_checksums(engine)
    assert changed["clinic_notice"] != before["clinic_notice"]
    assert changed["patient"] != before["patient"]

    backups.restore(database_url, backup_file)

    assert table_checksums(engine) == before
    with transaction(database_url) as session:  # the restored clinic works: new rows get fresh ids
        session.add(Patient(mrn="MG-999998", given_name="After", family_name="Restore",
                            birth_date=walter.birth_date, sex="female"))
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == "rosa.delgado")).one().is_active
        assert len(session.exec(select(Patient)).all()) == len(demo_clinic.PATIENTS) + 1


def test_restoring_a_missing_backup_file_is_refused(database_url, tmp_path):
    with transaction(database_url) as session:
        demo_clinic.seed(session)
    before = table_checksums(get_engine(database_url))

    with pytest.raises(BackupError) as refused:
        backups.restore(database_url, tmp_path / "no-such-backup.pgdump")

    assert "no-such-backup" in str(refused.value)
    assert table_checksums(get_engine(database_url)) == before  # nothing was touched


def test_checksums_notice_a_single_changed_value(database_url):
    with transaction(database_url) as session:
        demo_clinic.seed(session)
    before = table_checksums(get_engine(database_url))
    with transaction(database_url) as session:
        user = session.exec(select(User).where(User.username == "walter.pimm")).one()
        user.display_name = "Walter Pim"
        session.add(user)
    after = table_checksums(get_engine(database_url))
    assert after["user"] != before["user"]
    assert {k: v for k, v in after.items() if k != "user"} == {k: v for k, v in before.items() if k != "user"}


def test_an_in_memory_database_cannot_be_backed_up(tmp_path: Path):
    with pytest.raises(BackupError):
        backups.backup("sqlite:///:memory:", tmp_path)
