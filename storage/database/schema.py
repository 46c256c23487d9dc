"""The database schema: Alembic migrations, run by `estbot db upgrade` and before `estbot run`.

An empty database gets the tables straight from the models and is stamped at the newest
revision (what Alembic's cookbook does: the migrations and the models agree, a test checks
it). A database made before estbot had migrations is recognised by its tables, stamped at
the revision it matches and then upgraded like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, DateTime, Engine, String, Text, inspect, text
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage.tables import UTCDateTime  # the package registers every table on the metadata

MIGRATIONS = Path(__file__).parent / "migrations"
# Tables that tell which schema a database from before the migrations has, newest first.
LEGACY = (("sentdigest", "0002"), ("observation", "0001"))
_LOCK = 72_710_005  # any number of our own: PostgreSQL advisory lock around upgrading
log = logging.getLogger(__name__)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for our migrations, on a connection of ours if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not under migrations yet, or empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `revision`; returns the revisions before and after.

    Several workers starting at once on one PostgreSQL take turns (an advisory lock).
    """
    with _exclusive(engine) as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if before is None and not tables & set(SQLModel.metadata.tables):
            if revision == "head":
                SQLModel.metadata.create_all(connection)
                command.stamp(config, "head")
            else:
                command.upgrade(config, revision)
        else:
            if before is None:
                command.stamp(config, next(rev for table, rev in LEGACY if table in tables))
            command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    if before != after:
        log.info("Database schema %s -> %s", before or "empty", after)
    return before, after


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations stay free of our own types: they must not change when the models do."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def compare_type(
    context: Any, inspected: Any, metadata: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Our own column types compare as what they are stored as (True: they differ)."""
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    if isinstance(metadata_type, AutoString) and metadata_type.length is None:
        return not isinstance(inspected_type, String | Text)
    return None  # Alembic's own comparison


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        yield connection


def write_revision(message: str, scratch: Path) -> Path:
    """A new migration from what the models have and the newest revision has not.

    It is compared on a scratch SQLite database (`scratch`, a file that is made anew) that
    the migrations brought to head; read it and mend what autogenerate cannot see (new
    values of an enum on PostgreSQL) before committing it.
    """
    from storage.database.engine import make_engine

    scratch.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{scratch}")
    try:
        with engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, "head")
            number = f"{int(head_revision()) + 1:04d}"
            script = command.revision(config, message=message, autogenerate=True, rev_id=number)
    finally:
        engine.dispose()
        scratch.unlink(missing_ok=True)
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
