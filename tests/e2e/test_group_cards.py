"""The card in the coordinators' group: what it shows, photos, long texts, status buttons."""

from __future__ import annotations

import time

from sqlmodel import select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import Role, Status
from storage.people.access import set_hide_names
from storage.tables import StatusChange
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import (
    buttons,
    file_report,
    reference_in,
    send_report,
    text,
    to_description,
)


async def finish_photo_report(
    user: SimUser, point: tuple[float, float] = (59.1262, 15.1418), description: str = ""
) -> str:
    """After the photos: category, place, (description), now, send; returns the reference."""
    await user.wait_for(lambda m: "Välj kategori" in text(m))
    await user.press("🔨 Skadegörelse")
    await user.next_message()
    await user.send_location(*point)
    if description:
        await user.wait_for(lambda m: "Beskriv kort" in text(m))
        await user.send(description)
    await user.wait_for(lambda m: "När hände det" in text(m))
    await user.press("Nu")
    summary = await user.wait_for(lambda m: "✅ Skicka" in buttons(m))
    return reference_in(await send_report(user, summary))


def card_of(group: SimGroup, reference: str) -> dict[str, object]:
    return next(m for m in group.messages if reference in text(m) and buttons(m))


async def test_the_card_is_in_the_group_within_two_seconds_with_every_detail(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    started = time.monotonic()
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and "Bedömd" in buttons(m))
    assert time.monotonic() - started < 2.0
    body = text(card)
    for expected in ("🎨 Klotter", "Kvarnparken", "Kvarnby kommun · Anna", "Klotter på väggen"):
        assert expected in body, body
    assert "Status: 🆕 Ny" in body
    assert buttons(card) == ["Bedömd", "Åtgärd pågår", "Åtgärdad", "Avslutad", "🧭 Insats"]
    pin = await group.wait_for(lambda m: "venue" in m)
    assert pin["venue"]["title"].startswith(reference)
    assert pin["reply_to_message"]["message_id"] == card["message_id"]


async def test_a_description_is_escaped_on_the_card(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    await to_description(anna)
    await anna.send("<b>inte fet</b> & <script>")
    await anna.next_message()
    await anna.press("Nu")
    reference = reference_in(await send_report(anna, await anna.next_message()))
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    assert "<b>inte fet</b> & <script>" in text(card)


async def test_one_photo_carries_the_card_as_its_caption(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    await anna.send_photo(jpeg(), caption="Krossad ruta i trapphuset")
    reference = await finish_photo_report(anna)
    card = await group.wait_for(lambda m: "photo" in m and bool(buttons(m)))
    assert reference in card["caption"] and "Krossad ruta" in card["caption"]


async def test_an_album_follows_the_card_and_a_long_caption_continues_below(
    world: World, group: SimGroup, anna: SimUser
) -> None:
    long = "Mycket glas och skräp vid entrén. " * 50  # about 1700 characters
    await anna.send_photo(jpeg(colour="blue"), caption=long.strip())
    await finish_photo_report(anna)
    card = await group.wait_for(lambda m: "photo" in m and bool(buttons(m)))
    assert card["caption"].endswith("Status: 🆕 Ny") and "…" in card["caption"]
    more = await group.wait_for(lambda m: m.get("reply_to_message", {}).get("message_id")
                                == card["message_id"] and "text" in m)  # fmt: skip
    assert long.strip() in text(more)

    for colour in ("red", "green", "yellow"):
        await anna.send_photo(jpeg(colour=colour), media_group_id="album-1")
    await finish_photo_report(anna, (59.1300, 15.1500), "Tre foton av samma sak")
    album = await group.wait_for(lambda m: m.get("media_group_id") is not None)
    text_card = next(m for m in group.messages if "Tre foton" in text(m))
    assert album["reply_to_message"]["message_id"] == text_card["message_id"]
    assert sum(1 for m in group.messages if m.get("media_group_id")) == 3


async def test_only_coordinators_set_a_status_and_the_card_shows_who_and_when(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    await group.press(anna, "Åtgärdad", card)
    assert await world.telegram.wait_until(
        lambda: any("Bara samordnare" in alert for alert in anna.alerts), 10
    )
    stranger = world.telegram.user(8888, "Okänd")
    await group.press(stranger, "Åtgärdad", card)
    assert await world.telegram.wait_until(
        lambda: any("Bara samordnare" in alert for alert in stranger.alerts), 10
    )
    await world.telegram.idle()
    assert "🆕 Ny" in text(card_of(group, reference))

    await group.press(erik, "Åtgärdad", card)
    edited = await group.wait_for(lambda m: reference in text(m) and "✅ Åtgärdad" in text(m))
    assert "Erik Ek" in text(edited) and "✓ Åtgärdad" in buttons(edited)
    notice = await anna.wait_for(lambda m: "är nu åtgärdad" in text(m))
    assert reference in text(notice)
    (observation,) = world.observations()
    assert observation.status is Status.RESOLVED and not observation.status.is_open
    with transaction(world.engine) as session:
        (change,) = session.exec(select(StatusChange)).all()
    assert change.status is Status.RESOLVED


async def test_a_reporter_who_turned_notices_off_is_not_told(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    await anna.send("/installningar")
    settings = await anna.next_message()
    await anna.press("✅ När statusen ändras", settings)
    await anna.wait_for(lambda m: "▫️ När statusen ändras" in buttons(m))
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    await group.press(erik, "Bedömd", card)
    await group.wait_for(lambda m: reference in text(m) and "👁 Bedömd" in text(m))
    await world.telegram.idle(quiet=0.5)
    assert not any("är nu" in text(m) for m in anna.messages)


async def test_an_organisation_can_hide_who_reported(
    world: World, group: SimGroup, erik: SimUser
) -> None:
    guard = await world.member(Role.REPORTER, org="Väktarna AB", first_name="Vera")
    with transaction(world.engine) as session:  # what `estbot org NAME --hide-names` does
        assert set_hide_names(session=session, organisation_name="Väktarna AB", hide=True)
    reference = await file_report(guard)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    assert "Väktarna AB" in text(card) and "Vera" not in text(card)
