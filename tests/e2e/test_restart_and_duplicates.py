"""Drafts survive a restart at every step; a redelivered update is handled once."""

from __future__ import annotations

import pytest

from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import KVARNPARKEN, World
from tests.e2e.helpers import forge_press, text, to_description, to_place, to_summary, to_when


async def _category(user: SimUser) -> dict:
    await user.send("/rapport")
    return await user.next_message()


async def test_restart_at_the_category_step(world: World, anna: SimUser) -> None:
    categories = await _category(anna)
    await world.restart()
    await anna.press("🎨 Klotter", categories)  # the old message's button still works
    assert "Var?" in text(await anna.next_message())


async def test_restart_at_the_place_step(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await world.restart()
    await anna.send_location(*KVARNPARKEN)
    assert "Beskriv" in text(await anna.next_message())


async def test_restart_at_the_description_step(world: World, anna: SimUser) -> None:
    await to_description(anna)
    await world.restart()
    await anna.send("Klotter på väggen")
    assert "När hände det" in text(await anna.next_message())


async def test_restart_at_the_when_step_then_send(world: World, anna: SimUser) -> None:
    await to_when(anna, "Beskrivning före omstarten")
    await world.restart()
    await anna.press("Nu")
    summary = await anna.next_message()
    assert "Beskrivning före omstarten" in text(summary) and "vid Kvarnparken" in text(summary)
    await world.restart()
    await anna.press("✅ Skicka", summary)
    assert "Tack!" in text(await anna.next_message())
    (stored,) = world.observations()
    assert stored.description == "Beskrivning före omstarten"


@pytest.mark.parametrize("action", ["send", "text"])
async def test_a_redelivered_update_is_handled_once(
    world: World, anna: SimUser, action: str
) -> None:
    summary = await to_summary(anna)
    if action == "send":
        await anna.press("✅ Skicka", summary)
    else:
        await anna.send("/mina")
    first_update = anna.last_update_id
    await anna.next_message()
    await world.telegram.idle(anna.id)
    count = len(anna.messages)
    world.telegram.redeliver(first_update)
    await world.telegram.idle(anna.id)
    await world.restart()  # and again to a fresh process that never saw it in memory
    world.telegram.redeliver(first_update)
    await world.telegram.idle(anna.id)
    assert len(anna.messages) == count
    assert len(world.observations()) == (1 if action == "send" else 0)


async def test_double_tap_on_send_files_one_observation(world: World, anna: SimUser) -> None:
    summary = await to_summary(anna)
    await anna.press("✅ Skicka", summary)
    # the second tap was made before the buttons disappeared, so it carries the same data
    data = next(
        b["callback_data"]
        for row in summary["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "✅ Skicka"
    )
    forge_press(anna, data)
    # the alert answers the second tap; on a loaded machine later than a quiet moment
    assert await world.telegram.wait_until(
        lambda: any("redan registrerad" in alert for alert in anna.alerts), 10
    )
    await world.telegram.idle(anna.id)
    assert len(world.observations()) == 1
    assert len([m for m in anna.messages if "Tack!" in text(m)]) == 1


async def test_restart_while_choosing_among_places(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send("park")
    choices = await anna.next_message()
    await world.restart()
    await anna.press(next(b for b in _labels(choices) if "Hagaparken" in b), choices)
    assert "vid Hagaparken" in text(await anna.next_message())


async def test_restart_while_confirming_a_far_point(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send_location(57.7089, 11.9746)
    question = await anna.next_message()
    await world.restart()
    await anna.press("✅ Ja, platsen är rätt", question)
    assert "Beskriv" in text(await anna.next_message())


async def test_restart_in_the_edit_menu_and_time_windows_with_photos(
    world: World, anna: SimUser
) -> None:
    from tests.e2e.conftest import jpeg

    await to_summary(anna)
    await anna.send_photo(jpeg(colour="green"))
    summary = await anna.next_message()
    await anna.press("✏️ Ändra", summary)
    await anna.wait_for(lambda m: "Tid" in _labels(m))
    await world.restart()
    await anna.press("Tid")
    await anna.next_message()
    await anna.press("Igår")
    windows = await anna.wait_for(lambda m: "Natt 00–06" in _labels(m))
    await world.restart()
    await anna.press("Natt 00–06", windows)
    summary = await anna.next_message()
    assert "igår 03:00" in text(summary) and "1 foto" in text(summary)
    await anna.press("✅ Skicka", summary)
    assert "Tack!" in text(await anna.next_message())


def _labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
