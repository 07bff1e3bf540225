"""Alembic environment: the portal's own engine and every table on SQLModel.metadata."""

from alembic import context
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    url = context.config.attributes.get("database_url")
    with get_engine(url).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite changes columns by copying the table
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
