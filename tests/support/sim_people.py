"""Simulated Telegram people and groups that talk to the bot through :class:`FakeTelegram`.

Get them from ``server.user(...)`` and ``server.group(...)``; every action injects an update the
way Telegram would, and ``next_message`` / ``wait_for`` observe what the bot answers.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake_telegram import FakeTelegram

JSON = dict[str, Any]
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_])")


def text_content(text: str) -> JSON:
    """Message fields for ``text``; a leading ``/command[@bot]`` gets a bot_command entity."""
    content: JSON = {"text": text}
    if command := _COMMAND.match(text):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return content


def _buttons(message: JSON) -> list[JSON]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def _summary(message: JSON) -> str:
    text = message.get("text") or message.get("caption") or "<media>"
    labels = [button.get("text") for button in _buttons(message)]
    return f"#{message['message_id']} {text[:80]!r}" + (f" buttons={labels}" if labels else "")


class ChatView:
    """One chat as seen by the simulated people: the bot's messages and a reading cursor."""

    def __init__(self, server: FakeTelegram, chat: JSON) -> None:
        self.server = server
        self.chat = chat
        self.last_update_id: int | None = None
        self._cursor = 0

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.chat["id"])

    @property
    def messages(self) -> list[JSON]:
        """The bot's messages in this chat as they are now (after edits, without deleted)."""
        return self.server.bot_messages(self.id)

    @property
    def last_message(self) -> JSON | None:
        """The bot's most recent (not deleted) message in this chat."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> JSON | None:
        """The most recent ReplyKeyboardMarkup the bot sent here; None if none or removed."""
        return self.server.reply_keyboard(self.id)

    def mark(self) -> None:
        """Make ``next_message`` wait for messages sent from now on."""
        self._cursor = self.server.sent_count(self.id)

    async def next_message(self, timeout: float = 5.0) -> JSON:
        """The next NEW bot message here since the last action / next_message (edits don't
        count), in its current state. AssertionError if none arrives within ``timeout``."""
        index = self._cursor
        if not await self.server.wait_until(
            lambda: self.server.sent_count(self.id) > index, timeout
        ):
            raise AssertionError(
                f"chat {self.id}: no new bot message within {timeout}s; {self.describe()}"
            )
        self._cursor = index + 1
        return self.server.sent_message(self.id, index)

    async def wait_for(self, predicate: Callable[[JSON], bool], timeout: float = 5.0) -> JSON:
        """The newest bot message here (current state) satisfying ``predicate``, waiting up to
        ``timeout``. Does not move the ``next_message`` cursor."""
        found: list[JSON] = []

        def check() -> bool:
            found[:] = [message for message in self.messages if predicate(message)][-1:]
            return bool(found)

        if not await self.server.wait_until(check, timeout):
            raise AssertionError(
                f"chat {self.id}: no bot message matched within {timeout}s; {self.describe()}"
            )
        return found[0]

    def describe(self) -> str:
        """A short listing of the bot's latest messages here, for assertion messages."""
        recent = [_summary(message) for message in self.messages[-5:]]
        return "bot messages: " + ("; ".join(recent) if recent else "none")

    def _post(self, sender: JSON, content: JSON) -> JSON:
        self.mark()
        message, self.last_update_id = self.server.post_message(self.chat, sender, content)
        return message

    def _find_button(self, label: str, message: JSON | None) -> tuple[JSON, JSON]:
        if message is not None:
            current = self.server.current_message(self.id, message["message_id"])
            if current is None:
                raise AssertionError(f"message #{message['message_id']} is gone; {self.describe()}")
            candidates = [current]
        else:
            candidates = [m for m in reversed(self.messages) if _buttons(m)]
        for candidate in candidates:
            buttons = _buttons(candidate)
            for key in ("text", "callback_data"):
                match = next((b for b in buttons if b.get(key) == label), None)
                if match is not None:
                    return candidate, match
        available = [
            [(b.get("text"), b.get("callback_data")) for b in _buttons(c)] for c in candidates[:3]
        ]
        raise AssertionError(
            f"chat {self.id}: no inline button {label!r}; "
            f"available (text, callback_data): {available}"
        )

    async def _press(self, sender: JSON, label: str, message: JSON | None) -> JSON:
        self.mark()
        target, button = self._find_button(label, message)
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} has no callback_data: {button}")
        query = {
            "id": self.server.register_callback(self.id, sender["id"]),
            "from": copy.deepcopy(sender),
            "chat_instance": f"ci{self.id}",
            "message": self.server.current_message(self.id, target["message_id"]),
            "data": button["callback_data"],
        }
        self.last_update_id = self.server.inject({"callback_query": query})
        return query


class SimUser(ChatView):
    """A simulated person; their private chat with the bot has ``id == user id``."""

    def __init__(self, server: FakeTelegram, user: JSON, chat: JSON) -> None:
        super().__init__(server, chat)
        self.user = user

    @property
    def alerts(self) -> list[str]:
        """Texts of the bot's answerCallbackQuery answers to this person's button presses."""
        return list(self.server.alerts.get(self.user["id"], []))

    async def send(self, text: str) -> JSON:
        """Send a text message; returns the Message dict."""
        return self._post(self.user, text_content(text))

    async def send_location(self, latitude: float, longitude: float) -> JSON:
        """Share a location."""
        return self._post(self.user, {"location": {"latitude": latitude, "longitude": longitude}})

    async def send_venue(
        self, latitude: float, longitude: float, *, title: str, address: str
    ) -> JSON:
        """Share a venue (a named place)."""
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        return self._post(self.user, {"location": location, "venue": venue})

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
    ) -> JSON:
        """Send a photo (two PhotoSize entries, both backed by ``data``)."""
        content: JSON = {"photo": self.server.photo_sizes(data, width, height)}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = str(media_group_id)
        return self._post(self.user, content)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> JSON:
        """Send a file as a document."""
        stored = self.server.store_file(
            data,
            "documents",
            file_name.rpartition(".")[2] or "bin",
            file_name=file_name,
            mime_type=mime_type,
        )
        content: JSON = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption is not None:
            content["caption"] = caption
        return self._post(self.user, content)

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        """Send a sticker."""
        stored = self.server.store_file(b"RIFF....WEBP", "stickers", "webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._post(self.user, {"sticker": sticker})

    async def send_voice(self, duration: int = 2) -> JSON:
        """Send a voice message."""
        stored = self.server.store_file(b"OggS" + bytes(60), "voice", "oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        return self._post(self.user, {"voice": voice})

    async def press(self, button: str, message: JSON | None = None) -> JSON:
        """Press an inline button (by exact text, else callback_data) in ``message`` or in the
        newest bot message having one; returns the CallbackQuery dict."""
        return await self._press(self.user, button, message)

    async def edit(self, message: JSON, new_text: str) -> JSON:
        """Edit one of this person's messages; injects an ``edited_message`` update."""
        self.mark()
        edited = {key: value for key, value in message.items() if key != "entities"}
        edited.update(text_content(new_text), edit_date=int(time.time()))
        self.last_update_id = self.server.inject({"edited_message": edited})
        return edited

    def inject_raw(self, update: JSON) -> int:
        """Inject any update (without ``update_id``); returns its update_id."""
        self.mark()
        self.last_update_id = self.server.inject(update)
        return self.last_update_id


class SimGroup(ChatView):
    """A group chat with the bot; people speak in it via ``send(user, text)``."""

    async def send(self, user: SimUser, text: str) -> JSON:
        """``user`` sends ``text`` to the group."""
        return self._post(user.user, text_content(text))

    async def press(self, user: SimUser, button: str, message: JSON | None = None) -> JSON:
        """``user`` presses an inline button on a bot message in the group."""
        return await self._press(user.user, button, message)
