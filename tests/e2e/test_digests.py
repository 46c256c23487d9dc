"""Scheduled digests and /lagesbild in the coordinators' group, with a controlled clock.

The clock is moved with time-machine while the bot is stopped (downtime), and flows
normally while it runs; the digest job checks every 0.2 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.demo.town import populate_demo
from storage.kinds import DigestKind
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.tables import SentDigest
from tests.e2e.conftest import World
from tests.e2e.helpers import file_report, text

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Europe/Stockholm")


@contextmanager
def clock(*when: int) -> Iterator[None]:
    """Local Stockholm time, flowing from there."""
    with time_machine.travel(datetime(*when, tzinfo=TZ), tick=True):  # type: ignore[misc]
        yield


async def restart_at(world: World) -> None:
    """The bot was down until this moment (the caller keeps the clock running)."""
    await world.stop()
    world.overrides.update(digest_check_s=0.2)
    await world.start()


def sent(world: World) -> list[tuple[str, str, int]]:
    with transaction(world.engine) as session:
        rows = session.exec(SentDigest.__table__.select()).all()  # type: ignore[attr-defined]
    return sorted((row.kind, row.period, row.messages) for row in rows)


def count(group: SimGroup, words: str) -> int:
    return sum(words in text(message) for message in group.messages)


def album(group: SimGroup) -> list[dict[str, object]]:
    return [message for message in group.messages if message.get("media_group_id")]


async def test_the_daily_digest_comes_at_seven_with_the_days_reports(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    with clock(2026, 11, 22, 6, 59, 56):
        await restart_at(world)
        group = await world.linked_group(erik)
        reference = await file_report(anna)
        digest = await group.wait_for(lambda m: "Dagsöversikt 22 november 2026" in text(m), 8)
        assert reference in text(digest) and "Klotter" in text(digest)
        assert "1 nya observationer" in text(digest)
        assert sent(world) == [("daily", "2026-11-22", 1)]
        await world.restart()
        await world.telegram.idle(quiet=0.6)
        assert count(group, "Dagsöversikt") == 1


async def test_a_monthly_lagesbild_missed_while_down_comes_once_with_its_charts(
    world: World, erik: SimUser
) -> None:
    populate_demo(
        engine=world.engine, now=datetime(2026, 11, 1, 6, tzinfo=TZ), tz=TZ, observations=600,
        areas=Areas.from_geojson(), gazetteer=Gazetteer.from_csv(),
    )  # fmt: skip
    with clock(2026, 11, 1, 7, 30):
        await restart_at(world)
        group = await world.linked_group(erik)
    with clock(2026, 11, 1, 11, 15):  # down from 7:30 to 11:15: the 8:00 slot passed
        await restart_at(world)
        first = await group.wait_for(lambda m: "Månadslägesbild oktober 2026" in text(m), 20)
        assert "I korthet" in text(first) and "Utveckling i fel riktning" in text(first)
        await group.wait_for(lambda m: "Fotnoter" in text(m), 10)
        # the charts follow the text: on a loaded machine more than a quiet moment later
        await world.telegram.wait_until(lambda: len(album(group)) >= 4, 15)
        await world.telegram.idle(quiet=0.6)
        charts = album(group)
        assert len(charts) == 4 and "Kategorier" in text(charts[0])
        assert all(len(m) <= 4096 for m in (text(x) for x in group.messages))
        await world.restart()
        await world.telegram.idle(quiet=0.8)
    assert count(group, "Månadslägesbild oktober 2026") == 1 and len(album(group)) == 4
    # the daily digest of 1 November (07:00) was due before the group linked: not sent
    assert [kind for kind, _, _ in sent(world)] == [DigestKind.MONTHLY.value]


async def test_daily_digests_across_the_end_of_summer_time(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    """24 October 07:00 (CEST), then the night of 25 October has 25 hours; the digest of the
    25th comes once at 07:00 CET, and a restart in the repeated hour changes nothing."""
    await world.stop()
    world.overrides.update(digest_check_s=0.2)
    group: SimGroup | None = None
    with clock(2026, 10, 24, 6, 59, 57):
        await world.start()
        group = await world.linked_group(erik)
        await file_report(anna)
        await group.wait_for(lambda m: "Dagsöversikt 24 oktober 2026" in text(m), 8)
    with clock(2026, 10, 25, 2, 30):  # the repeated hour
        await restart_at(world)
        await world.telegram.idle(quiet=0.6)
    with clock(2026, 10, 25, 6, 59, 58):
        await restart_at(world)
        await file_report(anna)
        await group.wait_for(lambda m: "Dagsöversikt 25 oktober 2026" in text(m), 8)
        await world.restart()
        await world.telegram.idle(quiet=0.6)
    assert count(group, "Dagsöversikt") == 2
    assert [period for _, period, _ in sent(world)] == ["2026-10-24", "2026-10-25"]


async def test_a_quiet_day_sends_nothing_unless_the_group_asked(
    world: World, erik: SimUser
) -> None:
    with clock(2026, 11, 20, 6, 59, 58):
        await restart_at(world)
        quiet = await world.linked_group(erik, -1001000000041, "Tyst grupp")
        asked = await world.linked_group(erik, -1001000000042, "Vill ha tysta dagar")
        await asked.send(erik, "/installningar")
        settings = await asked.next_message()
        await asked.press(erik, "📊 Sammanställningar", settings)
        page = await asked.wait_for(lambda m: "Sammanställningar till gruppen" in text(m))
        await asked.press(erik, "▫️ Dagsöversikt även dagar utan observationer", page)
        await asked.wait_for(lambda m: "✅ Dagsöversikt även" in str(m.get("reply_markup")))
        await asked.wait_for(lambda m: "Inga nya observationer senaste dygnet" in text(m), 8)
        await world.telegram.idle(quiet=0.5)
    assert count(quiet, "Dagsöversikt") == 0 and count(asked, "Dagsöversikt") == 1
    assert ("daily", "2026-11-20", 0) in sent(world)  # made, recorded, nothing to send


async def test_lagesbild_on_demand_in_the_group(
    world: World, group: SimGroup, erik: SimUser, anna: SimUser
) -> None:
    reference = await file_report(anna)
    await group.send(erik, "/lagesbild 14d")
    answer = await group.wait_for(lambda m: "Lägesbild 14 dagar" in text(m), 15)
    assert "hela kommunen" in text(answer)
    await group.send(erik, "/lagesbild dag")
    daily = await group.wait_for(lambda m: "Dagsöversikt" in text(m), 10)
    assert reference in text(daily)
    await group.send(erik, "/lagesbild igår")
    usage = await group.wait_for(lambda m: "/lagesbild manad" in text(m))
    assert "2026-T3" in text(usage)
    await world.telegram.idle(quiet=0.5)
    assert len(album(group)) == 4  # the 14-day picture's charts
    assert not any("Tar fram lägesbilden" in text(m) for m in group.messages)  # tidied away
