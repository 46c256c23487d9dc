"""The same thing reported twice: asked before Skicka, and "+1" on the first card."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimGroup, SimUser
from tests.e2e.conftest import KVARNPARKEN, World
from tests.e2e.helpers import buttons, file_report, reference_in, text, to_place

NEARBY = (KVARNPARKEN[0] + 0.0004, KVARNPARKEN[1])  # about 45 m north
FAR = (KVARNPARKEN[0] + 0.0020, KVARNPARKEN[1])  # about 220 m north


async def to_skicka(
    user: SimUser, point: tuple[float, float], category: str = "🎨 Klotter"
) -> None:
    await to_place(user, category)
    await user.send_location(*point)
    await user.wait_for(lambda m: "Beskriv kort" in text(m))
    await user.send("Nytt klotter på samma vägg")
    await user.wait_for(lambda m: "När hände det" in text(m))
    await user.press("Nu")
    summary = await user.wait_for(lambda m: "✅ Skicka" in buttons(m))
    await user.press("✅ Skicka", summary)


def cards(group: SimGroup) -> list[dict[str, object]]:
    return [m for m in group.messages if "Bedömd" in buttons(m)]


async def test_yes_links_the_report_and_the_first_card_counts_it(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    first = await file_report(anna)
    await group.wait_for(lambda m: first in text(m) and bool(buttons(m)))
    olle = await world.member(first_name="Olle")
    await to_skicka(olle, NEARBY)
    question = await olle.next_message()
    assert f"Samma som {first} vid Kvarnparken, rapporterad för 1 min sedan?" in text(question)
    await olle.press("✅ Ja, samma sak", question)
    thanks = await olle.next_message()
    assert f"kopplad till {first}" in text(thanks) and "2 gånger" in text(thanks)
    await group.wait_for(lambda m: first in text(m) and "+1" in text(m))
    await world.telegram.idle(quiet=0.3)
    assert len(cards(group)) == 1
    original, confirmation = world.observations()
    assert confirmation.duplicate_of_id == original.id


async def test_no_files_a_new_observation_with_its_own_card(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    first = await file_report(anna)
    await to_skicka(anna, NEARBY)
    await anna.press("🆕 Nej, en ny observation", await anna.next_message())
    assert "Tack! Observation" in text(await anna.next_message())
    await world.telegram.wait_until(lambda: len(cards(group)) == 2, 5)
    assert all(o.duplicate_of_id is None for o in world.observations())
    assert first in text(cards(group)[0])


async def test_no_question_for_another_category_a_far_place_or_a_closed_one(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    first = await file_report(anna)
    await to_skicka(anna, NEARBY, "🔨 Skadegörelse")
    assert "Tack!" in text(await anna.next_message())
    await to_skicka(anna, FAR)
    assert "Tack!" in text(await anna.next_message())
    card = await group.wait_for(lambda m: first in text(m) and bool(buttons(m)))
    await group.press(erik, "Avslutad", card)
    await group.wait_for(lambda m: first in text(m) and "🔒 Avslutad" in text(m))
    await to_skicka(anna, KVARNPARKEN)
    assert "Tack!" in text(await anna.next_message())


async def test_a_group_that_does_not_see_the_original_gets_the_confirmation_itself(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    housing = await world.linked_group(erik, -1001000000070, "Kvarnbyhem")
    omar = await world.member(org="Kvarnbyhem", first_name="Omar")
    await housing.send(erik, "/installningar")
    settings = await housing.next_message()
    await housing.press(erik, "🏢 Organisationer", settings)
    await housing.wait_for(lambda m: "▫️ Kvarnbyhem" in buttons(m))
    await housing.press(erik, "▫️ Kvarnbyhem", settings)
    await housing.wait_for(lambda m: "✅ Kvarnbyhem" in buttons(m))
    first = await file_report(anna)  # the municipality's: not for the housing group
    await group.wait_for(lambda m: first in text(m) and bool(buttons(m)))
    await to_skicka(omar, NEARBY)
    await omar.press("✅ Ja, samma sak", await omar.next_message())
    confirmation = reference_in(await omar.next_message())
    await housing.wait_for(lambda m: confirmation in text(m) and bool(buttons(m)))
    await group.wait_for(lambda m: first in text(m) and "+1" in text(m))
    assert sum(bool(buttons(m)) for m in group.messages) == 1
