"""Forged or misplaced buttons in groups change nothing and show nothing."""

from __future__ import annotations

from bot.trial.fake_telegram.bot_api import public
from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.kinds import InterventionStatus, Status
from tests.e2e.conftest import World
from tests.e2e.helpers import buttons, file_report, text
from tests.e2e.test_interventions import interventions


def forge_in_group(group: SimGroup, user: SimUser, data: str) -> int:
    """A press on the group's latest bot message with callback data the bot never sent."""
    query = {
        "id": group.server.register_callback(group.id, user.user["id"]),
        "from": user.user,
        "chat_instance": f"ci{group.id}",
        "message": public(group.last_message or {}),
        "data": data,
    }
    return group.server.inject({"callback_query": query})


async def test_forged_status_buttons_change_nothing(
    world: World, group: SimGroup, anna: SimUser, erik: SimUser
) -> None:
    reference = await file_report(anna)
    await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    (observation,) = world.observations()
    other = world.telegram.group(-1001000000060, "Olänkad")
    await other.send(erik, "/installningar")
    await other.next_message()
    for target, data in (
        (group, "o:999999:status:closed"),
        (group, f"o:{observation.id}:status:nonsense"),
        (group, "o:x:status:closed"),
        (other, f"o:{observation.id}:status:closed"),  # a group that is not linked
        (other, "g:urgent:"),
        (group, "garbage"),
    ):
        forge_in_group(target, erik, data)
    await world.telegram.idle()
    assert world.observations()[0].status is Status.NEW
    assert world.telegram.unanswered_callback_queries() == []


async def test_an_intervention_is_changed_only_from_its_own_group(
    world: World, group: SimGroup, erik: SimUser
) -> None:
    await group.send(erik, "/insats Städning av tunneln")
    owner = await group.wait_for(lambda m: "Vem är ansvarig?" in text(m))
    await group.press(erik, "Hoppa över", owner)
    await group.wait_for(lambda m: "följas upp" in text(m))
    other = await world.linked_group(erik, -1001000000061, "Annan grupp")
    (item,) = interventions(world)
    forge_in_group(other, erik, f"i:{item.id}:status:{InterventionStatus.DONE.value}")
    forge_in_group(other, erik, "i:424242:status:done")
    await world.telegram.idle()
    assert interventions(world)[0].status is InterventionStatus.PLANNED
    assert world.telegram.unanswered_callback_queries() == []
