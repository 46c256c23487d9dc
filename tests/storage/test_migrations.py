"""Migrations: an empty database migrated to head has exactly the models' schema, and a
database from before estbot had migrations is taken over and upgraded with its data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Enum, inspect, text
from sqlmodel import SQLModel, select

from storage.database.engine import make_engine, transaction
from storage.database.schema import (
    alembic_config,
    compare_type,
    current_revision,
    head_revision,
    upgrade_database,
)
from storage.kinds import Delivery
from storage.tables import Observation, Outbox

EVERY_REVISION = sorted(
    script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
)


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, SQLModel.metadata))


def enum_differences(connection: Connection) -> dict[str, tuple[list[str], list[str]]]:
    """Autogenerate does not compare the values of PostgreSQL's native enums: we do."""
    wanted = {
        column.type.name: sorted(column.type.enums)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Enum)
    }
    rows = connection.execute(
        text(
            "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid"
            " WHERE t.typnamespace = current_schema()::regnamespace"  # other runs' schemas too
        )
    ).all()
    found: dict[str, list[str]] = {}
    for name, label in rows:
        found.setdefault(name, []).append(label)
    return {
        name: (labels, sorted(found.get(name, [])))
        for name, labels in wanted.items()
        if labels != sorted(found.get(name, []))
    }


def test_migrations_from_empty_give_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert differences(connection) == []
            if connection.dialect.name == "postgresql":
                assert enum_differences(connection) == {}
    finally:
        engine.dispose()


def test_an_empty_database_is_created_from_the_models_and_stamped(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert upgrade_database(engine) == (None, head_revision())
        assert upgrade_database(engine) == (head_revision(), head_revision())  # idempotent
        with engine.connect() as connection:
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        with engine.connect() as connection:
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_taken_over_with_its_data(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:  # as `create_all` left it at the first release
            command.upgrade(alembic_config(connection), "0001")
            connection.execute(text("DROP TABLE alembic_version"))
            _an_observation_of_the_first_release(connection)
        assert current_revision(engine) is None

        assert upgrade_database(engine) == (None, head_revision())

        with engine.connect() as connection:
            assert differences(connection) == []
        with transaction(engine) as session:
            kept = session.exec(select(Observation)).one()
            assert (kept.reference, kept.description, kept.area) == (
                "EST-2026-0001",
                "Klotter",
                None,
            )
            # a value the first release's enum did not have (PostgreSQL needed ALTER TYPE)
            session.add(Outbox(chat_id=-100, kind=Delivery.DIGEST, payload={"text": "x"}))
    finally:
        engine.dispose()


def _an_observation_of_the_first_release(connection: Connection) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC).replace(tzinfo=None)
    statements = [
        "INSERT INTO organisation (id, name, hide_names, created_at) "
        "VALUES (1, 'Kvarnby kommun', false, :now)",
        "INSERT INTO category (id, code, label_sv, label_en, emoji, urgent, position, active) "
        "VALUES (1, 'graffiti', 'Klotter', 'Graffiti', 'x', false, 1, true)",
        'INSERT INTO "user" (id, telegram_id, full_name, organisation_id, role, language, '
        "notify_status, notify_comments, active, created_at) "
        "VALUES (1, 42, 'Anna', 1, 'REPORTER', 'sv', true, true, true, :now)",
        "INSERT INTO observation (id, reference, year, number, category_id, occurred_at, "
        "reported_at, latitude, longitude, place_text, place_name, place_source, description, "
        "reporter_id, organisation_id, status, source) VALUES (1, 'EST-2026-0001', 2026, 1, 1, "
        ":now, :now, 59.1, 15.1, 'Kvarnparken', 'Kvarnparken', 'PIN', 'Klotter', 1, 1, 'NEW', "
        "'telegram')",
    ]
    for statement in statements:
        connection.execute(text(statement), {"now": now})


@pytest.mark.parametrize("revision", EVERY_REVISION)
def test_every_revision_upgrades_to_head(database_url: str, revision: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
        assert upgrade_database(engine) == (revision, head_revision())
    finally:
        engine.dispose()
