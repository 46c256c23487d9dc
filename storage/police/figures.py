"""Crimes reported to the police (polisanmälningar): monthly counts per crime type and area,
as the police or BRÅ share them, kept apart from the staff's observations.

They are aggregated figures about no one in particular, so the retention purge leaves them
alone. A row is one (month, crime type, area); importing a file again changes only the
counts that differ, so a corrected file can simply be imported over the old one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.tables import PoliceFigure, utcnow


@dataclass(frozen=True)
class FigureRow:
    """One row of a police figures file, checked."""

    month: date
    crime_type: str
    area: str
    count: int

    @property
    def key(self) -> tuple[date, str, str]:
        return (self.month, self.crime_type, self.area)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.new + self.updated + self.unchanged

    def line(self) -> str:
        """ "24 rows: 20 new, 4 updated, 0 unchanged" """
        rows = f"{self.rows} row" + ("" if self.rows == 1 else "s")
        return f"{rows}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"


def import_police_figures(
    *, session: Session, rows: Iterable[FigureRow], now: datetime | None = None
) -> ImportResult:
    """Add the rows not stored yet and set the counts that changed (in the caller's
    transaction). The rows must be checked already and each key appear once."""
    rows = list(rows)
    existing = {
        (figure.month, figure.crime_type, figure.area): figure
        for figure in police_figures(session=session, months={row.month for row in rows})
    }
    new = updated = 0
    for row in rows:
        figure = existing.get(row.key)
        if figure is None:
            session.add(PoliceFigure(**vars(row), imported_at=now or utcnow()))
            new += 1
        elif figure.count != row.count:
            figure.count, figure.imported_at = row.count, now or utcnow()
            session.add(figure)
            updated += 1
    session.flush()
    return ImportResult(new, updated, len(rows) - new - updated)


def police_figures(*, session: Session, months: Collection[date]) -> list[PoliceFigure]:
    """Every figure of the given months (first days), in a stable order."""
    if not months:
        return []
    return list(
        session.exec(
            select(PoliceFigure)
            .where(col(PoliceFigure.month).in_(sorted(months)))
            .order_by(col(PoliceFigure.month), col(PoliceFigure.crime_type), col(PoliceFigure.area))
        ).all()
    )


def police_months(*, session: Session) -> set[date]:
    """The months (first days) that have any police figures at all."""
    return set(session.exec(select(col(PoliceFigure.month)).distinct()).all())


def shift(month: date, months: int) -> date:
    """The first day of the month `months` later (earlier if negative)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
