"""Backup and restore of the whole database, and per-table checksums to prove a round trip.

SQLite uses its online backup API (safe while the portal runs); PostgreSQL uses pg_dump's custom
format and pg_restore. Restoring replaces every table's contents with the backup's.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine, make_url

from portal_app import clock


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_command(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} is not installed (Debian package postgresql-client)")
    return found


def _pg_url(url: str) -> str:
    """libpq understands postgresql://, not SQLAlchemy's postgresql+psycopg://."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    if url.startswith("sqlite"):
        target = directory / f"portal-{stamp}.sqlite3"
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    if url.startswith("postgresql"):
        target = directory / f"portal-{stamp}.pgdump"
        subprocess.run([_pg_command("pg_dump"), "--format=custom", f"--file={target}", _pg_url(url)], check=True)
        return target
    raise BackupError(f"no backup method for {make_url(url).drivername}")


def restore(url: str, backup_file: Path) -> None:
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    if url.startswith("sqlite"):
        with sqlite3.connect(backup_file) as source, sqlite3.connect(_sqlite_path(url)) as target:
            source.backup(target)
        return
    if url.startswith("postgresql"):
        subprocess.run(
            [_pg_command("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             f"--dbname={_pg_url(url)}", str(backup_file)],
            check=True,
        )
        return
    raise BackupError(f"no restore method for {make_url(url).drivername}")


def table_checksums(engine: Engine) -> dict[str, str]:
    """SHA-256 of every table's rows in primary-key order: equal checksums, equal data."""
    metadata = MetaData()
    metadata.reflect(engine)
    sums: dict[str, str] = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
            sums[name] = digest.hexdigest()
    return sums
