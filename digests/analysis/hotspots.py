"""Hot spots and repeat places, on Uber's H3 grid of equal-area hexagons.

A hot spot is a group of neighbouring cells (resolution 10: about 0.015 km², 150 m across)
where more observations fell than an even spread over the study area makes believable.
For each cell, the count in the cell and its six neighbours is compared with a Poisson
count of the same expected size (the scan idea behind Getis-Ord Gi*, with an exact test
instead of a normal approximation, which fails for the small counts of one month). The
p-values of all cells are adjusted together (Benjamini–Hochberg, 1 %), so that an even
background yields no hot spots. Significant cells that touch form one hot spot.

A repeat place is one spot (a resolution-11 cell, about 50 m across) with three or more
observations in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import h3
import numpy as np
import pandas as pd
from scipy.stats import norm, poisson
from statsmodels.stats.multitest import multipletests

from digests.analysis.counts import increase_p_value
from storage.places.areas import Area
from storage.places.gazetteer import Gazetteer

RESOLUTION = 10
REPEAT_RESOLUTION = 11
FDR = 0.01
MIN_CELL_COUNT = 3  # a hot spot has at least one cell with this many observations itself
REPEAT_MIN = 3
TREND_ALPHA = 0.05


class Trend(StrEnum):
    NEW = "new"
    GROWING = "growing"
    SHRINKING = "shrinking"
    STABLE = "stable"
    UNKNOWN = "unknown"  # no data for the previous period


@dataclass(frozen=True)
class HotSpot:
    cells: tuple[str, ...]
    count: int
    previous: int  # observations in the same cells in the previous period
    latitude: float
    longitude: float
    place: str  # the nearest gazetteer place
    place_distance_m: float | None
    categories: tuple[tuple[str, int], ...]  # the main ones, most first
    p_value: float  # the smallest adjusted p-value of its cells
    trend: Trend

    def outlines(self) -> list[list[tuple[float, float]]]:
        """Each cell's hexagon as (latitude, longitude) corners, for the map."""
        return [list(h3.cell_to_boundary(cell)) for cell in self.cells]


@dataclass(frozen=True)
class RepeatPlace:
    count: int
    latitude: float
    longitude: float
    place: str
    place_distance_m: float | None
    categories: tuple[tuple[str, int], ...]


def cells_of(frame: pd.DataFrame, resolution: int = RESOLUTION) -> pd.Series:
    """The H3 cell of every row with a position (rows without one are left out).

    Found once at the finest resolution used (repeat places); coarser cells are the
    parents of the distinct fine ones, far fewer lookups than one per row. (H3 cells do
    not nest exactly: near an edge a parent is the neighbour of the point's own cell, the
    same way in every period compared.)
    """
    placed = frame.dropna(subset=["latitude", "longitude"])
    lats, lons = placed["latitude"].tolist(), placed["longitude"].tolist()
    fine = [h3.latlng_to_cell(lat, lon, REPEAT_RESOLUTION) for lat, lon in zip(lats, lons)]  # noqa: B905
    cells = pd.Series(fine, index=placed.index, dtype="object")
    return cells if resolution == REPEAT_RESOLUTION else parents(cells, resolution)


def parents(cells: pd.Series, resolution: int = RESOLUTION) -> pd.Series:
    """The cells at a coarser resolution that contain the given ones."""
    found = {cell: h3.cell_to_parent(cell, resolution) for cell in cells.unique()}
    return cells.map(found)


def study_cells(cells: Iterable[str], areas: Sequence[Area]) -> set[str]:
    """The cells over which an even spread is assumed: the areas' cells where there are
    areas, else the rectangle around the observations; always with the observed cells."""
    found = set(cells)
    shapes = [outline for area in areas for outline in area.outlines()]
    if not shapes and found:
        corners = np.array([h3.cell_to_latlng(cell) for cell in found])
        (south, west), (north, east) = corners.min(axis=0), corners.max(axis=0)
        shapes = [[(west, south), (east, south), (east, north), (west, north), (west, south)]]
    for ring in shapes:
        polygon = h3.LatLngPoly([(lat, lon) for lon, lat in ring])
        found |= set(h3.h3shape_to_cells(polygon, RESOLUTION))
    return found


def significant_cells(counts: pd.Series, study: set[str]) -> dict[str, float]:
    """Cells whose neighbourhood holds improbably many observations: cell → adjusted p.

    Two tests must agree. The exact Poisson test against an even spread keeps a sparse,
    even background from yielding hot spots where the normal approximation of Gi* fails;
    Getis-Ord Gi*, which measures against the observed spread between cells, keeps a town
    where everything clusters around its squares from turning into one big hot spot.
    """
    total = int(counts.sum())
    if total == 0 or len(study) < 2:
        return {}
    tested = sorted(study)
    position = {cell: index for index, cell in enumerate(tested)}
    own = np.array([counts.get(cell, 0) for cell in tested], dtype=np.float64)
    rings = [[position[c] for c in h3.grid_disk(cell, 1) if c in position] for cell in tested]
    sums = np.array([own[ring].sum() for ring in rings])
    sizes = np.array([len(ring) for ring in rings], dtype=np.float64)
    poisson_p = poisson.sf(sums - 1, total / len(tested) * sizes)
    gi_p = norm.sf(_gi_star(own, sums, sizes))
    reject_poisson, adjusted, _, _ = multipletests(poisson_p, alpha=FDR, method="fdr_bh")
    reject_gi, _, _, _ = multipletests(gi_p, alpha=FDR, method="fdr_bh")
    hot = reject_poisson & reject_gi
    return {tested[i]: float(adjusted[i]) for i in np.flatnonzero(hot)}


def _gi_star(own: np.ndarray, sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Getis-Ord Gi* z-scores with binary weights over each cell and its neighbours."""
    n = len(own)
    mean = own.mean()
    spread = np.sqrt(max((own**2).mean() - mean**2, 1e-12))
    scale = spread * np.sqrt((n * sizes - sizes**2) / (n - 1))
    z: np.ndarray = (sums - mean * sizes) / np.where(scale > 0, scale, np.inf)
    return z


def _clusters(cells: dict[str, float]) -> list[list[str]]:
    """Significant cells that touch, as groups."""
    left, groups = set(cells), []
    while left:
        stack, group = [left.pop()], []
        while stack:
            cell = stack.pop()
            group.append(cell)
            for neighbour in h3.grid_disk(cell, 1):
                if neighbour in left:
                    left.remove(neighbour)
                    stack.append(neighbour)
        groups.append(sorted(group))
    return groups


def find_hot_spots(
    now: pd.DataFrame,
    previous: pd.DataFrame | None,
    areas: Sequence[Area],
    gazetteer: Gazetteer,
    fine: pd.Series | None = None,
) -> list[HotSpot]:
    """The period's hot spots, most observations first, each compared with the previous
    period in the same cells (and called new where the previous period had none there)."""
    now_cells = parents(fine) if fine is not None else cells_of(now)
    previous_cells = cells_of(previous) if previous is not None else None
    seen = [*now_cells, *(previous_cells if previous_cells is not None else [])]
    study = study_cells(seen, areas)
    spots = _hot_groups(now_cells, study)
    earlier = (
        {c for g in _hot_groups(previous_cells, study) for c in g}
        if previous_cells is not None
        else set()
    )  # noqa: E501
    result = [
        _describe(group, now, now_cells, previous_cells, earlier, gazetteer) for group in spots
    ]
    return sorted(result, key=lambda spot: (-spot.count, spot.place))


def _hot_groups(cells: pd.Series | None, study: set[str]) -> list[dict[str, float]]:
    if cells is None or cells.empty:
        return []
    counts = cells.value_counts()
    hot = significant_cells(counts, study)
    mean = len(cells) / max(1, len(study))
    groups = []
    for group in _clusters(hot):
        members = {c: hot[c] for c in group if counts.get(c, 0) > mean}
        if members and max(int(counts.get(c, 0)) for c in members) >= MIN_CELL_COUNT:
            groups.append(members)
    return groups


def _describe(
    group: dict[str, float],
    frame: pd.DataFrame,
    cells: pd.Series,
    previous_cells: pd.Series | None,
    earlier: set[str],
    gazetteer: Gazetteer,
) -> HotSpot:
    rows = frame.loc[cells.index[cells.isin(list(group))]]
    count = len(rows)
    before = int(previous_cells.isin(list(group)).sum()) if previous_cells is not None else 0
    peak = cells[cells.isin(list(group))].value_counts().index[0]  # named by its busiest cell
    centre = frame.loc[cells.index[cells == peak]]
    latitude, longitude = float(centre["latitude"].mean()), float(centre["longitude"].mean())
    place, distance = _place_name(gazetteer, latitude, longitude)
    return HotSpot(
        cells=tuple(sorted(group)),
        count=count,
        previous=before,
        latitude=latitude,
        longitude=longitude,
        place=place,
        place_distance_m=distance,
        categories=_main_categories(rows),
        p_value=min(group.values()),
        trend=_trend(count, before, bool(earlier & set(group)), previous_cells is not None),
    )


def _trend(count: int, before: int, was_hot: bool, have_previous: bool) -> Trend:
    if not have_previous:
        return Trend.UNKNOWN
    if not was_hot:
        return Trend.NEW
    if increase_p_value(count, 1.0, before, 1.0) < TREND_ALPHA:
        return Trend.GROWING
    if increase_p_value(before, 1.0, count, 1.0) < TREND_ALPHA:
        return Trend.SHRINKING
    return Trend.STABLE


def _main_categories(rows: pd.DataFrame, top: int = 3) -> tuple[tuple[str, int], ...]:
    counted = rows["category"].astype(str).value_counts().head(top)
    return tuple((str(code), int(n)) for code, n in counted.items())


def _place_name(
    gazetteer: Gazetteer, latitude: float, longitude: float
) -> tuple[str, float | None]:
    nearest = gazetteer.nearest(latitude, longitude)
    if nearest is None:
        return f"{latitude:.4f}, {longitude:.4f}", None
    return nearest.place.name, nearest.distance_m


def repeat_places(
    frame: pd.DataFrame, gazetteer: Gazetteer, limit: int = 10, fine: pd.Series | None = None
) -> list[RepeatPlace]:
    """Spots (about 50 m across) with three or more observations, most first; spots whose
    nearest named place is the same are read as one place."""
    cells = fine if fine is not None else cells_of(frame, REPEAT_RESOLUTION)
    counts = cells.value_counts()
    repeated = counts[counts >= REPEAT_MIN].index[: limit * 3]
    if len(repeated) == 0:
        return []
    rows = frame.loc[cells.index[cells.isin(repeated)]].assign(cell=cells)
    by_place: dict[str, list[pd.DataFrame]] = {}
    for _, spot in rows.groupby("cell", sort=False):
        place, _ = _place_name(gazetteer, spot["latitude"].mean(), spot["longitude"].mean())
        by_place.setdefault(place, []).append(spot)
    found = []
    for place, parts in by_place.items():
        spot = pd.concat(parts)
        latitude, longitude = float(spot["latitude"].mean()), float(spot["longitude"].mean())
        _, distance = _place_name(gazetteer, latitude, longitude)
        found.append(
            RepeatPlace(len(spot), latitude, longitude, place, distance, _main_categories(spot))
        )
    return sorted(found, key=lambda spot: (-spot.count, spot.place))[:limit]
