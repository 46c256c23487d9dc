from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from storage.database.engine import make_engine, transaction
from storage.database.schema import upgrade_database
from storage.demo.police import DISTRICTS
from storage.demo.town import FIRST_TELEGRAM_ID, TOWN, DemoFacts, populate_demo
from storage.kinds import InterventionStatus, PlaceSource, Role
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer, Place
from storage.tables import (
    Category,
    Intervention,
    InterventionLink,
    Observation,
    Organisation,
    PoliceFigure,
    ReferenceCounter,
    User,
)
from tests.factories import seed_categories

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
# The last complete tertial before NOW is January–April 2026 (local time).
TERTIAL = (datetime(2026, 1, 1, tzinfo=TZ), datetime(2026, 5, 1, tzinfo=TZ))
YEAR_BEFORE = (datetime(2025, 1, 1, tzinfo=TZ), datetime(2025, 5, 1, tzinfo=TZ))
GAZETTEER = Gazetteer.from_csv()


def populate(engine: Engine, **overrides: Any) -> DemoFacts:
    with transaction(engine) as session:
        seed_categories(session)
    arguments: dict[str, Any] = {
        "now": NOW, "tz": TZ, "observations": 3000, "areas": None, "gazetteer": GAZETTEER,
    }  # fmt: skip
    arguments.update(overrides)
    return populate_demo(engine=engine, **arguments)


def observations(engine: Engine) -> list[tuple[Observation, str]]:
    with transaction(engine) as session:
        rows = session.exec(
            select(Observation, Category.code)
            .join(Category, col(Category.id) == col(Observation.category_id))
            .order_by(col(Observation.id))
        ).all()
    return [(observation, code) for observation, code in rows]


def count_in(
    rows: list[tuple[Observation, str]], code: str, span: tuple[datetime, datetime]
) -> int:
    return sum(1 for o, c in rows if c == code and span[0] <= o.occurred_at < span[1])


def metres(observation: Observation, place: Place) -> float:
    assert observation.latitude is not None and observation.longitude is not None
    north = math.radians(observation.latitude - place.latitude)
    east = math.radians(observation.longitude - place.longitude)
    return 6_371_000 * math.hypot(north, east * math.cos(math.radians(place.latitude)))


def test_rows_are_numbered_per_year_and_the_counters_continue_after_them(engine: Engine) -> None:
    facts = populate(engine)
    rows = observations(engine)
    assert facts.observations == len(rows) == 3000
    references = [o.reference for o, _ in rows]
    assert len(set(references)) == len(references)
    assert all(o.reference == f"EST-{o.year}-{o.number:04d}" for o, _ in rows)
    assert all(o.year == o.occurred_at.astimezone(TZ).year for o, _ in rows)
    with transaction(engine) as session:
        counters = {c.year: c.last_number for c in session.exec(select(ReferenceCounter))}
    last = {year: max(o.number for o, _ in rows if o.year == year) for year in counters}
    assert counters == last and set(counters) == {2024, 2025, 2026}
    first_2025 = min((o for o, _ in rows if o.year == 2025), key=lambda o: o.occurred_at)
    assert first_2025.number == 1


def test_every_observation_is_in_town_within_the_period_and_complete(engine: Engine) -> None:
    facts = populate(engine)
    rows = observations(engine)
    assert all(TOWN.contains(o.latitude or 0, o.longitude or 0) for o, _ in rows)
    times = [o.occurred_at for o, _ in rows]
    assert facts.first == min(times) and facts.last == max(times)
    assert NOW - timedelta(days=731) <= facts.first and facts.last <= NOW
    assert all(o.occurred_at <= o.reported_at <= NOW for o, _ in rows)
    names = {p.name for p in GAZETTEER.places}
    assert all(o.place_name in names and o.source == "demo" and o.description for o, _ in rows)
    typed = [o for o, _ in rows if o.place_source is PlaceSource.GAZETTEER]
    assert 0.05 * len(rows) < len(typed) < 0.3 * len(rows)
    assert all(o.place_distance_m == 0 and o.place_text == o.place_name for o in typed)


def test_the_rising_category_rises_year_on_year_and_the_others_stay_level(engine: Engine) -> None:
    facts = populate(engine)
    rows = observations(engine)
    rising = count_in(rows, facts.rising_category, TERTIAL)
    assert rising >= 2 * count_in(rows, facts.rising_category, YEAR_BEFORE)
    for code in ("graffiti", "vandalism", "drugs", "disorder"):
        now, before = count_in(rows, code, TERTIAL), count_in(rows, code, YEAR_BEFORE)
        assert abs(now - before) < 0.3 * before, code


def test_the_hot_spots_hold_far_more_observations_than_other_places(engine: Engine) -> None:
    facts = populate(engine)
    recent = [o for o, _ in observations(engine) if TERTIAL[0] <= o.occurred_at < TERTIAL[1]]
    near = {p.name: sum(1 for o in recent if metres(o, p) <= 100) for p in GAZETTEER.places}
    average = sum(near.values()) / len(near)
    assert all(near[name] > 4 * average for name in facts.hot_spots)
    others = sorted((n for name, n in near.items() if name not in facts.hot_spots), reverse=True)
    assert min(near[name] for name in facts.hot_spots) > 1.5 * others[0]


def test_disorder_peaks_in_the_evening_and_littering_in_the_day(engine: Engine) -> None:
    populate(engine)
    rows = observations(engine)

    def hours(code: str) -> Counter[int]:
        return Counter(o.occurred_at.astimezone(TZ).hour for o, c in rows if c == code)

    disorder, littering = hours("disorder"), hours("littering")
    evening = {18, 19, 20, 21, 22, 23, 0, 1}
    assert sum(disorder[h] for h in evening) > 0.6 * disorder.total()
    assert disorder.most_common(1)[0][0] in evening
    assert sum(littering[h] for h in range(8, 17)) > 0.4 * littering.total()


def test_old_observations_are_mostly_closed_and_recent_ones_open(engine: Engine) -> None:
    populate(engine)
    rows = [o for o, _ in observations(engine)]
    old = [o for o in rows if o.occurred_at < NOW - timedelta(days=21)]
    recent = [o for o in rows if o.occurred_at > NOW - timedelta(days=7)]
    still_open = sum(1 for o in old if o.status.is_open)
    assert 0 < still_open < 0.05 * len(old)
    assert recent and all(o.status.is_open for o in recent)


@pytest.mark.parametrize("with_areas", [True, False])
def test_areas_are_set_only_when_given(engine: Engine, with_areas: bool) -> None:
    areas = Areas.from_geojson() if with_areas else None
    populate(engine, areas=areas)
    found = [o.area for o, _ in observations(engine)]
    if areas is None:
        assert set(found) == {None}
    else:
        assert set(found) == set(areas.names)


def test_people_organisations_and_interventions(engine: Engine) -> None:
    populate(engine)
    with transaction(engine) as session:
        users = session.exec(select(User).where(User.telegram_id >= FIRST_TELEGRAM_ID)).all()
        organisations = {o.name for o in session.exec(select(Organisation))}
        interventions = session.exec(select(Intervention)).all()
        links = session.exec(select(InterventionLink)).all()
    assert len(users) == len({u.telegram_id for u in users}) == 14
    assert sum(1 for u in users if u.role is Role.COORDINATOR) == 2
    assert {"Kvarnby kommun", "Kvarnbyhem AB", "Trygghetsvärdarna"} <= organisations
    evaluated = [i for i in interventions if i.status is InterventionStatus.EVALUATED]
    assert evaluated and all(i.evaluation and NOW - i.updated_at < timedelta(days=120)
                             for i in evaluated)  # fmt: skip
    today = NOW.astimezone(TZ).date()
    due = [i for i in interventions if i.status.is_open and i.follow_up_on]
    assert any(today < i.follow_up_on <= today + timedelta(days=14) for i in due if i.follow_up_on)
    assert len(links) >= len(interventions)


def test_a_second_run_continues_the_numbering(engine: Engine) -> None:
    populate(engine, observations=400)
    populate(engine, observations=400, seed=7)
    rows = observations(engine)
    assert len(rows) == len({o.reference for o, _ in rows}) == 800
    with transaction(engine) as session:
        assert len(session.exec(select(User)).all()) == 14


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    def rows_of(name: str, seed: int) -> list[tuple[Any, ...]]:
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade_database(engine)
        populate(engine, observations=500, seed=seed)
        found = [(o.reference, c, o.occurred_at, o.latitude, o.longitude, o.status, o.description)
                 for o, c in observations(engine)]  # fmt: skip
        engine.dispose()
        return found

    assert rows_of("a.db", 2026) == rows_of("b.db", 2026) != rows_of("c.db", 1)


def test_a_gazetteer_without_the_hot_spots_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="Södra gången"):
        populate(engine, gazetteer=Gazetteer(GAZETTEER.places[:3]))


def test_police_figures_for_every_whole_month_up_to_the_last_complete_one(engine: Engine) -> None:
    populate(engine)
    with transaction(engine) as session:
        rows = session.exec(select(PoliceFigure)).all()
    months = sorted({row.month for row in rows})
    assert months[-1] == date(2026, 4, 1)  # May 2026 is still running at NOW
    assert months[0] == date(2024, 6, 1) and len(months) == 23  # the first whole month
    assert {row.area for row in rows} == set(DISTRICTS)

    def drugs_in_centrum(first: date, last: date) -> int:
        return sum(
            row.count
            for row in rows
            if (row.crime_type, row.area) == ("Narkotikabrott", "Centrum")
            and first <= row.month <= last
        )

    assert drugs_in_centrum(date(2026, 1, 1), date(2026, 4, 1)) > 1.5 * drugs_in_centrum(
        date(2025, 1, 1), date(2025, 4, 1)
    )
