"""Shared fixtures: a real database per test, on SQLite and (where reachable) PostgreSQL.

PostgreSQL gets one schema per test run, named uniquely and dropped at the end; each
test starts from empty tables. On CI (CI=true) an unreachable PostgreSQL fails the run
instead of skipping, so the second backend is never silently left out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from storage.database.engine import make_engine
from storage.database.schema import upgrade_database

POSTGRES_ADMIN_URL = os.environ.get(
    "ESTBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    plain = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(plain, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL schema for this run, or None where no server is reachable.

    A schema and not a database: DROP DATABASE forces a checkpoint that waited 45-65 s
    at the end of every worker; DROP SCHEMA leaves the writing to the background."""
    try:
        admin = _admin_connection()
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required on CI but unreachable: {error}")
        yield None
        return
    name = f"estbot_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'estbot.db'}"
    if postgres_url is None:
        pytest.skip("no PostgreSQL reachable at 127.0.0.1:5432")
    engine = make_engine(postgres_url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return postgres_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database with the schema created."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()
