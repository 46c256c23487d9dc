"""`estbot db`: the database schema, by its Alembic revision."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.settings import Settings
from storage.database.engine import make_engine
from storage.database.schema import (
    current_revision,
    head_revision,
    upgrade_database,
    write_revision,
)

T = TypeVar("T")


def current(settings: Settings) -> None:
    """Print the revision; exit 1 when the database is behind the code."""
    revision = _on_database(settings, current_revision)
    head = head_revision()
    if revision == head:
        typer.echo(f"{revision} (head)")
        return
    typer.echo(f"{revision or 'none'}; the newest is {head}: run `estbot db upgrade`")
    raise typer.Exit(1)


def upgrade(settings: Settings, revision: str) -> None:
    """Bring the database to `revision` and say from where to where."""
    before, after = _on_database(settings, lambda engine: upgrade_database(engine, revision))
    if before == after:
        typer.echo(f"Already at {after}.")
    else:
        typer.echo(f"Upgraded {before or 'an empty database'} -> {after}.")


def revision(message: str) -> None:
    """Write a new migration for what the models add."""
    with tempfile.TemporaryDirectory() as scratch:
        path = write_revision(message, Path(scratch) / "scratch.db")
    typer.echo(f"Wrote {path}; read it before committing.")


def _on_database(settings: Settings, work: Callable[[Engine], T]) -> T:
    with _engine(settings) as engine:
        try:
            return work(engine)
        except OperationalError as error:
            typer.echo(f"Cannot reach the database: {error.orig}", err=True)
            raise typer.Exit(2) from None


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.resolved_database_url)
    try:
        yield engine
    finally:
        engine.dispose()
