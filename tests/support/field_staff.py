"""Simulated field staff who file whole reports to estbot through a bot that does not always
answer: for fault tests and benchmarks, on top of :class:`bot.trial.fake_telegram.people.SimUser`.

A person reads the newest message in the chat and does what it asks (category, position,
description or a photo with a caption, "Nu", Skicka, "no, a new one"). When the bot says
something went wrong, or says nothing for ``patience`` seconds, the person asks again with
/rapport, which shows the draft where it is (▶️ Fortsätt). Once Skicka was pressed, a
/rapport that starts a fresh report means the report went: the person does not file it
twice, and records that the thanks was never seen.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from bot.trial.fake_telegram.people import SimUser

JSON = dict[str, Any]
KVARNPARKEN = (59.1262, 15.1418)
REFERENCE = re.compile(r"EST-\d{4}-\d{4,}")
MAX_TURNS = 40  # a report takes 6 to 8 turns; this many means the bot is stuck for good
# What the newest message asks for, by words it contains (Swedish, the bot's default);
# "trouble": the bot says it could not do it (try again, a stale button, a photo not fetched).
PROMPTS = (
    ("Tack!", "thanks"),
    ("Sammanfattning", "summary"),
    ("Samma som", "same_as"),
    ("Du har en påbörjad rapport", "resume"),
    ("Vad har du sett", "category"),
    ("Var?", "place"),
    ("Beskriv kort", "description"),
    ("När hände det", "when"),
    ("Det gick inte att spara", "trouble"),
    ("gäller inte längre", "trouble"),
    ("kunde inte hämtas", "trouble"),
    ("Vill du rapportera något", "trouble"),
)
PRESSED = {"category", "summary", "same_as", "resume", "when"}  # answered with a button


def _text(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _has_buttons(message: JSON) -> bool:
    return bool((message.get("reply_markup") or {}).get("inline_keyboard"))


def what_it_asks(message: JSON) -> str:
    """The step a bot message asks for ("category", "summary" …), "thanks", or "other"."""
    text = _text(message)
    for words, step in PROMPTS:
        if words in text:  # a question whose buttons are gone was answered already
            return step if step not in PRESSED or _has_buttons(message) else "other"
    return "other"


@dataclass
class Filing:
    """One report a person set out to file."""

    tag: str  # words in its description that find it in the database
    with_photo: bool
    reference: str | None = None  # as the thanks showed it; None if the person never saw it
    recoveries: int = 0  # how often the person had to ask again
    seconds: float = 0.0


class Reporter:
    """One person filing reports one after another, patiently."""

    def __init__(self, user: SimUser, *, patience: float = 8.0, category: str = "🎨 Klotter"):
        self.user = user
        self.patience = patience
        self.category = category
        self._seen = user.server.sent_count(user.id)

    async def file(self, tag: str, photo: bytes | None = None) -> Filing:
        """File one report whose description carries ``tag``; with a photo if given."""
        filing = Filing(tag, photo is not None)
        began = time.monotonic()
        description = f"Klotter på väggen vid lekplatsen ({tag})"
        sent = asked_after_sending = False
        await self.user.send("/rapport")
        for _ in range(MAX_TURNS):
            new = await self._new_messages()
            thanks = next((m for m in new if what_it_asks(m) == "thanks"), None)
            if thanks is not None:
                found = REFERENCE.search(_text(thanks))
                filing.reference = found.group(0) if found else None
                break
            step = what_it_asks(new[-1]) if new else "silence"
            if step == "category" and asked_after_sending:
                break  # the draft is gone: the report went, its thanks was lost
            if step in ("silence", "other", "trouble") or not await self._answer(
                step, new[-1], description, photo
            ):
                filing.recoveries += 1
                asked_after_sending = sent
                await self.user.send("/rapport")
                continue
            sent = sent or step in ("summary", "same_as")
        else:
            raise AssertionError(f"{tag}: no end after {MAX_TURNS} turns; {self.user.describe()}")
        filing.seconds = time.monotonic() - began
        return filing

    async def _answer(
        self, step: str, message: JSON, description: str, photo: bytes | None
    ) -> bool:
        """Do what the message asks; False if its button went meanwhile."""
        try:
            await self._do(step, message, description, photo)
        except AssertionError:  # the bot changed the message under the person's finger
            return False
        return True

    async def _do(self, step: str, message: JSON, description: str, photo: bytes | None) -> None:
        user = self.user
        if step == "category":
            await user.press(self.category, message)
        elif step == "place":
            await user.send_location(*KVARNPARKEN)
        elif step == "description":
            if photo is None:
                await user.send(description)
            else:
                await user.send_photo(photo, caption=description)
        elif step == "when":
            await user.press("Nu", message)
        elif step == "summary":
            await user.press("✅ Skicka", message)
        elif step == "same_as":
            await user.press("🆕 Nej, en ny observation", message)
        elif step == "resume":
            await user.press("▶️ Fortsätt", message)

    async def _new_messages(self) -> list[JSON]:
        """The bot's messages since the last look, once one that asks for something (or the
        thanks) is among them; [] after ``patience`` seconds of nothing useful."""
        server, chat = self.user.server, self.user.id
        deadline = time.monotonic() + self.patience
        new: list[JSON] = []
        while True:
            count = server.sent_count(chat)
            new += [server.sent_message(chat, index) for index in range(self._seen, count)]
            self._seen = count
            if new and what_it_asks(new[-1]) != "other":
                return new
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await server.wait_until(
                lambda: server.sent_count(chat) > self._seen, remaining
            ):
                return new
