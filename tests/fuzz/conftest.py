"""One running bot per fuzz test, many generated cases against it.

Each test function gets a world (the real bot polling the fake Bot API server, a real
database) and a cast of people; hypothesis then runs its examples one after another
against that same bot, so a case costs only what the bot spends on its updates. The
database is not reset between examples: state piles up as it would in use, which is what
lets a walk find a draft half written by an earlier one.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import Role
from storage.people.revoke import revoke_user
from tests.e2e.conftest import TOKEN, World
from tests.e2e.helpers import buttons, file_report, text
from tests.fuzz.driver import Actor, Driver
from tests.fuzz.harness import ErrorLog, Feeder, recording_errors
from tests.support.fake_geocoder import FakeGeocoder
from tests.support.fake_telegram import FakeTelegram

SCALE = float(os.environ.get("ESTBOT_FUZZ_SCALE", "1"))  # e.g. 10 for a long run by hand


def scaled(count: int) -> int:
    """A number of examples (or cases) times ESTBOT_FUZZ_SCALE."""
    return max(1, round(count * SCALE))


FUZZ = settings(
    deadline=None,  # a case waits for the bot over HTTP; its time says nothing by itself
    derandomize=True,  # the same cases on every CI run
    database=None,  # …so nothing to remember between runs
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one bot for all examples, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


class Cast:
    """The world, the people in it, and the driver that acts for them."""

    def __init__(self, world: World, errors: ErrorLog) -> None:
        self.world = world
        self.errors = errors
        self.driver = Driver(world, Feeder(world, errors))
        self.people: list[Actor] = []
        self.groups: list[SimGroup] = []
        self.started = (time.monotonic(), time.process_time())

    def __repr__(self) -> str:  # hypothesis shows it in every failing example
        return f"<cast of {len(self.people)} people, {len(self.groups)} groups>"

    @property
    def fed(self) -> int:
        return self.driver.feeder.fed


def actor(sim: SimUser) -> Actor:
    return Actor(sim.user, sim.chat)


@pytest.fixture
async def fuzz_world(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[World, ErrorLog]]:
    """The real bot without the per-group sending limit (thousands of messages a minute)."""
    with recording_errors() as errors:
        async with (
            FakeTelegram(token=TOKEN, bot_username="estbot_test_bot") as telegram,
            FakeGeocoder() as geocoder,
        ):
            world = World(database_url, tmp_path / "data", telegram, geocoder)
            world.overrides["rate_limit_group_per_minute"] = 0
            await world.start()
            try:
                yield world, errors
            finally:
                await world.stop()
                world.engine.dispose()
        assert telegram.unknown_methods == [], telegram.unknown_methods
        outside = errors.outside
        assert not outside, "errors outside the cases:\n" + errors.describe(records=outside)


@pytest.fixture
async def private_cast(
    fuzz_world: tuple[World, ErrorLog], request: pytest.FixtureRequest
) -> AsyncIterator[Cast]:
    """Two reporters of two organisations, a coordinator, a revoked person, a stranger."""
    world, errors = fuzz_world
    anna = await world.member(first_name="Anna")
    bo = await world.member(org="Kvarnbyhem AB", first_name="Bo")
    erik = await world.member(Role.COORDINATOR, first_name="Erik")
    gone = await world.member(first_name="Gunnel")
    with transaction(world.engine) as session:
        revoke_user(session=session, who=str(gone.id))
    stranger = world.telegram.user(9_000_001, "Sven", username="sven")
    cast = Cast(world, errors)
    cast.people = [actor(anna), actor(bo), actor(erik), actor(gone), actor(stranger)]
    yield cast
    expect_cases(request, cast)


def expect_cases(request: pytest.FixtureRequest, cast: Cast) -> None:
    """The test fed at least as many updates as its `fuzz_cases` marker promises."""
    request.node.user_properties.append(("fuzz_cases", cast.fed))
    wall, cpu = time.monotonic() - cast.started[0], time.process_time() - cast.started[1]
    print(f"\n{request.node.name}: {cast.fed} updates in {wall:.1f} s ({cpu:.1f} s of CPU)")
    marker = request.node.get_closest_marker("fuzz_cases")
    if marker is not None:
        assert cast.fed >= marker.args[0], f"only {cast.fed} of {marker.args[0]} cases ran"


@pytest.fixture
async def group_cast(
    fuzz_world: tuple[World, ErrorLog], request: pytest.FixtureRequest
) -> AsyncIterator[Cast]:
    """A linked coordinators' group with cards and an intervention in it, and a group the
    bot was added to but nobody linked; a coordinator, two reporters (two organisations)
    and a stranger write in both."""
    world, errors = fuzz_world
    erik = await world.member(Role.COORDINATOR, first_name="Erik")
    anna = await world.member(first_name="Anna")
    bo = await world.member(org="Kvarnbyhem AB", first_name="Bo")
    stranger = world.telegram.user(9_000_002, "Sven", username="sven")
    linked = await world.linked_group(erik)
    unlinked = world.telegram.group(-1001000000002, "Fritidsgården")
    unlinked.bot_added(erik)
    await unlinked.next_message()
    for reporter in (anna, bo, anna):
        reference = await file_report(reporter)
        await linked.wait_for(lambda m, ref=reference: ref in text(m) and bool(buttons(m)))
    await linked.send(erik, f"/insats {reference} Mer belysning")
    await linked.wait_for(lambda m: "Vem är ansvarig" in text(m) or "ansvarig" in text(m))
    cast = Cast(world, errors)
    cast.groups = [linked, unlinked]
    cast.people = [Actor(who.user, group.chat) for group in cast.groups
                   for who in (erik, anna, bo, stranger)]  # fmt: skip
    yield cast
    expect_cases(request, cast)
