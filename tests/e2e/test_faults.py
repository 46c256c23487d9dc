"""Telegram misbehaves while many people report: one Bot API call in ten fails at random
(429 with retry_after, 500, 502, an answer a second late, a dropped connection).

Every confirmed report is stored once, its card reaches the coordinators' group once, the
daily digest made at 07:00 in the middle of it all comes once, and the bot goes on.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.outbox import undelivered
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import buttons, file_report, text
from tests.support.fake_telegram import DROP, SLOW
from tests.support.field_staff import Filing, Reporter
from tests.support.tally import tally

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Europe/Stockholm")
PEOPLE, REPORTS = 20, 5  # 100 reports, every third with a photo
FAULTS = (429, 500, 502, SLOW, DROP)


async def outbox_drained(world: World, timeout: float) -> None:
    """Wait until every delivery is done (postponed ones come back within seconds)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with transaction(world.engine) as session:
            waiting = undelivered(session=session)
        if not waiting:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{waiting} deliveries wait"
        await asyncio.sleep(0.2)


async def file_several(person: Reporter, number: int) -> list[Filing]:
    filings = []
    for index in range(REPORTS):
        photo = jpeg(colour="blue") if (number + index) % 3 == 0 else None
        filings.append(await person.file(f"r{index}-p{number}", photo))
    return filings


async def test_a_storm_of_bot_api_faults_loses_and_doubles_nothing(
    world: World, erik: SimUser, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = world.telegram
    with time_machine.travel(datetime(2026, 11, 22, 6, 59, 52, tzinfo=TZ), tick=True):
        await world.stop()
        world.overrides.update(
            digest_check_s=0.2, delivery_poll_s=0.2, rate_limit_group_per_minute=0
        )  # no group limit: a card per observation, none merged into a summary
        await world.start()
        group = await world.linked_group(erik)
        people = [Reporter(await world.member(first_name=f"P{n}")) for n in range(PEOPLE)]
        telegram.slow_answer_s = 1.0  # below the read timeout (5 s): see FakeTelegram
        telegram.fault_rate(0.1, codes=FAULTS, seed=5)
        runs = await asyncio.gather(*(file_several(p, n) for n, p in enumerate(people)))
        await outbox_drained(world, timeout=30)
        telegram.fault_rate(0)
        await telegram.idle(quiet=0.5, timeout=15)

        filings = [filing for run in runs for filing in run]
        figures = tally(world.engine, telegram, group.id, filings)
        asked_again = sum(filing.recoveries for filing in filings)
        print("", *figures.lines(), f"injected: {dict(telegram.injected)}",
              f"asked again: {asked_again}", sep="\n")  # fmt: skip
        assert figures.problems() == [], figures
        assert figures.attempted == PEOPLE * REPORTS and figures.confirmed == figures.stored
        assert figures.cards_expected == figures.stored and figures.digests_expected == 1
        assert set(telegram.injected) == {"429", "500", "502", "slow", "drop"}
        # a person seldom has to ask again: the bot tries a failed call again itself
        assert asked_again <= len(filings) // 20

        # the bot goes on: nothing of it died, and the next report goes as always
        assert world.app.running and world.app.updater.running
        assert any(t.get_name() == "estbot delivery" and not t.done() for t in asyncio.all_tasks())
        reference = await file_report(people[0].user)
        await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    lost_tasks = [r for r in caplog.records if "exception was never retrieved" in r.getMessage()]
    assert lost_tasks == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "errors were logged"
