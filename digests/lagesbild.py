"""A lägesbild: what happened, where and when, what changed, and which developments go
the wrong way, for a period and the whole municipality or one area.

`make_lagesbild` reads what it needs once and returns plain data; rendering (templates,
charts) is done from that data elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from digests import frame
from digests.analysis import counts as analysis
from digests.analysis.counts import Change, Comparison, Exposure
from digests.analysis.hotspots import (
    REPEAT_RESOLUTION,
    HotSpot,
    RepeatPlace,
    cells_of,
    find_hot_spots,
    repeat_places,
)
from digests.analysis.police import PoliceSection, police_section
from digests.analysis.timeprofile import TimeWindow, top_windows, weekday_hour
from digests.periods import Period
from digests.sources import Sources
from storage.coordination.digest_queries import ListedObservation, stale_open
from storage.coordination.interventions import (
    InterventionView,
    evaluated_between,
    open_interventions,
)
from storage.database.engine import transaction
from storage.kinds import DigestKind
from storage.places.areas import Area

FOLLOW_UP_AHEAD = timedelta(days=14)
# How far back the weekly trend line reaches, by the period's length in days.
TREND_WEEKS = ((8, 12), (40, 26), (130, 52))


@dataclass(frozen=True)
class Lagesbild:
    period: Period
    previous: Period
    year_ago: Period
    area: str | None
    made_at: datetime
    total: Change
    categories: list[Change]
    areas: list[Change]
    organisations: list[Change]
    hot_spots: list[HotSpot]
    repeat_places: list[RepeatPlace]
    weekday_hour: np.ndarray
    windows: list[TimeWindow]
    weekly: pd.Series  # observations per week (week start → count)
    points: np.ndarray  # (latitude, longitude) of the period's observations
    outlines: list[Area]
    stale_count: int
    stale: list[ListedObservation]
    follow_ups: list[InterventionView]
    evaluated: list[InterventionView]
    police: PoliceSection | None = None  # crimes reported to the police, where imported

    @property
    def rising(self) -> list[Change]:
        """Developments in the wrong direction: increases unlikely to be chance."""
        rows = [*self.categories, *self.areas, *self.organisations]
        return [row for row in rows if self.significant(row)]

    def significant(self, row: Change) -> list[tuple[str, Comparison]]:
        """The comparisons that make a row a development in the wrong direction. A tertial
        is held against the same tertial a year earlier only: against the four months
        before, summer always beats winter."""
        found = row.significant()
        if self.period.kind is DigestKind.TERTIAL:
            return [(name, comparison) for name, comparison in found if name == "year_ago"]
        return found


def make_lagesbild(
    sources: Sources, period: Period, area: str | None = None, now: datetime | None = None
) -> Lagesbild:
    """Everything a lägesbild shows, for a period and optionally one area.

    The period's own observations are read; of the periods it is compared with only the
    counts (and, for the previous one, where things happened) are.
    """
    # local: the lägesbild shows the day it was made (a UTC time says yesterday before 01:00)
    now = (now or datetime.now(sources.tz)).astimezone(sources.tz)
    previous, year_ago = period.previous(), period.year_before()
    engine, lookups = sources.engine, frame.read_lookups(sources.engine)
    first = frame.first_observation(engine, area)
    current = frame.read_observations(engine, _span(period), lookups, area)
    exposure = Exposure(
        period.days,
        previous.days if frame.covers(first, previous.start_utc) else None,
        year_ago.days if frame.covers(first, year_ago.start_utc) else None,
    )
    before = (
        frame.read_counts(engine, _span(previous), lookups, area) if exposure.previous else None
    )
    last_year = (
        frame.read_counts(engine, _span(year_ago), lookups, area) if exposure.year_ago else None
    )  # noqa: E501
    where_before = (
        frame.read_positions(engine, _span(previous), area) if exposure.previous else None
    )
    tables = {
        dimension: analysis.compare(
            dimension,
            analysis.counts_by(current, dimension),
            analysis.summed(before, dimension),
            analysis.summed(last_year, dimension),
            exposure,
        )
        for dimension in ("category", "area", "organisation")
    }
    adjusted = analysis.adjust([row for rows in tables.values() for row in rows])
    tables = {d: [r for r in adjusted if r.dimension == d] for d in tables}
    outlines = _outlines(sources, area)
    fine = cells_of(current, REPEAT_RESOLUTION)  # once, for hot spots and repeat places
    return Lagesbild(
        period=period,
        previous=previous,
        year_ago=year_ago,
        area=area,
        made_at=now,
        total=_total(len(current), before, last_year, exposure),
        categories=tables["category"],
        areas=tables["area"] if area is None else [],
        organisations=tables["organisation"],
        hot_spots=find_hot_spots(current, where_before, outlines, sources.gazetteer, fine),
        repeat_places=repeat_places(current, sources.gazetteer, fine=fine),
        weekday_hour=(matrix := weekday_hour(current, sources.tz)),
        windows=top_windows(matrix),
        weekly=_weekly(sources, period, area),
        points=current[["latitude", "longitude"]].dropna().to_numpy(),
        outlines=outlines,
        police=police_section(engine, period, area),
        **_follow_up(sources, period, area, now),
    )


def _span(period: Period) -> frame.Range:
    return (period.start_utc, period.end_utc)


def _total(
    count: int,
    before: pd.DataFrame | None,
    last_year: pd.DataFrame | None,
    exposure: Exposure,
) -> Change:
    def comparison(counts: pd.DataFrame | None, days: float | None) -> Comparison:
        if counts is None or days is None:
            return Comparison(None)
        earlier = int(counts["n"].sum())
        p = analysis.increase_p_value(count, exposure.now, earlier, days)
        return Comparison(earlier, p, p)

    return Change(
        "total",
        "",
        count,
        comparison(before, exposure.previous),
        comparison(last_year, exposure.year_ago),
    )


def _outlines(sources: Sources, area: str | None) -> list[Area]:
    if sources.areas is None:
        return []
    if area is None:
        return list(sources.areas.areas)
    found = sources.areas.find(area)
    return [found] if found else []


def _weekly(sources: Sources, period: Period, area: str | None) -> pd.Series:
    """Observations per seven days for some months, counted back from the period's end,
    so that every point is a whole week (the last one ends where the period ends)."""
    weeks = next((w for days, w in TREND_WEEKS if period.days <= days), 104)
    end_day = period.last_day
    first_day = end_day - timedelta(days=7 * weeks - 1)
    first = datetime.combine(first_day, datetime.min.time(), sources.tz)
    daily = frame.daily_counts(sources.engine, (first, period.end_utc), area)
    days = daily.reindex(pd.date_range(first_day, end_day, freq="D"), fill_value=0)
    week_starts = days.index[::7]
    sums = days.to_numpy().reshape(weeks, 7).sum(axis=1)
    return pd.Series(sums, index=week_starts, dtype="int64")


def _follow_up(sources: Sources, period: Period, area: str | None, now: datetime) -> dict[str, Any]:
    """Open observations left for over 14 days (as of now), interventions due for follow-up
    by two weeks after the period, and those evaluated in it."""
    with transaction(sources.engine) as session:
        stale_count, stale = stale_open(session=session, now=now, area=area)
        due_by = period.last_day + FOLLOW_UP_AHEAD
        follow_ups = [
            view
            for view in open_interventions(session=session)
            if view.intervention.follow_up_on and view.intervention.follow_up_on <= due_by
        ]
        evaluated = evaluated_between(session=session, start=period.start_utc, end=period.end_utc)
    return {"stale_count": stale_count, "stale": stale, "follow_ups": follow_ups,
            "evaluated": evaluated}  # fmt: skip
