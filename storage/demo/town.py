"""Demo data: synthetic observations for the fictional town Kvarnby.

Made to show what a lägesbild finds, so the patterns are planted: summers and school
holidays are busier, Friday and Saturday evenings loud, each category has its hours (local
time), two places are hot spots that grow in the last complete tertial, and one category
(mopeds and A-tractors) rises clearly year on year while the others stay level. Columns are
drawn with numpy (the patterns and the drawing are in `storage.demo.patterns`) and written
with Core inserts, so that a million rows take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from storage.demo.patterns import (
    DAY,
    HOT_SPOTS,
    HOUR,
    RISING,
    STREAMS,
    TOWN,
    Array,
    Setting,
    draw,
    make_clock,
    nearest_places,
)
from storage.demo.police import add_police_figures
from storage.kinds import InterventionStatus, PlaceSource, Role, Status
from storage.people.access import get_or_create_organisation
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.references import format_reference
from storage.tables import (
    Category,
    Intervention,
    InterventionLink,
    Observation,
    ReferenceCounter,
    User,
)

__all__ = [
    "FIRST_TELEGRAM_ID",
    "HOT_SPOTS",
    "RISING",
    "SOURCE",
    "TOWN",
    "DemoFacts",
    "populate_demo",
]

SOURCE = "demo"
FIRST_TELEGRAM_ID = 9_000_000_001


@dataclass(frozen=True)
class DemoFacts:
    """What was planted, so that a caller (or a test) knows what a lägesbild should find."""

    hot_spots: tuple[str, ...]  # gazetteer names
    rising_category: str  # its code
    observations: int
    first: datetime  # UTC, the earliest occurred_at
    last: datetime


_PEOPLE = {  # the first two named of the first two organisations coordinate
    "Kvarnby kommun": ("Maria Lindqvist", "Karin Holm", "Lena Berg"),
    "Kvarnbyhem AB": ("Peter Sandberg", "Mats Nyström", "Eva Sjöberg", "Oskar Lund", "Fatima Aziz"),
    "Trygghetsvärdarna": ("Jonas Wikström", "Sara Olofsson", "Nils Hedlund"),
    "Fritidsgården Kvarnen": ("Amira Hassan", "Erik Dahl", "Linnea Ström"),
}  # fmt: skip
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


# ---- observation columns ----------------------------------------------------------------


def _numbers(year: Array, counters: dict[int, int]) -> Array:
    """Running numbers per year (rows sorted by time), after those already handed out."""
    years, first, inverse = np.unique(year, return_index=True, return_inverse=True)
    base = np.array([counters.get(int(y), 0) for y in years])
    numbers: Array = np.arange(len(year)) - first[inverse] + 1 + base[inverse]
    return numbers


def _statuses(age_days: Array, rng: np.random.Generator) -> Array:
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
    drawn: dict[str, Array], setting: Setting, now: datetime, areas: Areas | None,
    counters: dict[int, int], rng: np.random.Generator,
) -> dict[str, list[Any]]:  # fmt: skip
    """The observation table's columns, as lists ready for an executemany."""
    seconds, lat, lon, typed = drawn["seconds"], drawn["lat"], drawn["lon"], drawn["typed"]
    clock, n, now_s = setting.clock, len(seconds), int(now.timestamp())
    local = seconds + clock.offset[(seconds - clock.start[0]) // HOUR]
    year = local.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    number = _numbers(year, counters)
    nearest, metres = nearest_places(lat, lon, setting.places)
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
        "status": _statuses((now_s - seconds) / DAY, rng).tolist(),
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


def _last_tertial_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the last complete tertial (Jan–Apr, May–Aug, Sep–Dec) before `now`."""
    local = now.astimezone(tz)
    index = local.year * 3 + (local.month - 1) // 4 - 1
    return datetime(index // 3, index % 3 * 4 + 1, 1, tzinfo=tz)


def populate_demo(
    *, engine: Engine, now: datetime, tz: ZoneInfo, observations: int = 5000, years: int = 2,
    seed: int = 2026, areas: Areas | None, gazetteer: Gazetteer, chunk: int = 20_000,
) -> DemoFacts:  # fmt: skip
    """Write `observations` synthetic observations of Kvarnby over `years` years up to
    `now`, with the organisations, people and interventions around them and the police's
    monthly figures, in one transaction.

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
        setting = Setting(
            make_clock(first, now, tz), gazetteer.places, people, category_ids, growth_from
        )
        streams = [s for s in STREAMS if s.category in category_ids]
        counters = {c.year: c.last_number for c in session.exec(select(ReferenceCounter))}
        drawn = draw(streams, observations, setting, rng)
        columns = _columns(drawn, setting, now, areas, counters, rng)
        for start in range(0, observations, chunk):
            connection.execute(insert(Observation), _rows(columns, start, start + chunk))
        _advance_counters(session, columns["year"], columns["number"])
        coordinator = next(user for user, _ in people if user.role is Role.COORDINATOR)
        assert coordinator.id is not None
        _record_interventions(session, now, tz, gazetteer, coordinator.id)
        add_police_figures(
            session=session, first=first, now=now, tz=tz,
            growth_from=_last_tertial_start(now, tz), rng=np.random.default_rng(seed + 1),
        )  # fmt: skip
        session.flush()
    occurred = columns["occurred_at"]
    return DemoFacts(HOT_SPOTS, RISING, observations, occurred[0], occurred[-1])
