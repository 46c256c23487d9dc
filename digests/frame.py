"""Reading what a lägesbild needs from the database into pandas, and nothing more.

Only the columns the analysis uses are read, for the periods it compares; confirmations of
an earlier report (`duplicate_of_id`) are left out, so that one incident counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, literal_column, or_, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from storage.models import Category, Observation, Organisation

Range = tuple[datetime, datetime]  # UTC, half-open


@dataclass(frozen=True)
class Lookups:
    """The names behind the ids: categories (in their order) and organisations."""

    categories: list[Category]
    organisations: dict[int, str]

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


def read_lookups(engine: Engine) -> Lookups:
    """Every category (hidden ones too: old observations use them) and organisation."""
    with Session(engine) as session:
        categories = list(
            session.exec(select_rows(Category).order_by(col(Category.position))).all()
        )
        organisations = {
            int(org_id): name
            for org_id, name in session.execute(
                select(col(Organisation.id), col(Organisation.name))
            ).all()
        }
    return Lookups(categories, organisations)


def _in_ranges(ranges: Sequence[Range], area: str | None) -> list[object]:
    when = or_(*(and_(col(Observation.occurred_at) >= a, col(Observation.occurred_at) < b)
                 for a, b in ranges))  # fmt: skip
    where: list[object] = [when, col(Observation.duplicate_of_id).is_(None)]
    if area is not None:
        where.append(col(Observation.area) == area)
    return where


def read_observations(
    engine: Engine, ranges: Sequence[Range], lookups: Lookups, area: str | None = None
) -> pd.DataFrame:
    """Observations in any of the ranges: `reference`, `occurred_at` (UTC), `category`
    (code), `organisation` (name), `area`, `latitude`, `longitude`, `place_name`, `status`.

    Times and statuses are read raw and converted by pandas for the whole column at once,
    which is many times faster than converting row by row.
    """
    query: Any = select(
        col(Observation.reference),
        literal_column("observation.occurred_at").label("occurred_at"),
        col(Observation.category_id),
        col(Observation.organisation_id),
        col(Observation.area),
        col(Observation.latitude),
        col(Observation.longitude),
        col(Observation.place_name),
        literal_column("observation.status").label("status"),
    ).where(*_in_ranges(ranges, area))  # type: ignore[arg-type]
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["occurred_at"] = _utc(frame["occurred_at"])
    codes = {c.id: c.code for c in lookups.categories}
    frame["category"] = frame.pop("category_id").map(codes).astype("category")
    names = frame.pop("organisation_id").map(lookups.organisations)
    frame["organisation"] = names.fillna("").astype("category")
    frame["status"] = frame["status"].astype("category")
    return frame


def _utc(values: pd.Series) -> pd.Series:
    """Stored naive UTC (text on SQLite, timestamps on PostgreSQL) as aware UTC."""
    if pd.api.types.is_datetime64_any_dtype(values):
        converted = pd.to_datetime(values)
    else:
        converted = pd.to_datetime(values, format="ISO8601")
    if converted.dt.tz is None:
        return converted.dt.tz_localize(UTC)
    return converted.dt.tz_convert(UTC)


def daily_counts(engine: Engine, span: Range, area: str | None = None) -> pd.Series:
    """Observations per (UTC) day in a span, counted by the database: for trend lines
    over longer stretches than the rows the analysis reads."""
    day = func.date(col(Observation.occurred_at))
    query = (
        select(day.label("day"), func.count().label("n"))
        .where(*_in_ranges([span], area))  # type: ignore[arg-type]
        .group_by(day)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
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
