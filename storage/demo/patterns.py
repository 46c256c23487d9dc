"""Patterns of the Kvarnby demo: the planted facts, their tables, and rows drawn with numpy.

Seasons, school holidays, Friday and Saturday evenings and each category's hours shape when
rows fall; places spread over town, with two hot spots that grow in the last complete tertial.
`storage.demo.town` turns the drawn rows into the observation table's columns and writes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from storage.kinds import Role
from storage.places.gazetteer import BoundingBox, Place
from storage.tables import User

TOWN = BoundingBox(59.116, 15.126, 59.139, 15.158)
HOT_SPOTS = ("Södra gången", "Stationsparken")
RISING = "vehicles"
HOUR, DAY, _EARTH_M = 3600, 86_400, 6_371_000.0
Array = NDArray[Any]

# ---- patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    peaks: tuple[int, ...]  # local hours at which reports peak
    width: float = 2.5  # hours
    weekend: float = 1.0  # Friday/Saturday-evening factor; 1: reported on workdays instead
    season: float = 0.3  # how much busier mid-July is than the yearly mean


@dataclass(frozen=True)
class Stream:
    """One kind of row: a category with its share, pattern and (for a hot spot) place."""

    category: str
    share: float  # of all rows
    pattern: _Pattern
    place: str | None = None  # a planted hot spot; None: all over town
    growth: float = 1.0  # factor from the start of the last complete tertial on


_NIGHT = _Pattern((22,), 2.5, weekend=2.0)
_BACKGROUND = {
    "vandalism": (0.11, _Pattern((8, 21))),
    "graffiti": (0.10, _Pattern((8,), 1.5)),  # found on the morning round
    "littering": (0.13, _Pattern((10, 14), 3.0)),
    "drugs": (0.06, _NIGHT),
    "public_drinking": (0.06, _Pattern((21,), 2.5, weekend=2.0, season=0.5)),
    "disorder": (0.11, _NIGHT),
    "unsafe_place": (0.06, _Pattern((19,), 3.0)),
    "vehicles": (0.08, _Pattern((21,), 2.5, weekend=2.0, season=0.6)),
    "fire": (0.03, _NIGHT),
    "break_in": (0.04, _Pattern((8,), 2.0)),
    "theft": (0.06, _Pattern((15,), 3.0)),
    "threat_violence": (0.04, _Pattern((21,), 3.0, weekend=2.0)),
    "other": (0.04, _Pattern((12,), 4.0)),
}
STREAMS = (
    *(Stream(c, s, p, growth=2.75 if c == RISING else 1.0) for c, (s, p) in _BACKGROUND.items()),
    # The hot spots are there all year (no season) and grow fourfold.
    Stream("drugs", 0.025, _Pattern((23,), 2.0, 1.5, 0.0), HOT_SPOTS[0], 4.0),
    Stream("littering", 0.015, _Pattern((1,), 2.5, 1.5, 0.0), HOT_SPOTS[0], 4.0),
    Stream("disorder", 0.025, _Pattern((21,), 2.0, 3.5, 0.0), HOT_SPOTS[1], 4.0),
    Stream("public_drinking", 0.02, _Pattern((21,), 2.0, 3.5, 0.0), HOT_SPOTS[1], 4.0),
)
_DESCRIPTIONS = {
    "vandalism": "Krossad ruta i busskuren.|Sönderslagen parkbänk.|Trasig lyktstolpe.",
    "graffiti": "Nytt klotter på väggen.|Taggar på elskåpet.|Klotter i gångtunneln.",
    "littering": "Skräp och glassplitter.|Folie och fimpar vid bänkarna.|Fulla papperskorgar.",
    "drugs": "Misstänkt langning, korta möten.|Stark lukt av cannabis.|Sprutor och folie.",
    "public_drinking": "Vuxna dricker öl på lekplatsen.|Ungdomar med sprit.|Berusade skränar.",
    "disorder": "Stökig samling, ett tjugotal ungdomar.|Hög musik och bråk.|Kastar saker.",
    "unsafe_place": "Mörkt, lampor trasiga.|Buskar skymmer gångvägen.|Boende undviker platsen.",
    "vehicles": "Mopeder i hög fart på gångvägen.|A-traktorer kör i cirklar.|Mopeder utan hjälm.",
    "fire": "Brand i papperskorg, släckt.|Anlagd brand i container.|Någon har eldat.",
    "break_in": "Förrådet uppbrutet.|Tvättstugans dörr uppbruten.|Inbrott i cykelrummet.",
    "theft": "Snatteri i butiken.|Cykel stulen vid entrén.|Stöld ur bil på parkeringen.",
    "threat_violence": "Hot mot personal.|Slagsmål mellan två ungdomar.|Person rånad på mobilen.",
    "other": "Övergiven bil sedan veckor.|Lösa hundar i parken.|Trasigt staket.",
}
_AFFINITY: dict[str, dict[str, float]] = {  # who reports what; other pairs weigh 0.5
    "Kvarnby kommun": {"littering": 2, "unsafe_place": 3, "other": 2, "vehicles": 1},
    "Kvarnbyhem AB": {"vandalism": 3, "graffiti": 3, "littering": 3, "break_in": 4, "fire": 2},
    "Trygghetsvärdarna": {"drugs": 3, "public_drinking": 3, "disorder": 3, "threat_violence": 3},
    "Fritidsgården Kvarnen": {"disorder": 2, "vehicles": 3, "threat_violence": 1.5},
}


@dataclass(frozen=True)
class Clock:
    """Hourly bins (UTC) over the demo period, and what local time makes of each."""

    start: Array  # epoch seconds
    length: Array  # seconds; the last bin ends at `now`
    offset: Array  # the local UTC offset, seconds
    hour: Array
    weekday: Array
    yday: Array
    holiday: Array
    day: Array  # local days since the first
    month: Array  # local months since the first


def make_clock(first: datetime, now: datetime, tz: ZoneInfo) -> Clock:
    """The hourly bins from the hour of `first` up to `now`, read in `tz`."""
    end = int(now.timestamp())
    start = np.arange(int(first.timestamp()) // HOUR * HOUR, end, HOUR, dtype=np.int64)
    local = [datetime.fromtimestamp(t, tz) for t in start.tolist()]
    offset = np.array([(d.utcoffset() or timedelta()).total_seconds() for d in local], np.int64)
    days, months = (start + offset) // DAY, np.array([d.year * 12 + d.month for d in local])
    return Clock(
        start=start,
        length=np.minimum(HOUR, end - start),
        offset=offset,
        hour=np.array([d.hour for d in local]),
        weekday=np.array([d.weekday() for d in local]),
        yday=np.array([d.timetuple().tm_yday for d in local]),
        holiday=np.array([_is_school_holiday(d) for d in local]),
        day=days - days[0],
        month=months - months[0],
    )


def _is_school_holiday(moment: datetime) -> bool:
    """Sportlov, påsklov, höstlov (roughly), summer and Christmas."""
    week, yday = moment.isocalendar().week, moment.timetuple().tm_yday
    return week in (8, 15, 44) or 163 <= yday <= 232 or yday >= 355 or yday <= 7


def _weights(stream: Stream, clock: Clock, rng: np.random.Generator) -> Array:
    """How likely each hour is for the stream (growth aside)."""
    pattern, clock_hours = stream.pattern, np.arange(24)[:, None]
    gap = np.abs(clock_hours - np.array(pattern.peaks)[None, :])
    gap = np.minimum(gap, 24 - gap)
    profile = 0.08 + np.exp(-0.5 * (gap / pattern.width) ** 2).sum(axis=1)
    friday_saturday = (clock.weekday >= 4) & (clock.weekday <= 5) & (clock.hour >= 18)
    evening = friday_saturday | ((clock.weekday >= 5) & (clock.hour < 3))
    if pattern.weekend > 1:
        week = np.where(evening, pattern.weekend, 1.0)
    else:
        week = np.where(clock.weekday < 5, 1.15, 0.55)
    season = 1 + pattern.season * np.cos(2 * math.pi * (clock.yday - 200) / 365.25)
    holiday = np.where(clock.holiday, 1.2, 1.0)
    # Real counts scatter more than Poisson's: a noisy day, a quiet month.
    noise = rng.lognormal(0, 0.25, int(clock.day[-1]) + 1)[clock.day]
    noise *= rng.lognormal(0, 0.04, int(clock.month[-1]) + 1)[clock.month]
    weights: Array = profile[clock.hour] * week * season * holiday * noise
    return weights * clock.length


def _times(weights: Array, clock: Clock, n: int, rng: np.random.Generator) -> Array:
    """Stratified draws from the weights: counts over any stretch stay close to expected."""
    cdf = np.cumsum(weights) / weights.sum()
    quantiles = (np.arange(n) + rng.random(n)) / n
    bins = np.minimum(np.searchsorted(cdf, quantiles, side="right"), len(cdf) - 1)
    seconds: Array = clock.start[bins] + (rng.random(n) * clock.length[bins]).astype(np.int64)
    return seconds


# ---- places -----------------------------------------------------------------------------


def _points(stream: Stream, n: int, places: list[Place], rng: np.random.Generator) -> Array:
    """Rows latitude, longitude and typed (a gazetteer name, so exactly at the place)."""
    if stream.place is None:
        index = rng.choice(len(places), n, p=_spread(places))
        sigma, uniform = rng.uniform(100, 200, n), rng.random(n) < 0.3
    else:
        index = np.full(n, [p.name for p in places].index(stream.place))
        sigma, uniform = np.full(n, 40.0), np.zeros(n, dtype=bool)
    typed = ~uniform & (rng.random(n) < 0.2)
    sigma[uniform | typed] = 0.0
    lat = np.array([p.latitude for p in places])[index]
    lon = np.array([p.longitude for p in places])[index]
    lat[uniform] = rng.uniform(TOWN.south, TOWN.north, int(uniform.sum()))
    lon[uniform] = rng.uniform(TOWN.west, TOWN.east, int(uniform.sum()))
    scale = np.radians([1.0, math.cos(math.radians(TOWN.south))])[:, None] * _EARTH_M
    jitter = rng.normal(0, 1, (2, n)) * sigma / scale
    for _ in range(50):  # redraw what fell outside the town
        la, lo = lat + jitter[0], lon + jitter[1]
        outside = (la < TOWN.south) | (la > TOWN.north) | (lo < TOWN.west) | (lo > TOWN.east)
        if not outside.any():
            break
        jitter[:, outside] = rng.normal(0, 1, (2, int(outside.sum()))) * sigma[outside] / scale
    return np.vstack([lat + jitter[0], lon + jitter[1], typed])


def _spread(places: list[Place]) -> Array:
    """Odds of each place for the background: lower where places crowd (the centre), so
    that the background makes no hot spot of its own, and lower at the planted hot spots,
    so that their growth shows."""
    lats, lons = np.array([p.latitude for p in places]), np.array([p.longitude for p in places])
    odds: Array = 1 / (_metres(lats, lons, places) < 400).sum(axis=1)
    odds[[p.name in HOT_SPOTS for p in places]] *= 0.4
    odds /= odds.sum()
    return odds


def _metres(lat: Array, lon: Array, places: list[Place]) -> Array:
    """Distances of points (rows) to places (columns), equirectangular: exact enough here."""
    plat, plon = np.radians([p.latitude for p in places]), np.radians([p.longitude for p in places])
    la, lo = np.radians(lat)[:, None], np.radians(lon)[:, None]
    metres: Array = np.hypot((lo - plon) * np.cos((la + plat) / 2), la - plat) * _EARTH_M
    return metres


def nearest_places(lat: Array, lon: Array, places: list[Place]) -> tuple[Array, Array]:
    """The index of and distance to the nearest place of every point, in chunks."""
    index, metres = np.empty(len(lat), dtype=np.int64), np.empty(len(lat))
    for first in range(0, len(lat), 100_000):
        part = slice(first, first + 100_000)
        distances = _metres(lat[part], lon[part], places)
        index[part] = distances.argmin(axis=1)
        metres[part] = distances.min(axis=1)
    return index, metres


# ---- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """What every stream of rows is drawn against."""

    clock: Clock
    places: list[Place]
    people: list[tuple[User, str]]  # with their organisations' names
    category_ids: dict[str, int]
    growth_from: int  # epoch seconds: the start of the last complete tertial


def _counts(streams: list[Stream], n: int) -> list[int]:
    """Rows per stream in proportion to their shares, summing to exactly `n`."""
    expected = np.array([s.share for s in streams]) * n / sum(s.share for s in streams)
    counts = np.floor(expected).astype(np.int64)
    counts[np.argsort(counts - expected, kind="stable")[: n - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def _reporter_odds(people: list[tuple[User, str]], code: str) -> Array:
    odds = np.array([_AFFINITY[org].get(code, 0.5) for _, org in people])
    odds[[user.role is not Role.REPORTER for user, _ in people]] *= 0.1
    return odds / odds.sum()  # type: ignore[no-any-return]


def _growths(streams: list[Stream], inside: list[float]) -> list[float]:
    """Each stream's factor from the start of the last tertial. A hot spot grows by
    displacement: the rest of its category shrinks as much, so the category stays level.

    `inside` is the share of each stream's weight that falls in that stretch."""
    growth = [stream.growth for stream in streams]
    for i, stream in enumerate(streams):
        hot = [j for j, h in enumerate(streams) if h.place and h.category == stream.category]
        if stream.place or not hot or not 0 < inside[i] < 1:
            continue
        level = sum(streams[j].share * inside[j] for j in (i, *hot))
        target = level - sum(_in_window(streams[j], inside[j]) for j in hot)
        growth[i] = max(0.05, target * (1 - inside[i]) / (inside[i] * (stream.share - target)))
    return growth


def _in_window(stream: Stream, inside: float) -> float:
    """The share of all rows that the stream puts in the growth stretch, grown."""
    return stream.share * stream.growth * inside / (stream.growth * inside + 1 - inside)


def draw(
    streams: list[Stream], n: int, setting: Setting, rng: np.random.Generator
) -> dict[str, Array]:
    """Time, place, reporter and words of every row, sorted by time."""
    window = setting.clock.start >= setting.growth_from
    weights = [_weights(stream, setting.clock, rng) for stream in streams]
    growths = _growths(streams, [float(w[window].sum() / w.sum()) for w in weights])
    parts = []
    for stream, count, weight, growth in zip(
        streams, _counts(streams, n), weights, growths, strict=True
    ):
        lat, lon, typed = _points(stream, count, setting.places, rng)
        texts = np.array(_DESCRIPTIONS[stream.category].split("|"), dtype=object)
        odds = _reporter_odds(setting.people, stream.category)
        parts.append({
            "seconds": _times(np.where(window, weight * growth, weight), setting.clock, count, rng),
            "lat": lat, "lon": lon, "typed": typed.astype(bool),
            "reporter": rng.choice(len(setting.people), count, p=odds),
            "category": np.full(count, setting.category_ids[stream.category]),
            "description": texts[rng.integers(0, len(texts), count)],
        })  # fmt: skip
    order = np.argsort(np.concatenate([p["seconds"] for p in parts]), kind="stable")
    return {key: np.concatenate([p[key] for p in parts])[order] for key in parts[0]}
