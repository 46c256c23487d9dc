"""What every `estbot` command shares: the settings and their database, or a configuration error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from sqlalchemy import Engine

from bot.settings import Settings


def read_settings(**overrides: object) -> Settings:
    """The settings, or `Configuration error in FIELD: …` for each bad one and exit 2."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"Configuration error in {field}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def configuration_errors() -> Iterator[None]:
    """A file or address the settings name that cannot be used: `Configuration error: …`, exit 2."""
    try:
        yield
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None


def open_engine(settings: Settings, url: str | None = None) -> Engine:
    """The database of the settings (or at `url`), at the newest schema, its categories synced."""
    # storage.setup brings alembic with it: only when a command needs the database
    from storage.setup import open_database

    with configuration_errors():
        engine, _ = open_database(url or settings.resolved_database_url, settings.categories_file)
    return engine
