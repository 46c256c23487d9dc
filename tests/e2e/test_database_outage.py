"""The database away for ten seconds: SQLite locked by another process's exclusive
transaction, PostgreSQL "stopped" (every connection through a proxy closed, new ones refused).

Whoever writes meanwhile is told to try again in a moment and keeps the draft; a card that
was on its way when the database went is posted once; afterwards everything goes on, with
no restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Protocol

import pytest
from sqlalchemy.engine import make_url

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import Step
from storage.outbox import undelivered
from storage.people.access import member_and_draft
from tests.e2e.conftest import World
from tests.e2e.helpers import buttons, send_report, text, to_description, to_summary
from tests.support.fake_telegram import SLOW
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e
OUTAGE_S = 10.0
TRY_AGAIN = "Försök igen om en stund"


class Outage(Protocol):
    def begin(self) -> None: ...
    def end(self) -> None: ...


class SqliteLocked:
    """Another connection holds the write lock (BEGIN EXCLUSIVE) until `end()`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._holder: sqlite3.Connection | None = None

    def begin(self) -> None:
        self._holder = sqlite3.connect(self.path, isolation_level=None)
        self._holder.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        assert self._holder is not None
        self._holder.execute("ROLLBACK")
        self._holder.close()


@pytest.fixture
async def outage(world: World) -> AsyncIterator[Outage]:
    """How to take this backend's database away: the bot reaches PostgreSQL through a proxy
    (the test's own engine does not, so it can look while the bot cannot)."""
    url = make_url(world.database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        yield SqliteLocked(url.database)
        return
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        await world.stop()
        world.overrides["database_url"] = url.set(port=proxy.port).render_as_string(False)
        await world.start()
        yield type("ProxyCut", (), {"begin": proxy.cut, "end": proxy.restore})()
        await world.stop()  # before the proxy goes


def draft_step(world: World, person: SimUser) -> Step | None:
    with transaction(world.engine) as session:
        found = member_and_draft(session=session, telegram_id=person.id)
    return None if found is None or found[1] is None else found[1].step


async def test_the_database_away_for_ten_seconds(
    world: World, outage: Outage, group: SimGroup, anna: SimUser
) -> None:
    bob = await world.member(first_name="Bob")
    await to_description(bob)
    summary = await to_summary(anna)
    world.telegram.fail(
        "sendMessage", chat_id=group.id, code=SLOW
    )  # the card: posted, answered late
    thanks = await send_report(anna, summary)
    await world.telegram.wait_until(
        lambda: any(
            c.params.get("chat_id") == group.id for c in world.telegram.calls_for("sendMessage")
        ),
        5,
    )
    outage.begin()  # while the card's answer is on its way
    began = time.monotonic()
    try:
        await bob.send("Trasig belysning i gångtunneln")
        told = await bob.next_message(timeout=OUTAGE_S)
        assert TRY_AGAIN in text(told), text(told)
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - began)))
    finally:
        outage.end()
    assert draft_step(world, bob) is Step.DESCRIPTION  # the draft is kept as it was

    await bob.send("Trasig belysning i gångtunneln")  # the next message works: no restart
    assert "När hände det" in text(await bob.next_message())
    await bob.press("Nu")
    again = await bob.next_message()
    assert "Klotter" in text(again) and "vid Kvarnparken" in text(again)
    bobs = await send_report(bob, again)

    for reference in (thanks, bobs):
        wanted = text(reference).split("Observation ")[1].split(" ")[0]
        await group.wait_for(lambda m, r=wanted: r in text(m) and bool(buttons(m)), timeout=10)
    await world.telegram.idle(quiet=1.0, timeout=10)
    cards = [m for m in group.messages if buttons(m) and "EST-" in text(m)]
    assert len(cards) == 2, [text(m)[:40] for m in cards]  # each once, the one on its way too
    with transaction(world.engine) as session:
        assert undelivered(session=session) == 0
