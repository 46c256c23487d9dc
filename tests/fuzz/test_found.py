"""Bugs the fuzz tests found, each kept as a plain regression test."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import World
from tests.e2e.helpers import text, to_place
from tests.fuzz.harness import ErrorLog

JSON = dict[str, object]


def press_on(user: SimUser, message: JSON, data: str) -> int:
    """A press of `data` arriving with `message` as it is now (its buttons maybe gone)."""
    current = user.server.current_message(user.id, message["message_id"])  # type: ignore[arg-type]
    query = {
        "id": user.server.register_callback(user.id, user.user["id"]),
        "from": user.user,
        "chat_instance": f"ci{user.id}",
        "message": current,
        "data": data,
    }
    return user.inject_raw({"callback_query": query})


def callback_data(message: JSON, label: str) -> str:
    markup = message["reply_markup"]
    rows = markup["inline_keyboard"]  # type: ignore[index]
    return next(b["callback_data"] for row in rows for b in row if b["text"] == label)


async def test_a_place_confirmed_again_after_its_buttons_went(
    fuzz_world: tuple[World, ErrorLog],
) -> None:
    """The press came with the message as it is now, without buttons; removing them again
    was "message is not modified", which crashed the handler."""
    world, errors = fuzz_world
    anna = await world.member(first_name="Anna")
    await to_place(anna)
    settled = next(m for m in anna.messages if "Kategori:" in text(m))  # its buttons gone
    await anna.send_location(90.0, 15.1418)  # outside the municipality: asked first
    question = await anna.next_message()
    assert "Är platsen rätt" in text(question)
    press_on(anna, settled, callback_data(question, "✅ Ja, platsen är rätt"))
    await world.telegram.idle(anna.id)
    assert errors.records == [], errors.describe()
    assert "Beskriv kort" in text(anna.last_message or {})


async def test_a_language_tapped_twice(fuzz_world: tuple[World, ErrorLog]) -> None:
    """The second tap set the same text again: "message is not modified" crashed it."""
    world, errors = fuzz_world
    anna = await world.member(first_name="Anna")
    await anna.send("/sprak")
    choice = await anna.next_message()
    data = callback_data(choice, "🇬🇧 English")
    press_on(anna, choice, data)
    await anna.wait_for(lambda m: "English" in text(m) or "language" in text(m).lower())
    await world.telegram.idle(anna.id)
    press_on(anna, choice, data)
    await world.telegram.idle(anna.id)
    assert errors.records == [], errors.describe()
    assert world.telegram.unanswered_callback_queries() == []
