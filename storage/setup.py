"""Opening the database for use: schema and categories, the same for the CLI and the bot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from storage.database.engine import make_engine, transaction
from storage.database.schema import upgrade_database
from storage.reports.categories import active_categories, read_category_file, sync_categories
from storage.tables import Category


def open_database(
    url: str, categories_file: Path | None = None, engine: Engine | None = None
) -> tuple[Engine, list[Category]]:
    """An engine on a database at the newest schema, with the categories from their file."""
    engine = engine or make_engine(url)
    upgrade_database(engine)
    specs = read_category_file(categories_file)
    with transaction(engine) as session:
        sync_categories(session=session, specs=specs)
        categories = active_categories(session=session)
    return engine, categories
