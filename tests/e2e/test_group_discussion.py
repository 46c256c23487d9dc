"""Discussion in the group: replies become comments, /visa shows the whole story."""

from __future__ import annotations

from sqlmodel import select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.tables import Comment, Photo
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import buttons, file_report, text


def comments(world: World) -> list[Comment]:
    with transaction(world.engine) as session:
        return list(session.exec(select(Comment).order_by(Comment.id)).all())


async def card(group: SimGroup, reference: str) -> dict[str, object]:
    return await group.wait_for(lambda m: reference in text(m) and "Bedömd" in buttons(m))


async def test_a_reply_to_a_card_is_a_comment_shown_by_visa_and_told_to_the_reporter(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    posted = await card(group, reference)
    reply = await group.send(
        erik, "Fastighetsägaren är kontaktad, sanering på fredag", reply_to=posted
    )
    await anna.wait_for(lambda m: "kommenterade" in text(m) and "sanering på fredag" in text(m))
    assert world.telegram.reactions(group.id, reply["message_id"]) == ["👍"]
    (comment,) = comments(world)
    assert comment.text.startswith("Fastighetsägaren") and comment.chat_id == group.id

    await group.send(erik, f"/visa {reference}")
    history = await group.wait_for(lambda m: "Historik" in text(m))
    assert "Erik Ek: Fastighetsägaren är kontaktad" in text(history)
    shown_card = await group.wait_for(
        lambda m: reference in text(m) and bool(buttons(m)) and m is not posted
    )
    assert "Kvarnparken" in text(shown_card)


async def test_a_reply_to_the_map_pin_or_with_a_photo_counts_too(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    await card(group, reference)
    pin = await group.wait_for(lambda m: "venue" in m)
    await group.send_photo(erik, jpeg(colour="green"), caption="Så här ser det ut nu", reply_to=pin)
    await world.telegram.wait_until(lambda: len(comments(world)) == 1, 5)
    (comment,) = comments(world)
    with transaction(world.engine) as session:
        (photo,) = session.exec(select(Photo).where(Photo.comment_id == comment.id)).all()
    assert comment.text == "Så här ser det ut nu" and photo.path.endswith(".jpg")


async def test_the_reporter_is_not_told_of_their_own_comment_and_strangers_keep_out(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    posted = await card(group, reference)
    stranger = world.telegram.user(7777, "Okänd")
    await group.send(stranger, "Vem bryr sig", reply_to=posted)
    await group.wait_for(lambda m: "sparades inte" in text(m))
    await group.send(stranger, f"/visa {reference}")
    await world.telegram.idle(quiet=0.3)
    assert comments(world) == []
    assert not any("Historik" in text(m) for m in group.messages)

    await group.send(anna, "Det var jag som såg det", reply_to=posted)
    await world.telegram.wait_until(lambda: len(comments(world)) == 1, 5)
    await world.telegram.idle(quiet=0.3)
    assert not any("kommenterade" in text(m) for m in anna.messages)


async def test_visa_in_private_for_the_reporter_and_coordinators_only(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    await card(group, reference)
    await anna.send(f"/visa {reference.lower()}")
    mine = await anna.wait_for(lambda m: "Historik" in text(m))
    assert "rapporterad" in text(mine)
    await erik.send(f"/visa {reference.removeprefix('EST-')}")
    await erik.wait_for(lambda m: "Historik" in text(m))
    other = await world.member(first_name="Olle")
    await other.send(f"/visa {reference}")
    assert "Du kan inte se" in text(await other.next_message())
    await other.send("/visa EST-2026-9999")
    assert "hittar ingen" in text(await other.next_message()).lower()
    await other.send("/visa")
    assert "/visa EST-2026-0042" in text(await other.next_message())


async def test_visa_in_a_group_only_shows_what_its_filter_lets_in(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    housing = await world.linked_group(erik, -1001000000020, "Kvarnbyhem")
    await world.member(org="Kvarnbyhem", first_name="Omar")
    await housing.send(erik, "/installningar")
    settings = await housing.next_message()
    await housing.press(erik, "🏢 Organisationer", settings)
    await housing.wait_for(lambda m: "▫️ Kvarnbyhem" in buttons(m))
    # another organisation than Anna's keeps her report out of this group
    await housing.press(erik, "▫️ Kvarnbyhem", settings)
    await housing.wait_for(lambda m: "✅ Kvarnbyhem" in buttons(m))
    await housing.send(erik, f"/visa {reference}")
    assert "Du kan inte se" in text(await housing.next_message())


async def test_a_summary_line_command_can_be_tapped(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    await card(group, reference)
    tapped = "/visa_" + reference.removeprefix("EST-").replace("-", "_")
    await group.send(erik, tapped)
    await group.wait_for(lambda m: "Historik" in text(m))


async def test_a_reporter_who_turned_comment_notices_off_is_not_told(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    await anna.send("/installningar")
    settings = await anna.next_message()
    await anna.press("✅ När en samordnare kommenterar", settings)
    await anna.wait_for(lambda m: "▫️ När en samordnare kommenterar" in buttons(m))
    reference = await file_report(anna)
    posted = await card(group, reference)
    await group.send(erik, "Vi tittar på det", reply_to=posted)
    await world.telegram.wait_until(lambda: len(comments(world)) == 1, 5)
    await world.telegram.idle(quiet=0.5)
    assert not any("kommenterade" in text(m) for m in anna.messages)
