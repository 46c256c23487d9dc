"""Linking a coordinators' group: who may, topics, unlinking, removal, migration, filters."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.kinds import Role
from storage.visibility import find_group
from tests.e2e.conftest import World
from tests.e2e.helpers import buttons, file_report, text


def linked(world: World, chat_id: int) -> bool:
    with transaction(world.engine) as session:
        return find_group(session=session, chat_id=chat_id) is not None


def is_card(message: dict[str, object], reference: str) -> bool:
    return reference in text(message) and "Bedömd" in buttons(message)


async def test_a_coordinator_links_a_group_and_is_told_what_comes(
    world: World, erik: SimUser
) -> None:
    group = world.telegram.group(-1001000000001, "Samordning")
    group.bot_added(erik)
    hello = await group.next_message()
    assert "/koppla" in text(hello)
    await group.send(erik, "/koppla")
    confirmation = await group.next_message()
    assert "Gruppen är kopplad" in text(confirmation) and "alla observationer" in text(confirmation)
    assert linked(world, group.id)


async def test_reporters_and_strangers_cannot_link(world: World, anna: SimUser) -> None:
    group = world.telegram.group(-1001000000002, "Fel grupp")
    await group.send(anna, "/koppla")
    assert "Bara registrerade samordnare" in text(await group.next_message())
    stranger = world.telegram.user(9999, "Okänd")
    await group.send(stranger, "/koppla@estbot_test_bot")
    assert "Bara registrerade samordnare" in text(await group.next_message())
    assert not linked(world, group.id)


async def test_a_forum_group_gets_its_cards_in_the_topic_it_was_linked_in(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    forum = world.telegram.group(-1001000000003, "Kvarnby", is_forum=True)
    await forum.send(erik, "/koppla", thread_id=77)
    confirmation = await forum.next_message()
    assert confirmation.get("message_thread_id") == 77
    reference = await file_report(anna)
    card = await forum.wait_for(lambda m: is_card(m, reference))
    assert card.get("message_thread_id") == 77


async def test_unlink_by_command_and_by_removing_the_bot(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    first = await world.linked_group(erik, -1001000000004)
    second = await world.linked_group(erik, -1001000000005)
    await first.send(anna, "/koppla_bort")
    assert "Bara registrerade samordnare" in text(await first.next_message())
    await first.send(erik, "/koppla_bort")
    assert "bortkopplad" in text(await first.next_message())
    second.bot_removed(erik, status="kicked")
    await world.telegram.idle()
    assert not linked(world, first.id) and not linked(world, second.id)
    await file_report(anna)
    await world.telegram.idle(quiet=0.5)
    assert world.telegram.sent_count(first.id) == 3  # linked, refused, unlinked: no card
    assert world.telegram.sent_count(second.id) == 1


async def test_a_group_that_becomes_a_supergroup_keeps_its_link(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    basic = await world.linked_group(erik, -4000001, type="group")
    first = await file_report(anna)
    await basic.wait_for(lambda m: is_card(m, first))
    await basic.send(erik, f"/insats {first} Städa väggen")
    await basic.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    supergroup = basic.migrate(-1004000001, by=erik)
    await world.telegram.idle()
    assert linked(world, supergroup.id) and not linked(world, basic.id)
    second = await file_report(anna)
    await supergroup.wait_for(lambda m: is_card(m, second))
    await supergroup.send(erik, "/insatser")  # its interventions came along
    await supergroup.wait_for(lambda m: "Städa väggen" in text(m))


async def test_each_group_gets_what_its_filter_lets_in(world: World, erik: SimUser) -> None:
    municipality = await world.linked_group(erik, -1001000000006, "Kommunen")
    housing = await world.linked_group(erik, -1001000000007, "Kvarnbyhem")
    caretaker = await world.member(org="Kvarnbyhem", first_name="Omar")
    teacher = await world.member(org="Kvarnby skola", first_name="Lisa")
    await housing.send(erik, "/installningar")
    settings = await housing.next_message()
    assert "alla observationer" in text(settings)
    await housing.press(erik, "🏢 Organisationer", settings)
    await housing.wait_for(lambda m: "▫️ Kvarnbyhem" in buttons(m))
    await housing.press(erik, "▫️ Kvarnbyhem", settings)
    await housing.wait_for(lambda m: "✅ Kvarnbyhem" in buttons(m))
    from_housing = await file_report(caretaker)
    from_school = await file_report(teacher)
    await municipality.wait_for(lambda m: is_card(m, from_school))
    await municipality.wait_for(lambda m: is_card(m, from_housing))
    await housing.wait_for(lambda m: is_card(m, from_housing))
    await world.telegram.idle(quiet=0.3)
    assert not any(from_school in text(m) for m in housing.messages)


async def test_urgent_only_and_only_coordinators_change_the_filter(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    police = await world.linked_group(erik, -1001000000008, "Polisen")
    await police.send(erik, "/installningar")
    settings = await police.next_message()
    await police.press(anna, "🔁 alla observationer", settings)
    assert await world.telegram.wait_until(
        lambda: any("Bara samordnare" in alert for alert in anna.alerts), 10
    )
    await police.press(erik, "🔁 alla observationer", settings)
    await police.wait_for(lambda m: "bara brådskande" in text(m))
    graffiti = await file_report(anna)  # graffiti is not urgent
    await world.telegram.idle(quiet=0.5)
    assert not any(graffiti in text(m) for m in police.messages)


async def test_the_group_menu_is_published(world: World) -> None:
    scopes = {
        call.params["scope"]["type"]
        for call in world.telegram.calls_for("setMyCommands")
        if "koppla" in str(call.params["commands"])
    }
    assert scopes == {"all_group_chats"}


async def test_an_admin_may_link_too(world: World) -> None:
    admin = await world.member(Role.ADMIN, first_name="Ada")
    await world.linked_group(admin, -1001000000009)


async def test_a_group_may_choose_its_categories(
    world: World, erik: SimUser, anna: SimUser
) -> None:
    cleaning = await world.linked_group(erik, -1001000000010, "Städ och klotter")
    await cleaning.send(erik, "/installningar")
    settings = await cleaning.next_message()
    await cleaning.press(erik, "🏷 Kategorier", settings)
    await cleaning.wait_for(lambda m: "▫️ 🎨 Klotter" in buttons(m))
    await cleaning.press(erik, "▫️ 🎨 Klotter", settings)
    chosen = await cleaning.wait_for(lambda m: "✅ 🎨 Klotter" in buttons(m))
    assert "kategorier: 🎨 Klotter" in text(chosen)
    graffiti = await file_report(anna)  # graffiti: in
    await cleaning.wait_for(lambda m: is_card(m, graffiti))
    await cleaning.press(erik, "✅ 🎨 Klotter", settings)
    await cleaning.press(erik, "▫️ 🔨 Skadegörelse", settings)
    await cleaning.wait_for(lambda m: "✅ 🔨 Skadegörelse" in buttons(m))
    other = await file_report(anna)  # graffiti again: now out
    await world.telegram.idle(quiet=0.5)
    assert not any(other in text(m) for m in cleaning.messages)
