"""Two webhook workers on one PostgreSQL database, as behind a load balancer.

Two real `estbot run --webhook` processes, each on its own port; the fake Bot API server
plays Telegram and the reverse proxy in front of them, posting updates to the workers in
turn (bot/trial/fake_telegram/webhook_delivery.py). Both share only the database. Shown here: the
webhook is registered once and refuses requests without the secret, /healthz answers,
reference numbers stay unique when reports are sent at the same moment on both, each card
and each scheduled digest goes out once, and a person's album whose photos land on both
workers at once is added to the draft whole.

PostgreSQL only: several processes writing at once is what PostgreSQL is for here.
WORKER_LOG=/tmp/workers.log keeps what the workers logged, for looking into a failure.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from bot.trial.fake_telegram.people import SimGroup
from bot.trial.fake_telegram.webhook_delivery import SECRET_HEADER
from storage.coordination.subscriptions import change_subscription
from storage.database.engine import transaction
from storage.kinds import Delivery, Role
from storage.tables import CoordinatorGroup, Draft, Outbox, Photo, SentDigest, utcnow
from tests.e2e.conftest import TOKEN, World, jpeg
from tests.e2e.helpers import buttons, reference_in, send_report, text, to_summary
from tests.e2e.processes import estbot_process

pytestmark = pytest.mark.e2e
SECRET = "webhook-secret_for-tests"
PUBLIC_URL = "https://example.org/estbot"
GROUP_CHAT = -1001000000077


@dataclass
class Workers:
    """The running worker processes, their addresses and everything they logged."""

    urls: list[str]
    log: list[bytes] = field(default_factory=list)

    def output(self) -> str:
        return b"".join(self.log).decode(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def worker(world: World, port: int, log: list[bytes]) -> AsyncIterator[str]:
    """`estbot run --webhook` on `port`; yields its base address once /healthz says ok."""
    arguments = ["--webhook", "--listen", "127.0.0.1", "--port", str(port), "--url", PUBLIC_URL]
    settings = {
        "ESTBOT_RATE_LIMIT_OVERALL": "0",
        "ESTBOT_DELIVERY_POLL": "0.2",
        "ESTBOT_DIGEST_CHECK_INTERVAL": "0.5",
        "ESTBOT_WEBHOOK_SECRET_TOKEN": SECRET,  # from the environment, as the README advises
    }
    async with estbot_process(world, world.data_dir.parent, log, *arguments, **settings) as process:
        base = f"http://127.0.0.1:{port}"
        await _until_healthy(base, process, log)
        yield base


async def _until_healthy(base: str, process: asyncio.subprocess.Process, log: list[bytes]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            if process.returncode is not None:
                await asyncio.sleep(0.5)  # the reader takes the last lines it wrote
                said = b"".join(log).decode(errors="replace")[-2000:]
                raise AssertionError(f"the worker on {base} stopped: {process.returncode}\n{said}")
            try:
                async with session.get(f"{base}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the worker on {base} did not start")


@asynccontextmanager
async def two_workers(world: World) -> AsyncIterator[Workers]:
    """Both workers started at the same moment, behind the fake's round-robin proxy."""
    await world.stop()  # the in-process bot (polling) steps aside for the workers
    log: list[bytes] = []
    async with AsyncExitStack() as stack:
        urls = await asyncio.gather(
            *(stack.enter_async_context(worker(world, free_port(), log)) for _ in range(2))
        )
        world.telegram.route_webhook(list(urls))
        try:
            yield Workers(list(urls), log)
        finally:
            Path(os.environ.get("WORKER_LOG", "/dev/null")).write_bytes(b"".join(log))


@pytest.fixture
def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes on one database: PostgreSQL only")


async def test_two_workers_share_reports_cards_and_digests(
    postgres_only: None, world: World
) -> None:
    erik = await world.member(Role.COORDINATOR, first_name="Erik")
    group = await world.linked_group(erik, GROUP_CHAT)
    reporters = [await world.member(first_name=f"Person{n}") for n in range(6)]
    _digests_due_since_the_day_before_yesterday(world)

    async with two_workers(world) as workers:
        await _refuses_strangers_and_answers_health(workers)
        summaries = await asyncio.gather(*(to_summary(person) for person in reporters))
        # everyone presses Skicka at the same moment; the proxy spreads them over both
        thanks = await asyncio.gather(
            *(
                send_report(person, summary)
                for person, summary in zip(reporters, summaries, strict=True)
            )
        )
        references = [reference_in(message) for message in thanks]
        for reference in references:
            await group.wait_for(lambda m, r=reference: r in text(m) and bool(buttons(m)), 20)
        await _digests_delivered(world, group)
        await world.telegram.idle(group.id, quiet=1.5, timeout=30)

    assert len(set(references)) == len(references) == 6
    assert sorted(o.reference for o in world.observations()) == sorted(references)
    for reference in references:  # each card once, though both workers deliver
        assert sum(reference in text(m) and bool(buttons(m)) for m in group.messages) == 1
    _each_digest_once(world, group)
    assert len(world.telegram.calls_for("setWebhook")) == 1
    assert world.telegram.calls_for("setWebhook")[0].params["secret_token"] == SECRET
    assert {post.target.rsplit("/", 1)[0] for post in world.telegram.webhook_posts} == set(
        workers.urls
    )
    output = workers.output()
    assert "Traceback" not in output and "IntegrityError" not in output, output
    assert SECRET not in output and TOKEN not in output


def _digests_due_since_the_day_before_yesterday(world: World) -> None:
    """The group was linked two days ago and wants the daily digest also on quiet days:
    yesterday's is due the moment the workers start, on both at once."""
    with transaction(world.engine) as session:
        session.execute(
            update(CoordinatorGroup)
            .where(col(CoordinatorGroup.chat_id) == GROUP_CHAT)
            .values(linked_at=utcnow() - timedelta(days=2))
        )
    with transaction(world.engine) as session:
        change_subscription(session=session, chat_id=GROUP_CHAT, kind="daily", toggle_quiet=True)


async def _refuses_strangers_and_answers_health(workers: Workers) -> None:
    update = {"update_id": 999_999, "message": {"message_id": 1, "date": 0,
              "chat": {"id": 1, "type": "private"}, "text": "/start"}}  # fmt: skip
    async with aiohttp.ClientSession() as session:
        for base in workers.urls:
            for headers in ({}, {SECRET_HEADER: "wrong"}):
                async with session.post(f"{base}/estbot", json=update, headers=headers) as answer:
                    assert answer.status == 403
            async with session.get(f"{base}/healthz") as answer:
                assert answer.status == 200
                assert (await answer.json())["database"] == "ok"


async def _digests_delivered(world: World, group: SimGroup) -> None:
    def all_sent() -> bool:
        with transaction(world.engine) as session:
            made = session.exec(select(func.count()).select_from(SentDigest)).one()
            waiting = session.exec(
                select(func.count()).where(
                    Outbox.chat_id == group.id, col(Outbox.sent_at).is_(None)
                )
            ).one()
        return made > 0 and waiting == 0

    for _ in range(300):
        if all_sent():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the daily digest was not made and delivered")


def _each_digest_once(world: World, group: SimGroup) -> None:
    with transaction(world.engine) as session:
        made = session.exec(select(SentDigest)).all()
        rows = session.exec(
            select(Outbox).where(Outbox.chat_id == group.id, Outbox.kind == Delivery.DIGEST)
        ).all()
    assert {(d.kind, d.chat_id) for d in made} >= {("daily", group.id)}
    assert len(rows) == sum(d.messages for d in made)  # one set of messages per digest
    for row in rows:
        body = html.unescape(re.sub(r"<[^>]+>", "", str(row.payload["text"])))  # as shown
        assert sum(text(m) == body for m in group.messages) == 1, body


async def test_an_album_landing_on_both_workers_at_once_is_added_whole(
    postgres_only: None, world: World
) -> None:
    """Each photo of an album is its own update; the proxy hands them to both workers,
    which add them to the same draft at the same moment. Locked, the draft counts them all
    and the reporter hears about the album once."""
    people = [await world.member(first_name=f"Fotograf{n}") for n in range(4)]
    async with two_workers(world) as workers:
        for person in people:
            await person.send("/rapport")
        for person in people:
            await person.next_message(timeout=20)
        before = {person.id: len(person.messages) for person in people}
        for round_number in range(3):  # three albums of two photos each, all at once
            for person in people:
                album = f"album-{person.id}-{round_number}"
                for colour in ("red", "blue"):
                    await person.send_photo(
                        jpeg(colour=colour, width=40 + round_number), media_group_id=album
                    )
            await world.telegram.idle(quiet=1.0, timeout=30)
        said = {p.id: [text(m) for m in p.messages[before[p.id] :]] for p in people}

    with transaction(world.engine) as session:
        drafts = session.exec(select(Draft)).all()
        counts = {
            d.user_id: (
                d.photo_count,
                len(session.exec(select(Photo).where(Photo.draft_id == d.id)).all()),
            )
            for d in drafts
        }
    assert len(drafts) == len(people)
    assert all(count == (6, 6) for count in counts.values()), counts
    for person in people:  # one answer per album, not one per photo
        assert len(said[person.id]) == 3, said[person.id]
    assert "Traceback" not in workers.output(), workers.output()


async def test_a_person_confirms_on_one_worker_while_the_other_has_their_draft(
    postgres_only: None, world: World
) -> None:
    """Skicka pressed twice at once (a double tap), one press on each worker: one
    observation, one card, and the draft gone."""
    erik = await world.member(Role.COORDINATOR, first_name="Erik")
    group = await world.linked_group(erik, GROUP_CHAT)
    anna = await world.member(first_name="Anna")
    async with two_workers(world) as workers:
        summary = await to_summary(anna)
        await asyncio.gather(anna.press("✅ Skicka", summary), anna.press("✅ Skicka", summary))
        await world.telegram.idle(quiet=1.5, timeout=30)
    stored = world.observations()
    assert len(stored) == 1
    assert sum(stored[0].reference in text(m) and bool(buttons(m)) for m in group.messages) == 1
    with transaction(world.engine) as session:
        assert session.exec(select(Draft)).all() == []
    assert "Traceback" not in workers.output(), workers.output()
