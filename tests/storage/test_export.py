"""The export's query honours its filters exactly: over random filters on a seeded
database (SQLite and PostgreSQL), it gives the same observations, in the same order, with
the same counts, as filtering every row in plain Python."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from storage.database.engine import transaction
from storage.exchange.export import ExportFilter, export_rows
from storage.exchange.filters import (
    UnknownChoice,
    choose_areas,
    choose_categories,
    choose_statuses,
)
from storage.kinds import Status
from tests.storage.export_world import (
    CODES,
    GROUP_CHAT,
    OTHER_CHAT,
    POINTS,
    TZ,
    Plain,
    everything,
    seed_export_world,
)

DAYS = [date(2026, 9, 28) + timedelta(days=n) for n in range(38)]
AREAS = [name for name in POINTS if name]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


@st.composite
def filters(draw: st.DrawFn, organisations: list[int]) -> ExportFilter:
    first = draw(st.none() | st.sampled_from(DAYS))
    last = draw(st.none() | st.sampled_from(DAYS))
    if first and last and last < first:
        first, last = last, first
    subset = lambda items: tuple(draw(st.lists(st.sampled_from(items), unique=True, max_size=3)))  # noqa: E731
    return ExportFilter(
        start=local_midnight(first) if first else None,
        end=local_midnight(last + timedelta(days=1)) if last else None,
        categories=subset([*CODES, "theft"]), areas=subset(AREAS), statuses=subset(list(Status)),
        organisation_ids=subset(organisations), urgent_only=draw(st.booleans()),
        chat_id=draw(st.sampled_from([None, GROUP_CHAT, OTHER_CHAT])),
    )  # fmt: skip


def kept(row: Plain, chosen: ExportFilter) -> bool:
    """The filter, in plain Python."""
    return (
        (chosen.start is None or row.occurred_at >= chosen.start)
        and (chosen.end is None or row.occurred_at < chosen.end)
        and (not chosen.categories or row.code in chosen.categories)
        and (not chosen.areas or row.area in chosen.areas)
        and (not chosen.statuses or row.status in chosen.statuses)
        and (not chosen.organisation_ids or row.organisation_id in chosen.organisation_ids)
        and (not chosen.urgent_only or row.urgent)
    )


@pytest.fixture
def seeded(engine: Engine, tmp_path: Path) -> tuple[Engine, list[int]]:
    world = seed_export_world(engine, tmp_path / "data")
    return engine, [world.town_id, world.company_id]


def test_an_export_holds_exactly_the_observations_and_interventions_its_filter_chooses(
    seeded: tuple[Engine, list[int]],
) -> None:
    engine, organisations = seeded
    plain, interventions, links = everything(engine)
    assert len({row.area for row in plain}) == len(POINTS)  # every area and none are there
    seen = {"empty": 0, "some": 0}

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(filters(organisations))
    def check(chosen: ExportFilter) -> None:
        with transaction(engine) as session:
            export = export_rows(session=session, chosen=chosen)
        in_order = lambda r: (r.occurred_at, int(r.reference.split("-")[2]))  # noqa: E731
        expected = sorted((r for r in plain if kept(r, chosen)), key=in_order)
        assert [r.reference for r in export.observations] == [r.reference for r in expected]
        assert [(r.photos, r.comments, len(r.photo_files)) for r in export.observations] == [
            (r.photos, r.comments, r.photos) for r in expected
        ]
        exported = {r.reference for r in expected}
        wanted = {
            i.id for i in interventions
            if (chosen.chat_id is None or i.chat_id == chosen.chat_id)
            and (set(links.get(i.id or 0, [])) & exported
                 or (not chosen.narrowed
                     and (chosen.start is None or i.created_at >= chosen.start)
                     and (chosen.end is None or i.created_at < chosen.end)))
        }  # fmt: skip
        assert [i.number for i in export.interventions] == sorted(wanted)
        numbers = {i.number for i in export.interventions}
        for row in export.observations:
            assert all(int(title[1:].split()[0]) in numbers for title in row.interventions)
        seen["some" if expected else "empty"] += 1

    check()
    assert seen["some"] >= 10 and seen["empty"] >= 1, seen  # the filters were not all trivial


def test_filters_name_categories_by_code_or_label_and_refuse_unknown_names(
    seeded: tuple[Engine, list[int]],
) -> None:
    engine, _ = seeded
    with transaction(engine) as session:
        chosen = choose_categories(session=session, wanted=["Klotter", "VANDALISM", "Littering"])
        assert chosen == ("graffiti", "vandalism", "littering")
        assert choose_areas(session=session, wanted=["centrum", "Öster"]) == ("Centrum", "Öster")
        with pytest.raises(UnknownChoice) as unknown:
            choose_categories(session=session, wanted=["klottr"])
        assert "klottr" in str(unknown.value) and "graffiti" in str(unknown.value)
        with pytest.raises(UnknownChoice) as unknown:
            choose_areas(session=session, wanted=["Mitt"], configured=["Hamnen"])
        assert "Hamnen" in unknown.value.valid and "Centrum" in unknown.value.valid
    assert choose_statuses(["closed", "new"]) == (Status.CLOSED, Status.NEW)
    with pytest.raises(UnknownChoice, match="in_progress"):
        choose_statuses(["open"])
