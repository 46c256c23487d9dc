"""The main path: /rapport, category, shared position, description, Nu, Skicka."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import KVARNPARKEN, World


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_report_with_shared_position_in_six_actions(world: World, anna: SimUser) -> None:
    await anna.send("/rapport")  # 1
    categories = await anna.next_message()
    assert "112" in categories["text"] and "114 14" in categories["text"]
    labels = buttons(categories)
    assert len(labels) == 13 and "🎨 Klotter" in labels
    assert all(len(row) <= 2 for row in categories["reply_markup"]["inline_keyboard"])

    await anna.press("🎨 Klotter")  # 2
    ask_place = await anna.next_message()
    keyboard = anna.reply_keyboard
    assert keyboard is not None and keyboard["keyboard"][0][0].get("request_location") is True
    assert "Var?" in ask_place["text"]

    await anna.send_location(*KVARNPARKEN)  # 3
    ask_description = await anna.next_message()
    assert "vid Kvarnparken" in ask_description["text"] and "Beskriv" in ask_description["text"]

    await anna.send("Nytt klotter på lekstugan, svarta taggar")  # 4
    ask_when = await anna.next_message()
    assert buttons(ask_when)[:2] == ["Nu", "För en stund sedan"]

    await anna.press("Nu")  # 5
    summary = await anna.next_message()
    assert "Klotter" in summary["text"] and "vid Kvarnparken" in summary["text"]
    assert "lekstugan" in summary["text"]

    await anna.press("✅ Skicka", summary)  # 6
    thanks = await anna.next_message()
    assert thanks["text"].startswith("✅ Tack! Observation EST-")
    stored = world.observations()
    assert len(stored) == 1 and stored[0].reference in thanks["text"]
    assert stored[0].place_name == "Kvarnparken" and stored[0].latitude == KVARNPARKEN[0]
    assert stored[0].description == "Nytt klotter på lekstugan, svarta taggar"
    edited = anna.server.current_message(anna.id, summary["message_id"])
    assert edited is not None and not buttons(edited), "the summary keeps no buttons to press twice"
    assert stored[0].reference in edited["text"]
