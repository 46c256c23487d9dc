"""Interventions: recorded from a card or by command, followed up, reminded, evaluated."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import InterventionStatus
from storage.tables import Intervention
from tests.e2e.conftest import World
from tests.e2e.helpers import buttons, file_report, text


def local_today(world: World) -> date:
    """Today where the bot counts days (Europe/Stockholm), not on the machine's UTC clock."""
    return datetime.now(world.settings().tz).date()


def interventions(world: World) -> list[Intervention]:
    with transaction(world.engine) as session:
        return list(session.exec(select(Intervention).order_by(Intervention.id)).all())


async def test_the_card_button_starts_a_short_conversation(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    await group.press(anna, "🧭 Insats", card)
    assert await world.telegram.wait_until(
        lambda: any("Bara samordnare" in alert for alert in anna.alerts), 10
    )

    await group.press(erik, "🧭 Insats", card)
    question = await group.wait_for(lambda m: "Vad ska göras?" in text(m))
    await group.send(erik, "Bättre belysning längs gångvägen", reply_to=question)
    owner = await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    await group.send(erik, "Tekniska förvaltningen", reply_to=owner)
    follow_up = await group.wait_for(lambda m: "När ska insatsen följas upp?" in text(m))
    await group.press(erik, "Om 2 veckor", follow_up)
    recorded = await group.wait_for(lambda m: "Uppföljning: 20" in text(m))
    assert "Tekniska förvaltningen" in text(recorded) and reference in text(recorded)
    (item,) = interventions(world)
    assert item.what == "Bättre belysning längs gångvägen"
    assert item.owner == "Tekniska förvaltningen" and item.status is InterventionStatus.PLANNED
    assert item.follow_up_on is not None and item.follow_up_on >= local_today(world) + timedelta(13)
    assert item.place_name == "Kvarnparken"


async def test_by_command_listed_moved_on_and_evaluated(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    await group.send(erik, f"/insats {reference} Nattvandring fredagar 22–02")
    owner = await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    await group.press(erik, "👤 Jag (Erik Ek)", owner)
    follow_up = await group.wait_for(lambda m: "följas upp" in text(m))
    await group.send(erik, "om 3 veckor", reply_to=follow_up)
    await group.wait_for(lambda m: "Ansvarig: Erik Ek" in text(m))

    await group.send(erik, "/insatser")
    listing = await group.wait_for(lambda m: "Öppna insatser (1)" in text(m))
    assert "Nattvandring" in text(listing) and "/insats_1" in text(listing)
    await group.send(erik, "/insats_1")
    shown = await group.wait_for(lambda m: "▶️ Pågår" in buttons(m))
    await group.press(erik, "✔️ Genomförd", shown)
    done = await group.wait_for(lambda m: "Status: Genomförd" in text(m))
    await group.press(erik, "📝 Utvärdera", done)
    ask = await group.wait_for(lambda m: "Hur gick det?" in text(m))
    await group.send(erik, "Lugnare fredagar, färre samlingar", reply_to=ask)
    await group.wait_for(lambda m: "Utvärdering: Lugnare" in text(m))
    (item,) = interventions(world)
    assert item.status is InterventionStatus.EVALUATED and not item.status.is_open
    await group.send(erik, "/insatser")
    await group.wait_for(lambda m: "Inga öppna insatser" in text(m))


async def test_wrong_input_gets_a_clear_reply(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    await group.send(erik, "/insats")
    assert "Skriv vad som ska göras" in text(await group.next_message())
    await group.send(erik, "/insats EST-2026-0999 Städning")
    assert "hittar ingen" in text(await group.next_message()).lower()
    await group.send(anna, "/insats Städning")
    assert "Bara samordnare" in text(await group.next_message())
    await group.send(erik, "/insats Städning av tunneln")
    follow_up_owner = await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    await group.press(erik, "Hoppa över", follow_up_owner)
    follow_up = await group.wait_for(lambda m: "följas upp" in text(m))
    await group.send(erik, "snart", reply_to=follow_up)
    assert "förstod inte datumet" in text(await group.wait_for(lambda m: "snart" in text(m)))
    assert interventions(world)[0].follow_up_on is None


async def test_the_group_is_reminded_on_the_follow_up_date(world: World, erik: SimUser) -> None:
    await world.stop()
    world.overrides.update(follow_up_check_s=0.2, follow_up_hour=0)
    await world.start()
    group = await world.linked_group(erik, -1001000000030)
    await group.send(erik, "/insats Ny belysning vid tunneln")
    owner = await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    await group.press(erik, "Hoppa över", owner)
    follow_up = await group.wait_for(lambda m: "följas upp" in text(m))
    today = local_today(world).isoformat()
    await group.send(erik, today, reply_to=follow_up)
    reminder = await group.wait_for(lambda m: "Dags för uppföljning" in text(m), timeout=5)
    assert "Ny belysning vid tunneln" in text(reminder) and "📝 Utvärdera" in buttons(reminder)
    await world.restart()  # once per date, across restarts
    await world.telegram.idle(quiet=0.6)
    assert sum("Dags för uppföljning" in text(m) for m in group.messages) == 1


async def test_an_intervention_at_a_named_place(
    world: World, group: SimGroup, erik: SimUser
) -> None:
    await group.send(erik, "/insats Kvarnparken: Nattvandring fredagar 22–02")
    await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    (item,) = interventions(world)
    assert item.what == "Nattvandring fredagar 22–02" and item.place_name == "Kvarnparken"
    assert item.latitude is not None
