"""Small steps that end-to-end tests share."""

from __future__ import annotations

import re
from typing import Any

from bot.trial.fake_telegram.bot_api import public
from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import KVARNPARKEN

JSON = dict[str, Any]


def buttons(message: JSON) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def text(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def to_place(user: SimUser, category: str = "🎨 Klotter") -> JSON:
    await user.send("/rapport")
    await user.next_message()
    await user.press(category)
    return await user.next_message()


async def to_description(user: SimUser) -> JSON:
    await to_place(user)
    await user.send_location(*KVARNPARKEN)
    return await user.next_message()


async def to_when(user: SimUser, description: str = "Klotter på väggen vid entrén") -> JSON:
    await to_description(user)
    await user.send(description)
    return await user.next_message()


async def to_summary(user: SimUser) -> JSON:
    await to_when(user)
    await user.press("Nu")
    return await user.next_message()


async def send_report(user: SimUser, summary: JSON, *, same_as_earlier: bool = False) -> JSON:
    """Press Skicka; when asked whether it is the same as an earlier observation, answer as
    told. Returns the thanks."""
    await user.press("✅ Skicka", summary)
    thanks = await user.next_message()
    if "Samma som" in text(thanks):
        await user.press("✅ Ja, samma sak" if same_as_earlier else "🆕 Nej, en ny observation")
        thanks = await user.next_message()
    assert "Tack!" in text(thanks), thanks
    return thanks


async def file_report(user: SimUser, *, same_as_earlier: bool = False) -> str:
    """A whole report of graffiti at Kvarnparken; returns its reference."""
    thanks = await send_report(user, await to_summary(user), same_as_earlier=same_as_earlier)
    return reference_in(thanks)


def reference_in(message: JSON) -> str:
    """The first reference (EST-2026-0042) a message mentions."""
    found = re.search(r"EST-\d{4}-\d{4,}", text(message))
    assert found is not None, message
    return found.group(0)


def forge_press(user: SimUser, data: str) -> int:
    """A button press with callback data the bot never sent (forged or garbled)."""
    target = public(user.last_message or {})
    query = {
        "id": user.server.register_callback(user.id, user.user["id"]),
        "from": user.user,
        "chat_instance": f"ci{user.id}",
        "message": target,
        "data": data,
    }
    return user.inject_raw({"callback_query": query})
