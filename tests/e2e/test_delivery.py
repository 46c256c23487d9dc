"""Delivery that loses nothing: bursts within Telegram's limits, outages, crashes."""

from __future__ import annotations

import asyncio
import re
import time

from sqlmodel import col, select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.outbox import undelivered
from storage.reports.observations import submit_draft
from storage.tables import Comment, Outbox
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import buttons, file_report, text
from tests.e2e.test_group_cards import finish_photo_report
from tests.factories import make_complete_draft, make_user

LIMIT, PERIOD = 20, 2.0
REFERENCE = re.compile(r"EST-\d{4}-\d{4,}")


def file_many(world: World, count: int, first_telegram_id: int) -> list[str]:
    """`count` observations filed at once, each by its own caretaker, as the bot files them."""
    references = []
    for n in range(count):
        with transaction(world.engine) as session:
            user = make_user(
                session, telegram_id=first_telegram_id + n, full_name=f"Vaktmästare {n}"
            )
            state = make_complete_draft(session, user)
            assert user.id is not None
            filed = submit_draft(
                session=session,
                user_id=user.id,
                key=state.key,
                tz=world.app.bot_data["services"].tz,
            )
            references.append(filed.observation.reference)
    world.app.bot_data["services"].kick_delivery()
    return references


def shown(group: SimGroup) -> list[str]:
    """Every reference the group was shown: on a card, or on a line of a summary."""
    found = []
    for message in group.messages:
        if buttons(message):
            found += REFERENCE.findall(text(message))[:1]
        elif "nya observationer" in text(message):
            found += REFERENCE.findall(text(message))
    return found


async def burst_world(world: World, erik: SimUser) -> SimGroup:
    await world.stop()
    world.overrides.update(
        rate_limit_group_per_minute=LIMIT, rate_limit_group_period_s=PERIOD, delivery_poll_s=0.2
    )
    await world.start()
    return await world.linked_group(erik, -1001000000040)


async def test_a_burst_of_60_reaches_the_group_once_each_within_the_limit(
    world: World, erik: SimUser
) -> None:
    group = await burst_world(world, erik)
    world.telegram.fail("sendMessage", chat_id=group.id, times=3, code=429, retry_after=1)
    world.telegram.fail("sendMessage", chat_id=group.id, times=2, code=502)
    started = time.monotonic()
    references = file_many(world, 5, 50_000)
    await world.telegram.wait_until(lambda: len(shown(group)) == 5, 10)
    references += file_many(world, 55, 60_000)
    done = await world.telegram.wait_until(lambda: len(shown(group)) >= 60, 4 * PERIOD + 6)
    await world.telegram.idle(quiet=PERIOD / 2, timeout=10)
    if not done:
        with transaction(world.engine) as session:
            for row in session.exec(select(Outbox).where(col(Outbox.sent_at).is_(None))).all():
                print("WAITING", row)
        for m in group.messages:
            print("MSG", text(m)[:200].replace("\n", " | "))
    assert done, f"{len(shown(group))} of 60 shown"
    assert sorted(shown(group)) == sorted(references)  # every one, exactly once
    assert world.telegram.max_in_window(group.id, PERIOD) <= LIMIT
    assert sum(bool(buttons(m)) for m in group.messages) >= 5  # the first ones as cards
    assert any("nya observationer" in text(m) for m in group.messages)  # the rest merged
    failed = [c for c in world.telegram.calls_for("sendMessage") if c.error_code]
    assert {c.error_code for c in failed} == {429, 502}
    with transaction(world.engine) as session:
        assert undelivered(session=session) == 0
    assert time.monotonic() - started < 4 * PERIOD + 8


async def test_an_outage_then_a_crash_loses_no_card_and_posts_it_once(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    for method in ("sendMessage", "sendVenue"):
        world.telegram.fail(method, chat_id=group.id, times=1000, code=502)
    reference = await file_report(anna)

    def postponed() -> list[Outbox]:  # after the bot tried, and tried again, in vain
        with transaction(world.engine) as session:
            return list(
                session.exec(
                    select(Outbox).where(
                        Outbox.chat_id == group.id, col(Outbox.sent_at).is_(None),
                        Outbox.attempts >= 1,
                    )
                ).all()
            )  # fmt: skip

    for _ in range(100):
        if postponed():
            break
        await asyncio.sleep(0.1)
    (waiting,) = postponed()
    assert "network" in (waiting.last_error or "")
    await world.stop()  # the bot goes down with the card undelivered
    world.telegram.clear_faults()
    await world.start()
    await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)), timeout=8)
    await world.telegram.idle(quiet=0.5)
    assert sum(reference in text(m) and bool(buttons(m)) for m in group.messages) == 1


async def test_a_card_goes_as_text_when_its_photo_cannot_be_sent(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    world.telegram.fail(
        "sendPhoto", chat_id=group.id, code=400,
        description="Bad Request: not enough rights to send photos to the chat",
    )  # fmt: skip
    await anna.send_photo(jpeg(), caption="Krossad ruta i trapphuset")
    reference = await finish_photo_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    assert "photo" not in card and "Krossad ruta" in text(card)


async def test_a_reply_in_an_unlinked_group_is_not_kept(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    await group.send(erik, "/koppla_bort")
    await group.wait_for(lambda m: "bortkopplad" in text(m))
    await group.send(erik, "En sen kommentar", reply_to=card)
    await world.telegram.idle(quiet=0.3)
    with transaction(world.engine) as session:
        assert session.exec(select(Comment)).all() == []
