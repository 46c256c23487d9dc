"""Changing each field from the summary and coming back to it."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import buttons, text, to_summary


async def edit(user: SimUser, field: str) -> dict:
    summary = await user.wait_for(lambda m: "✏️ Ändra" in buttons(m))
    await user.press("✏️ Ändra", summary)
    menu = await user.wait_for(lambda m: field in buttons(m))
    await user.press(field, menu)
    return await user.next_message()


async def test_change_every_field_then_send(world: World, anna: SimUser) -> None:
    await to_summary(anna)

    ask = await edit(anna, "Beskrivning")
    assert "Beskriv" in text(ask)
    await anna.send("Ny text: sprayat på skolans vägg")
    summary = await anna.next_message()
    assert "Ny text" in text(summary) and "✅ Skicka" in buttons(summary)

    await edit(anna, "Kategori")
    await anna.press("🔨 Skadegörelse")
    summary = await anna.wait_for(
        lambda m: "Sammanfattning" in text(m) and "Skadegörelse" in text(m) and bool(buttons(m))
    )

    await edit(anna, "Tid")
    await anna.send("igår 21:45")
    summary = await anna.next_message()
    assert "igår 21:45" in text(summary)

    await edit(anna, "Plats")
    await anna.send("Vattentornet")
    summary = await anna.wait_for(
        lambda m: "vid Vattentornet" in text(m) and "✅ Skicka" in buttons(m)
    )

    await anna.press("✅ Skicka", summary)
    assert "Tack!" in text(await anna.next_message())
    (stored,) = world.observations()
    assert stored.description == "Ny text: sprayat på skolans vägg"
    assert stored.place_name == "Vattentornet"
    assert stored.occurred_at.astimezone(world.settings().tz).strftime("%H:%M") == "21:45"


async def test_back_from_the_edit_menu_and_removing_photos(world: World, anna: SimUser) -> None:
    await to_summary(anna)
    await anna.send_photo(jpeg())
    summary = await anna.next_message()
    await anna.press("✏️ Ändra", summary)
    menu = await anna.wait_for(lambda m: "↩️ Tillbaka" in buttons(m))
    assert "Ta bort foton" in buttons(menu)
    await anna.press("↩️ Tillbaka", menu)
    await anna.wait_for(lambda m: "✅ Skicka" in buttons(m))
    await anna.press("✏️ Ändra")
    await anna.wait_for(lambda m: "Ta bort foton" in buttons(m))
    await anna.press("Ta bort foton")
    summary = await anna.wait_for(lambda m: "inga foton" in text(m) and "✅ Skicka" in buttons(m))
    await anna.press("✅ Skicka", summary)
    assert "Tack!" in text(await anna.next_message())
