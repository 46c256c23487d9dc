"""`estbot db`: the database schema, by its Alembic revision."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.cli.common import read_settings
from bot.logs import configure_logging
from bot.settings import Settings
from storage.database.engine import make_engine

# storage.database.schema brings alembic: imported inside the commands, so `estbot --help` is quick

T = TypeVar("T")

db_app = typer.Typer(help="The database schema: where it is, and bringing it up to date.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision (exit 1 if it is behind the code)."""
    from storage.database.schema import current_revision, head_revision

    revision = _on_database(read_settings(), current_revision)
    head = head_revision()
    if revision == head:
        typer.echo(f"{revision} (head)")
        return
    typer.echo(f"{revision or 'none'}; the newest is {head}: run `estbot db upgrade`")
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="the revision to go to")] = "head",
) -> None:
    """Bring the database to the newest schema (`estbot run` does this when it starts)."""
    from storage.database.schema import upgrade_database

    settings = read_settings()
    configure_logging(settings.log_level, [settings.token or ""])
    before, after = _on_database(settings, lambda engine: upgrade_database(engine, revision))
    if before == after:
        typer.echo(f"Already at {after}.")
    else:
        typer.echo(f"Upgraded {before or 'an empty database'} -> {after}.")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="what the migration does")],
) -> None:
    """For developers: write a new migration for what the models add; read it, then commit."""
    from storage.database.schema import write_revision

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
