"""Alembic's environment: the tables' metadata, on a connection storage.database.schema hands in.

Migrations run through `storage.database.schema.upgrade_database` (`estbot db upgrade`,
`estbot run`); `estbot db revision -m "…"` writes a new one from what the tables add.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table on the metadata that autogenerate compares)
from storage.database.schema import compare_type, render_item

config = context.config
target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
        render_item=render_item,
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `estbot db upgrade`, not with `alembic` itself")
run(connection)
