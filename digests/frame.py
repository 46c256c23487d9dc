"""Reading what a lägesbild needs from the database into pandas, and nothing more.

Only the columns the analysis uses are read, for the periods it compares; confirmations of
an earlier report (`duplicate_of_id`) are left out, so that one incident counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Date, Engine, cast, extract, func, select
from sqlmodel import Session, col

from storage.reports.categories import all_categories
from storage.tables import Category, Observation, Organisation

Range = tuple[datetime, datetime]  # UTC, half-open


@dataclass(frozen=True)
class Lookups:
    """The names behind the ids: categories (in their order) and organisations."""

    categories: list[Category]
    organisations: dict[int, str]


def read_lookups(engine: Engine) -> Lookups:
    """Every category (hidden ones too: old observations use them) and organisation."""
    with Session(engine) as session:
        categories = all_categories(session=session)
        organisations = {
            int(org_id): name
            for org_id, name in session.execute(
                select(col(Organisation.id), col(Organisation.name))
            ).all()
        }
    return Lookups(categories, organisations)


def _where(span: Range, area: str | None) -> list[Any]:
    where = [
        col(Observation.occurred_at) >= span[0],
        col(Observation.occurred_at) < span[1],
        # not `IS NULL`: SQLite would walk the index of duplicate_of_id (every row) instead
        # of the range of occurred_at
        func.coalesce(col(Observation.duplicate_of_id), 0) == 0,
    ]
    if area is not None:
        where.append(col(Observation.area) == area)
    return where


def _fetch(engine: Engine, query: Any) -> list[tuple[Any, ...]]:
    """Rows as plain tuples, straight from the database driver.

    SQLAlchemy's rows cost pandas ten times more to take apart than tuples (1.5 s against
    0.1 s for 160,000 rows, measured with bench/lagesbild.py). The values are rendered into
    the SQL by SQLAlchemy's own literal rendering, which quotes them safely.
    """
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def _epoch(engine: Engine) -> Any:
    """occurred_at as whole seconds since 1970 (UTC), computed by the database."""
    if engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", col(Observation.occurred_at)), BigInteger)
    return cast(extract("epoch", col(Observation.occurred_at)), BigInteger)


def read_observations(
    engine: Engine, span: Range, lookups: Lookups, area: str | None = None
) -> pd.DataFrame:
    """The period's observations with what the analysis uses: `occurred_at` (UTC),
    `category` (code), `organisation` (name), `area`, `latitude`, `longitude`."""
    query = select(
        _epoch(engine),
        col(Observation.category_id),
        col(Observation.organisation_id),
        col(Observation.area),
        col(Observation.latitude),
        col(Observation.longitude),
    ).where(*_where(span, area))
    columns = ["occurred_at", "category_id", "organisation_id", "area", "latitude", "longitude"]
    frame = pd.DataFrame(_fetch(engine, query), columns=columns)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"].astype("int64"), unit="s", utc=True)
    codes = {c.id: c.code for c in lookups.categories}
    frame["category"] = frame.pop("category_id").map(codes).astype("category")
    names = frame.pop("organisation_id").map(lookups.organisations)
    frame["organisation"] = names.fillna("").astype("category")
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    return frame


def read_positions(engine: Engine, span: Range, area: str | None = None) -> pd.DataFrame:
    """Only where observations were (`latitude`, `longitude`): an earlier period's hot
    spots need no more."""
    query = select(col(Observation.latitude), col(Observation.longitude)).where(
        *_where(span, area), col(Observation.latitude).is_not(None)
    )
    rows = _fetch(engine, query)
    return pd.DataFrame(rows, columns=["latitude", "longitude"], dtype="float64")


def read_counts(
    engine: Engine, span: Range, lookups: Lookups, area: str | None = None
) -> pd.DataFrame:
    """How many observations a period had per category, organisation and area, counted by
    the database (`category`, `organisation`, `area`, `n`): all an earlier period needs."""
    keys = (col(Observation.category_id), col(Observation.organisation_id), col(Observation.area))
    query = select(*keys, func.count()).where(*_where(span, area)).group_by(*keys)
    counts = pd.DataFrame(
        _fetch(engine, query), columns=["category_id", "organisation_id", "area", "n"]
    )
    counts["category"] = counts.pop("category_id").map({c.id: c.code for c in lookups.categories})
    counts["organisation"] = counts.pop("organisation_id").map(lookups.organisations).fillna("")
    counts["n"] = counts["n"].astype("int64")
    return counts


def daily_counts(engine: Engine, span: Range, area: str | None = None) -> pd.Series:
    """Observations per (UTC) day in a span, counted by the database: for trend lines
    over longer stretches than the rows the analysis reads."""
    if engine.dialect.name == "sqlite":  # stored as text: its first ten characters
        day: Any = func.substr(col(Observation.occurred_at), 1, 10)
    else:
        day = cast(col(Observation.occurred_at), Date)
    query = select(day, func.count()).where(*_where(span, area)).group_by(day)
    rows = _fetch(engine, query)
    counts = pd.Series(
        [int(n) for _, n in rows],
        index=pd.to_datetime([str(d) for d, _ in rows], format="ISO8601"),
        dtype="int64",
    )
    return counts.sort_index()


def first_observation(engine: Engine, area: str | None = None) -> datetime | None:
    """When the earliest observation happened: comparisons with periods before it mean
    nothing (no data is not the same as no incidents)."""
    query: Any = select(func.min(col(Observation.occurred_at)))
    if area is not None:
        query = query.where(col(Observation.area) == area)
    with Session(engine) as session:
        found = session.execute(query).scalar()
    if found is None:
        return None
    if isinstance(found, str):  # SQLite hands back aggregate results untyped
        found = datetime.fromisoformat(found)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def covers(first: datetime | None, start: date | datetime) -> bool:
    """Whether data goes back to `start` (a comparison period is only fair if it does)."""
    if first is None:
        return False
    moment = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return first <= moment
