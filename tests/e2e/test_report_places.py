"""Every way of giving the place: pin, venue, typed name, address, nothing found, last place."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from storage.kinds import PlaceSource
from tests.e2e.conftest import KVARNPARKEN, World
from tests.e2e.helpers import buttons, file_report, send_report, text, to_place


async def finish(user: SimUser) -> None:
    """From the description step to a filed report."""
    await user.send("Trasig belysning och glas på marken")
    await user.next_message()
    await user.press("Nu")
    await send_report(user, await user.next_message())


async def test_map_pin(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send_location(59.1272, 15.1431)  # a dragged pin: no accuracy given
    assert "vid Kvarnby torg" in text(await anna.next_message())
    await finish(anna)
    (stored,) = world.observations()
    assert stored.place_source is PlaceSource.PIN and stored.place_name == "Kvarnby torg"


async def test_venue(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send_venue(59.1308, 15.1379, title="Kvarnby station", address="Stationsgatan 1")
    assert "Kvarnby station" in text(await anna.next_message())
    await finish(anna)
    (stored,) = world.observations()
    assert stored.place_source is PlaceSource.VENUE and "Stationsgatan 1" in stored.place_text


async def test_typed_gazetteer_name_needs_no_geocoder(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send("kvarnparken")
    assert "vid Kvarnparken" in text(await anna.next_message())
    assert world.geocoder.requests == []
    await finish(anna)
    (stored,) = world.observations()
    assert stored.place_source is PlaceSource.GAZETTEER
    assert (stored.latitude, stored.longitude) == KVARNPARKEN


async def test_several_matches_offer_buttons_to_pick_from(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send("park")
    choices = await anna.next_message()
    offered = buttons(choices)
    assert 2 <= len(offered) - 1 <= 5 and any("Hagaparken" in label for label in offered)
    await anna.press(next(label for label in offered if "Hagaparken" in label))
    assert "vid Hagaparken" in text(await anna.next_message())
    await finish(anna)
    assert world.observations()[0].place_name == "Hagaparken"


async def test_address_is_geocoded_once_and_then_cached(world: World, anna: SimUser) -> None:
    world.geocoder.add(
        "Storgatan 14", 59.1270, 15.1440, display_name="Storgatan 14, Kvarnby, Örebro län, Sverige"
    )
    await to_place(anna)
    await anna.send("Storgatan 14")
    placed = text(await anna.next_message())
    assert "Storgatan 14, Kvarnby" in placed and "Kvarnby torg" in placed
    await finish(anna)
    assert len(world.geocoder.requests) == 1
    request = world.geocoder.requests[0]
    assert request.get("countrycodes") == "se" and "viewbox" in request

    await to_place(anna)
    await anna.send("storgatan  14")
    assert "Storgatan 14" in text(await anna.next_message())
    assert len(world.geocoder.requests) == 1, "the second lookup came from the cache"
    first = world.observations()[0]
    assert first.place_source is PlaceSource.GEOCODER and first.latitude == 59.1270


async def test_nothing_found_keeps_the_text_without_coordinates(
    world: World, anna: SimUser
) -> None:
    await to_place(anna)
    await anna.send("Bakom gamla mejeriet")
    reply = text(await anna.next_message())
    assert "hittade inte" in reply and "Bakom gamla mejeriet" in reply
    await finish(anna)
    (stored,) = world.observations()
    assert stored.place_source is PlaceSource.TEXT and stored.latitude is None
    assert stored.place_text == "Bakom gamla mejeriet"


async def test_geocoder_outage_keeps_the_text(world: World, anna: SimUser) -> None:
    world.geocoder.fail_next(status=503, times=5)
    await to_place(anna)
    await anna.send("Okändgatan 3")
    assert "hittade inte" in text(await anna.next_message())
    await finish(anna)
    assert world.observations()[0].place_text == "Okändgatan 3"


async def test_point_outside_the_municipality_is_questioned(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send_location(57.7089, 11.9746)  # Gothenburg
    question = await anna.next_message()
    assert "Är platsen rätt?" in text(question)
    await anna.press("↩️ Nej, ange en annan")
    assert "Var?" in text(await anna.next_message())
    await anna.send_location(57.7089, 11.9746)
    await anna.next_message()
    await anna.press("✅ Ja, platsen är rätt")
    assert "Beskriv" in text(await anna.next_message())
    await finish(anna)
    assert world.observations()[0].latitude == 57.7089


async def test_same_place_as_last_time(world: World, anna: SimUser) -> None:
    await to_place(anna)
    await anna.send_location(*KVARNPARKEN)
    await anna.next_message()
    await finish(anna)
    await to_place(anna)
    keyboard = anna.reply_keyboard
    assert keyboard is not None
    labels = [button["text"] for row in keyboard["keyboard"] for button in row]
    assert "🔁 Samma plats som förra gången" in labels
    await anna.send("🔁 Samma plats som förra gången")
    assert "vid Kvarnparken" in text(await anna.next_message())
    await finish(anna)
    first, second = world.observations()
    assert (second.latitude, second.place_name) == (first.latitude, "Kvarnparken")
    assert second.place_source is PlaceSource.LAST


async def test_first_report_offers_no_same_place_button(world: World, anna: SimUser) -> None:
    await to_place(anna)
    labels = [b["text"] for row in anna.reply_keyboard["keyboard"] for b in row]  # type: ignore[index]
    assert labels == ["📍 Dela min position"]
    await anna.send("🔁 Samma plats som förra gången")
    assert "ingen tidigare plats" in text(await anna.next_message())


async def test_reports_count_for_file_report_helper(world: World, anna: SimUser) -> None:
    reference = await file_report(anna)
    assert reference.startswith("EST-") and world.observations()[0].reference == reference
