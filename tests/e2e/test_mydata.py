"""/minadata (/mydata): a registered person gets what is stored about them, as messages and
as a JSON file; strangers and revoked people are told whom to ask."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.people.revoke import revoke_user
from storage.reports.observations import submit_draft
from storage.tables import User
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import file_report, text
from tests.factories import make_complete_draft

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Europe/Stockholm")


async def sent_document(world: World, user: SimUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document the bot sends the person: its message and its JSON content."""
    message = await user.wait_for(lambda m: "document" in m)
    data = world.telegram.file_data(message["document"]["file_id"])
    return message, json.loads(data.decode("utf-8"))


async def test_a_reporter_gets_their_user_row_observations_comments_and_draft(
    world: World, anna: SimUser, erik: SimUser, group: SimGroup
) -> None:
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m))
    await group.send(erik, "Elektriker beställd", reply_to=card)
    await anna.wait_for(lambda m: "Elektriker beställd" in text(m))
    await anna.send_photo(jpeg(), caption="Nytt klotter vid 070-123 45 67 skylten")
    await anna.next_message()

    await anna.send("/minadata")
    summary = await anna.next_message()
    assert "Det här har estbot sparat om dig" in text(summary)
    for shown in ("Anna", "Kvarnby kommun", "rapportör", reference, "Klotter på väggen",
                  "Kommentarer du har skrivit (0)", "Din påbörjade rapport"):  # fmt: skip
        assert shown in text(summary), shown
    message, document = await sent_document(world, anna)
    assert message["document"]["file_name"].startswith("estbot-minadata-")
    assert message["document"]["file_name"].endswith(".json")
    assert "JSON" in text(message)

    user = document["user"]
    assert user["name"] == "Anna" and user["organisation"] == "Kvarnby kommun"
    assert user["role"] == "reporter" and user["telegram_id"] == anna.id
    assert user["username"] == anna.user["username"] and user["registered_at"]
    (observation,) = document["observations"]
    assert observation["reference"] == reference and observation["category"] == "Klotter"
    assert observation["description"] == "Klotter på väggen vid entrén"
    assert observation["status"] == "new" and observation["photos"] == 0
    assert document["comments"] == []  # Erik's comment is about her report, not by her
    assert document["draft"]["photos"] == 1 and "070-123 45 67" in document["draft"]["description"]

    await erik.send("/mydata")
    await erik.next_message()
    _, eriks = await sent_document(world, erik)
    assert eriks["user"]["role"] == "coordinator" and eriks["observations"] == []
    (comment,) = eriks["comments"]
    assert comment == {
        "reference": reference,
        "text": "Elektriker beställd",
        "written_at": comment["written_at"],
    }
    assert [g["title"] for g in eriks["groups_linked"]] == ["Trygghetssamordning Kvarnby"]


async def test_a_stranger_and_a_revoked_person_are_told_whom_to_ask(
    world: World, anna: SimUser
) -> None:
    await file_report(anna)
    with transaction(world.engine) as session:
        revoke_user(session=session, who=str(anna.id))
    stranger = world.telegram.user(7777, "Okänd")
    for person in (anna, stranger):
        await person.send("/minadata")
        reply = await person.next_message()
        assert "dataskyddsombud" in text(reply) and "Klotter" not in text(reply)
        assert not any("document" in m for m in person.messages)
    await stranger.send("hej")  # the usual answer to strangers is still given, once
    assert "inbjudningslänk" in text(await stranger.next_message())


async def test_many_observations_are_a_few_messages_and_all_in_the_file(
    world: World, anna: SimUser
) -> None:
    with transaction(world.engine) as session:
        user = session.exec(select(User).where(User.telegram_id == anna.id)).one()
        for number in range(23):
            state = make_complete_draft(session, user, description=f"Rapport nummer {number}")
            submit_draft(session=session, user_id=user.id, key=state.key, tz=TZ)  # type: ignore[arg-type]
    await anna.send("/minadata")
    _, document = await sent_document(world, anna)
    assert len(document["observations"]) == 23
    shown = "\n".join(text(m) for m in anna.messages if "document" not in m)
    assert "Dina observationer (23)" in shown and "… och 3 tidigare" in shown
    assert "Rapport nummer 22" in shown and "Rapport nummer 2\n" not in shown
    assert sum(1 for m in anna.messages if "document" not in m) <= 3
