"""Crimes reported to the police beside the staff's observations: the police's monthly
figures for the months a lägesbild covers, against the months before and a year earlier.

Police figures come per month, so they are shown for the whole months of the period: a
month, a tertial and a year fit exactly. A week, a fortnight or a period still running
holds no whole month; for those the latest month with figures that ended by the period's
end (and at most three months before it) is shown, named as such, against the month
before and the same month a year earlier, because that is what a 14-day meeting with the
police has to go on. Without figures for any such month the section is left out.

A comparison is made only where every one of its months has figures (a month missing from
the import is unknown, not zero); within a month that has figures, a crime type or area
without a row counts as none. Police areas are free text: an area's lägesbild takes the
rows whose area is the same name, ignoring case. The counts are not tested for chance:
the police's own totals are shown as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine

from digests.analysis import counts as analysis
from digests.analysis.counts import Change, Comparison, Exposure
from digests.periods import Period
from storage.database.engine import transaction
from storage.kinds import DigestKind
from storage.police.figures import police_figures, police_months, shift

LATEST_WITHIN = 3  # months: an older "latest month" is too stale for a short period
# How many months back the previous period's months lie (one for a latest month shown).
PERIOD_MONTHS = {DigestKind.MONTHLY: 1, DigestKind.TERTIAL: 4, DigestKind.YEARLY: 12}
Months = tuple[date, ...]


@dataclass(frozen=True)
class PoliceSection:
    """The police's figures for a lägesbild."""

    months: Months  # first days of the months shown
    previous: Months | None  # the months compared with, None where not all have figures
    year_ago: Months | None
    latest_only: bool  # a short period: the latest month with figures, not the period's own
    whole: bool  # figures for every whole month of the period (False: some are missing)
    total: Change
    crime_types: list[Change]
    areas: list[Change]  # per police area, in a lägesbild of the whole municipality


def police_section(engine: Engine, period: Period, area: str | None) -> PoliceSection | None:
    """The police figures a lägesbild shows, or None where there are none to show."""
    with transaction(engine) as session:
        known = police_months(session=session)
        if not known:
            return None
        covered = whole_months(period)
        shown = tuple(month for month in covered if month in known)
        step = PERIOD_MONTHS.get(period.kind, 1)
        if not shown:
            latest = _latest_month(known, period)
            if latest is None:
                return None
            shown, step = (latest,), 1
        previous = _available(tuple(shift(m, -step) for m in shown), known)
        year_ago = _available(tuple(shift(m, -12) for m in shown), known)
        months = set(shown) | set(previous or ()) | set(year_ago or ())
        rows = [
            (figure.month, figure.crime_type, figure.area, figure.count)
            for figure in police_figures(session=session, months=months)
            if area is None or figure.area.strip().casefold() == area.strip().casefold()
        ]
    table = _one_spelling(pd.DataFrame(rows, columns=["month", "crime_type", "area", "count"]))
    exposure = Exposure(_days(shown) or 0.0, _days(previous), _days(year_ago))
    crime_types = _compare(table, "crime_type", shown, previous, year_ago, exposure)
    if not crime_types:
        return None
    areas = _compare(table, "area", shown, previous, year_ago, exposure) if area is None else []
    return PoliceSection(
        months=shown,
        previous=previous,
        year_ago=year_ago,
        latest_only=not covered or not set(shown) <= set(covered),
        whole=set(shown) == set(covered),
        total=_total(table, shown, previous, year_ago),
        crime_types=crime_types,
        areas=areas if len(areas) > 1 else [],
    )


def whole_months(period: Period) -> Months:
    """The first days of the calendar months that lie wholly inside the period."""
    month = period.start.date().replace(day=1)
    found = []
    while _midnight(month, period) < period.end:
        if _midnight(month, period) >= period.start and _midnight(shift(month, 1), period) <= (
            period.end
        ):
            found.append(month)
        month = shift(month, 1)
    return tuple(found)


def _midnight(month: date, period: Period) -> datetime:
    return datetime.combine(month, time(0), tzinfo=period.tz)


def _latest_month(known: set[date], period: Period) -> date | None:
    end_month = period.end.date().replace(day=1)
    ended = [
        month
        for month in known
        if _midnight(shift(month, 1), period) <= period.end
        and month >= shift(end_month, -LATEST_WITHIN)
    ]
    return max(ended, default=None)


def _one_spelling(table: pd.DataFrame) -> pd.DataFrame:
    """An area written "Centrum" in one file and "CENTRUM" in another is one area, named
    as most of its crimes were."""
    key = table["area"].str.strip().str.casefold()
    totals = table.groupby([key.rename("key"), table["area"]])["count"].sum().reset_index()
    totals = totals.sort_values(["count", "area"], ascending=[False, True])
    names = totals.drop_duplicates("key").set_index("key")["area"]
    return table.assign(area=key.map(names))


def _available(months: Months, known: set[date]) -> Months | None:
    return months if all(month in known for month in months) else None


def _days(months: Months | None) -> float | None:
    if months is None:
        return None
    return float(sum((shift(m, 1) - m).days for m in months))


def _counts(table: pd.DataFrame, column: str, months: Months | None) -> pd.Series | None:
    if months is None:
        return None
    chosen = table[table["month"].isin(months)]
    return chosen.groupby(column)["count"].sum()


def _compare(
    table: pd.DataFrame,
    column: str,
    shown: Months,
    previous: Months | None,
    year_ago: Months | None,
    exposure: Exposure,
) -> list[Change]:
    """Rows per crime type or area; those with nothing in any of the periods left out."""
    now = _counts(table, column, shown)
    assert now is not None
    rows = analysis.compare(
        column,
        now,
        _counts(table, column, previous),
        _counts(table, column, year_ago),
        exposure,
    )
    return [row for row in rows if row.now or row.previous.before or row.year_ago.before]


def _total(
    table: pd.DataFrame, shown: Months, previous: Months | None, year_ago: Months | None
) -> Change:
    def summed(months: Sequence[date] | None) -> int | None:
        return None if months is None else int(table[table["month"].isin(months)]["count"].sum())

    now = summed(shown) or 0
    return Change("total", "", now, Comparison(summed(previous)), Comparison(summed(year_ago)))
