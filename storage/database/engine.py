"""The database engine and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

import storage.tables  # noqa: F401  (registers every table on SQLModel.metadata)

_TIMEOUTS = "-c statement_timeout=10000 -c lock_timeout=5000"


def make_engine(url: str, *, lock_wait_s: float = 5.0) -> Engine:
    """An engine for SQLite (WAL mode, waits up to `lock_wait_s` for another writer's lock)
    or PostgreSQL (psycopg 3)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A database that does not answer must not hold the bot for minutes.
        # The URL's own libpq options (a search_path, say) are kept beside the timeouts.
        own_options = parsed.query.get("options")
        options = " ".join(
            part
            for part in (own_options if isinstance(own_options, str) else None, _TIMEOUTS)
            if part
        )
        timeouts = {"connect_timeout": 5, "options": options}
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            connect_args=timeouts,
            hide_parameters=True,  # an error's SQL parameters would carry what people wrote
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 5},
        pool_size=10,
        max_overflow=20,
        hide_parameters=True,
    )
    event.listen(engine, "connect", partial(_sqlite_pragmas, lock_wait_ms=int(lock_wait_s * 1000)))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, lock_wait_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writes; NORMAL stays durable across a crash of the
    # process (only a power cut may lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={lock_wait_ms}")  # another writer (the CLI) is waited for
    cursor.close()


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (for health checks)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on leaving, or rolled back on an exception."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
