"""Demo data: synthetic observations for the fictional town Kvarnby.

Made to show what a lägesbild finds, so the patterns are planted: summers and school
holidays are busier, Friday and Saturday evenings loud, each category has its hours (local
time), two places are hot spots that grow in the last complete tertial, and one category
(mopeds and A-tractors) rises clearly year on year while the others stay level. Columns are
drawn with numpy and written with Core inserts, so that a million rows take seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from storage.access import get_or_create_organisation
from storage.areas import Areas
from storage.group_models import Intervention, InterventionLink
from storage.kinds import InterventionStatus, PlaceSource, Role, Status
from storage.models import Category, Observation, ReferenceCounter, User
from storage.observations import format_reference
from storage.places import BoundingBox, Gazetteer, Place

TOWN = BoundingBox(59.116, 15.126, 59.139, 15.158)
HOT_SPOTS = ("Södra gången", "Stationsparken")
RISING = "vehicles"
SOURCE = "demo"
FIRST_TELEGRAM_ID = 9_000_000_001
_HOUR, _DAY, _EARTH_M = 3600, 86_400, 6_371_000.0
_Array = NDArray[Any]


@dataclass(frozen=True)
class DemoFacts:
    """What was planted, so that a caller (or a test) knows what a lägesbild should find."""

    hot_spots: tuple[str, ...]  # gazetteer names
    rising_category: str  # its code
    observations: int
    first: datetime  # UTC, the earliest occurred_at
    last: datetime


# ---- patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    peaks: tuple[int, ...]  # local hours at which reports peak
    width: float = 2.5  # hours
    weekend: float = 1.0  # Friday/Saturday-evening factor; 1: reported on workdays instead
    season: float = 0.3  # how much busier mid-July is than the yearly mean


@dataclass(frozen=True)
class _Stream:
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
_STREAMS = (
    *(_Stream(c, s, p, growth=2.75 if c == RISING else 1.0) for c, (s, p) in _BACKGROUND.items()),
    # The hot spots are there all year (no season) and grow fourfold.
    _Stream("drugs", 0.025, _Pattern((23,), 2.0, 1.5, 0.0), HOT_SPOTS[0], 4.0),
    _Stream("littering", 0.015, _Pattern((1,), 2.5, 1.5, 0.0), HOT_SPOTS[0], 4.0),
    _Stream("disorder", 0.025, _Pattern((21,), 2.0, 3.5, 0.0), HOT_SPOTS[1], 4.0),
    _Stream("public_drinking", 0.02, _Pattern((21,), 2.0, 3.5, 0.0), HOT_SPOTS[1], 4.0),
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
_PEOPLE = {  # the first two named of the first two organisations coordinate
    "Kvarnby kommun": ("Maria Lindqvist", "Karin Holm", "Lena Berg"),
    "Kvarnbyhem AB": ("Peter Sandberg", "Mats Nyström", "Eva Sjöberg", "Oskar Lund", "Fatima Aziz"),
    "Trygghetsvärdarna": ("Jonas Wikström", "Sara Olofsson", "Nils Hedlund"),
    "Fritidsgården Kvarnen": ("Amira Hassan", "Erik Dahl", "Linnea Ström"),
}  # fmt: skip
_AFFINITY: dict[str, dict[str, float]] = {  # who reports what; other pairs weigh 0.5
    "Kvarnby kommun": {"littering": 2, "unsafe_place": 3, "other": 2, "vehicles": 1},
    "Kvarnbyhem AB": {"vandalism": 3, "graffiti": 3, "littering": 3, "break_in": 4, "fire": 2},
    "Trygghetsvärdarna": {"drugs": 3, "public_drinking": 3, "disorder": 3, "threat_violence": 3},
    "Fritidsgården Kvarnen": {"disorder": 2, "vehicles": 3, "threat_violence": 1.5},
}
_E = InterventionStatus
_INTERVENTIONS = (  # what, owner, place, status, created (days ago), follow-up (days), evaluation
    ("Bättre belysning i Södra gången", "Kvarnby kommun, gatuenheten", HOT_SPOTS[0], _E.EVALUATED,
     200, -60, "Ny belysning: färre rapporter om otrygghet, men langningen har flyttat hit."),
    ("Nattvandring fredagar vid Stationsparken", "Trygghetsvärdarna", HOT_SPOTS[1], _E.ONGOING,
     45, 4, None),
    ("Städrunda varje morgon i Södra gången", "Kvarnbyhem AB", HOT_SPOTS[0], _E.DONE, 30, 9, None),
    ("Sanera klotter inom ett dygn", "Kvarnbyhem AB", "Järnvägsgången", _E.EVALUATED, 150, -30,
     "Klottret sanerades snabbt och nya taggar kommer mer sällan."),
    ("Föräldramöte om mopeder och A-traktorer", "Fritidsgården Kvarnen", "Fritidsgården Kvarnen",
     _E.PLANNED, 10, 21, None),
    ("Trygghetsvandring med boende", "Kvarnby kommun", "Hagaparken", _E.ONGOING, 40, -2, None),
)  # fmt: skip


@dataclass(frozen=True)
class _Clock:
    """Hourly bins (UTC) over the demo period, and what local time makes of each."""

    start: _Array  # epoch seconds
    length: _Array  # seconds; the last bin ends at `now`
    offset: _Array  # the local UTC offset, seconds
    hour: _Array
    weekday: _Array
    yday: _Array
    holiday: _Array
    day: _Array  # local days since the first
    month: _Array  # local months since the first


def _clock(first: datetime, now: datetime, tz: ZoneInfo) -> _Clock:
    end = int(now.timestamp())
    start = np.arange(int(first.timestamp()) // _HOUR * _HOUR, end, _HOUR, dtype=np.int64)
    local = [datetime.fromtimestamp(t, tz) for t in start.tolist()]
    offset = np.array([(d.utcoffset() or timedelta()).total_seconds() for d in local], np.int64)
    days, months = (start + offset) // _DAY, np.array([d.year * 12 + d.month for d in local])
    return _Clock(
        start=start,
        length=np.minimum(_HOUR, end - start),
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


def _weights(stream: _Stream, clock: _Clock, rng: np.random.Generator) -> _Array:
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
    weights: _Array = profile[clock.hour] * week * season * holiday * noise
    return weights * clock.length


def _times(weights: _Array, clock: _Clock, n: int, rng: np.random.Generator) -> _Array:
    """Stratified draws from the weights: counts over any stretch stay close to expected."""
    cdf = np.cumsum(weights) / weights.sum()
    quantiles = (np.arange(n) + rng.random(n)) / n
    bins = np.minimum(np.searchsorted(cdf, quantiles, side="right"), len(cdf) - 1)
    seconds: _Array = clock.start[bins] + (rng.random(n) * clock.length[bins]).astype(np.int64)
    return seconds


def _last_tertial_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the last complete tertial (Jan–Apr, May–Aug, Sep–Dec) before `now`."""
    local = now.astimezone(tz)
    index = local.year * 3 + (local.month - 1) // 4 - 1
    return datetime(index // 3, index % 3 * 4 + 1, 1, tzinfo=tz)


# ---- places -----------------------------------------------------------------------------


def _points(stream: _Stream, n: int, places: list[Place], rng: np.random.Generator) -> _Array:
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


def _spread(places: list[Place]) -> _Array:
    """Odds of each place for the background: lower where places crowd (the centre), so
    that the background makes no hot spot of its own, and lower at the planted hot spots,
    so that their growth shows."""
    lats, lons = np.array([p.latitude for p in places]), np.array([p.longitude for p in places])
    odds: _Array = 1 / (_metres(lats, lons, places) < 400).sum(axis=1)
    odds[[p.name in HOT_SPOTS for p in places]] *= 0.4
    odds /= odds.sum()
    return odds


def _metres(lat: _Array, lon: _Array, places: list[Place]) -> _Array:
    """Distances of points (rows) to places (columns), equirectangular: exact enough here."""
    plat, plon = np.radians([p.latitude for p in places]), np.radians([p.longitude for p in places])
    la, lo = np.radians(lat)[:, None], np.radians(lon)[:, None]
    metres: _Array = np.hypot((lo - plon) * np.cos((la + plat) / 2), la - plat) * _EARTH_M
    return metres


def _nearest(lat: _Array, lon: _Array, places: list[Place]) -> tuple[_Array, _Array]:
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
class _Setting:
    """What every stream of rows is drawn against."""

    clock: _Clock
    places: list[Place]
    people: list[tuple[User, str]]  # with their organisations' names
    category_ids: dict[str, int]
    growth_from: int  # epoch seconds: the start of the last complete tertial


def _counts(streams: list[_Stream], n: int) -> list[int]:
    """Rows per stream in proportion to their shares, summing to exactly `n`."""
    expected = np.array([s.share for s in streams]) * n / sum(s.share for s in streams)
    counts = np.floor(expected).astype(np.int64)
    counts[np.argsort(counts - expected, kind="stable")[: n - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def _reporter_odds(people: list[tuple[User, str]], code: str) -> _Array:
    odds = np.array([_AFFINITY[org].get(code, 0.5) for _, org in people])
    odds[[user.role is not Role.REPORTER for user, _ in people]] *= 0.1
    return odds / odds.sum()  # type: ignore[no-any-return]


def _growths(streams: list[_Stream], inside: list[float]) -> list[float]:
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


def _in_window(stream: _Stream, inside: float) -> float:
    """The share of all rows that the stream puts in the growth stretch, grown."""
    return stream.share * stream.growth * inside / (stream.growth * inside + 1 - inside)


def _draw(
    streams: list[_Stream], n: int, setting: _Setting, rng: np.random.Generator
) -> dict[str, _Array]:
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


def _numbers(year: _Array, counters: dict[int, int]) -> _Array:
    """Running numbers per year (rows sorted by time), after those already handed out."""
    years, first, inverse = np.unique(year, return_index=True, return_inverse=True)
    base = np.array([counters.get(int(y), 0) for y in years])
    numbers: _Array = np.arange(len(year)) - first[inverse] + 1 + base[inverse]
    return numbers


def _statuses(age_days: _Array, rng: np.random.Generator) -> _Array:
    """Old observations mostly closed, a few left open; recent ones new or assessed."""
    r, stale = rng.random(len(age_days)), np.where(age_days < 90, 0.05, 0.004)
    old, week_old = age_days > 21, age_days > 7
    new, assessed, in_progress, resolved, closed = list(Status)
    choices = (
        (old & (r < stale / 2), in_progress), (old & (r < stale), assessed),
        (old & (r < 0.6), resolved), (old, closed),
        (week_old & (r < 0.2), new), (week_old & (r < 0.6), assessed),
        (week_old & (r < 0.8), in_progress), (week_old, resolved),
        (r < 0.6, new), (r < 0.9, assessed),
    )  # fmt: skip
    kinds = np.array([kind for _, kind in choices] + [in_progress], dtype=object)
    index = np.select([mask for mask, _ in choices], list(range(len(choices))), len(choices))
    return kinds[index]  # type: ignore[no-any-return]


def _columns(
    drawn: dict[str, _Array], setting: _Setting, now: datetime, areas: Areas | None,
    counters: dict[int, int], rng: np.random.Generator,
) -> dict[str, list[Any]]:  # fmt: skip
    """The observation table's columns, as lists ready for an executemany."""
    seconds, lat, lon, typed = drawn["seconds"], drawn["lat"], drawn["lon"], drawn["typed"]
    clock, n, now_s = setting.clock, len(seconds), int(now.timestamp())
    local = seconds + clock.offset[(seconds - clock.start[0]) // _HOUR]
    year = local.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    number = _numbers(year, counters)
    nearest, metres = _nearest(lat, lon, setting.places)
    names = np.array([p.name for p in setting.places], dtype=object)[nearest]
    reported = np.minimum(seconds + (120 + rng.exponential(600, n)).astype(np.int64), now_s)
    users = [setting.people[i][0] for i in drawn["reporter"].tolist()]
    pairs = zip(year.tolist(), number.tolist(), strict=True)
    return {
        "reference": [format_reference(y, k) for y, k in pairs],
        "year": year.tolist(), "number": number.tolist(), "category_id": drawn["category"].tolist(),
        "occurred_at": [datetime.fromtimestamp(s, UTC) for s in seconds.tolist()],
        "reported_at": [datetime.fromtimestamp(s, UTC) for s in reported.tolist()],
        "latitude": lat.round(6).tolist(), "longitude": lon.round(6).tolist(),
        "place_text": np.where(typed, names, "").tolist(), "place_name": names.tolist(),
        "place_distance_m": metres.round(1).tolist(),
        "place_source": np.where(typed, PlaceSource.GAZETTEER, PlaceSource.POSITION).tolist(),
        "area": areas.areas_of(lat, lon) if areas else [None] * n,
        "description": drawn["description"].tolist(),
        "reporter_id": [u.id for u in users], "organisation_id": [u.organisation_id for u in users],
        "status": _statuses((now_s - seconds) / _DAY, rng).tolist(),
        "source": [SOURCE] * n,  # duplicate_of_id and draft_key are left NULL
    }  # fmt: skip


def _rows(columns: dict[str, list[Any]], start: int, stop: int) -> list[dict[str, Any]]:
    keys, values = list(columns), [columns[key][start:stop] for key in columns]
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


# ---- people, numbers and interventions --------------------------------------------------


def _demo_people(session: Session, since: datetime) -> list[tuple[User, str]]:
    """The demo's users (found again on a second run) with their organisations' names."""
    people, telegram_id = [], FIRST_TELEGRAM_ID
    for position, (organisation_name, names) in enumerate(_PEOPLE.items()):
        organisation = get_or_create_organisation(session=session, name=organisation_name)
        assert organisation.id is not None
        for rank, full_name in enumerate(names):
            role = Role.COORDINATOR if position < 2 and rank == 0 else Role.REPORTER
            user = session.exec(select(User).where(User.telegram_id == telegram_id)).first()
            if user is None:
                user = User(telegram_id=telegram_id, full_name=full_name, role=role,
                            organisation_id=organisation.id, created_at=since)  # fmt: skip
                session.add(user)
            people.append((user, organisation_name))
            telegram_id += 1
    session.flush()
    return people


def _advance_counters(session: Session, years: list[int], numbers: list[int]) -> None:
    """Real reports continue the numbering after the demo's."""
    last: dict[int, int] = {}
    for year, number in zip(years, numbers, strict=True):
        last[year] = max(number, last.get(year, 0))
    for year, number in last.items():
        counter = session.get(ReferenceCounter, year) or ReferenceCounter(year=year)
        counter.last_number = max(counter.last_number, number)
        session.add(counter)


def _record_interventions(
    session: Session, now: datetime, tz: ZoneInfo, gazetteer: Gazetteer, by_user_id: int
) -> None:
    """The interventions, each acting on the last observations at its place before it."""
    today, places = now.astimezone(tz).date(), {p.name: p for p in gazetteer.places}
    for what, owner, name, status, age, follow, evaluation in _INTERVENTIONS:
        created, follow_up = now - timedelta(days=age), today + timedelta(days=follow)
        evaluated = datetime.combine(follow_up, datetime.min.time(), tz) + timedelta(hours=14)
        place = places.get(name)
        intervention = Intervention(
            what=what, owner=owner, follow_up_on=follow_up, status=status, evaluation=evaluation,
            place_name=name, latitude=place.latitude if place else None,
            longitude=place.longitude if place else None, chat_id=0, created_by_id=by_user_id,
            created_at=created, updated_at=evaluated if evaluation else created,
            reminded_on=follow_up if follow_up <= today else None,  # no reminders for the past
        )  # fmt: skip
        session.add(intervention)
        session.flush()
        acted_on = session.exec(
            select(Observation.id)
            .where(Observation.place_name == name, Observation.source == SOURCE)
            .where(col(Observation.occurred_at) < created)
            .order_by(col(Observation.occurred_at).desc())
            .limit(4)
        ).all()
        for observation_id in acted_on:
            assert intervention.id is not None and observation_id is not None
            link = InterventionLink(intervention_id=intervention.id, observation_id=observation_id)
            session.add(link)


# ---- the whole --------------------------------------------------------------------------


def populate_demo(
    *, engine: Engine, now: datetime, tz: ZoneInfo, observations: int = 5000, years: int = 2,
    seed: int = 2026, areas: Areas | None, gazetteer: Gazetteer, chunk: int = 20_000,
) -> DemoFacts:  # fmt: skip
    """Write `observations` synthetic observations of Kvarnby over `years` years up to
    `now`, with the organisations, people and interventions around them, in one transaction.

    The same seed gives the same rows. The categories must be synced and the gazetteer must
    hold the hot-spot places (the example gazetteer does). Returns what was planted.
    """
    if observations < 1 or not {p.name for p in gazetteer.places}.issuperset(HOT_SPOTS):
        raise ValueError(f"the demo needs rows and a gazetteer with {', '.join(HOT_SPOTS)}")
    now, rng = now.astimezone(UTC), np.random.default_rng(seed)
    first = now - timedelta(days=round(365.25 * years))
    growth_from = int(_last_tertial_start(now, tz).timestamp())
    with engine.begin() as connection, Session(bind=connection) as session:
        category_ids = {c.code: c.id for c in session.exec(select(Category)) if c.id is not None}
        if RISING not in category_ids:
            raise ValueError(f"the demo needs the category {RISING!r}")
        people = _demo_people(session, since=first)
        setting = _Setting(
            _clock(first, now, tz), gazetteer.places, people, category_ids, growth_from
        )
        streams = [s for s in _STREAMS if s.category in category_ids]
        counters = {c.year: c.last_number for c in session.exec(select(ReferenceCounter))}
        drawn = _draw(streams, observations, setting, rng)
        columns = _columns(drawn, setting, now, areas, counters, rng)
        for start in range(0, observations, chunk):
            connection.execute(insert(Observation), _rows(columns, start, start + chunk))
        _advance_counters(session, columns["year"], columns["number"])
        coordinator = next(user for user, _ in people if user.role is Role.COORDINATOR)
        assert coordinator.id is not None
        _record_interventions(session, now, tz, gazetteer, coordinator.id)
        session.flush()
    occurred = columns["occurred_at"]
    return DemoFacts(HOT_SPOTS, RISING, observations, occurred[0], occurred[-1])
