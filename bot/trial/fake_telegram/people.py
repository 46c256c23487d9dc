"""Simulated Telegram people and groups that talk to the bot through the local server.

Get them from ``server.user(...)`` and ``server.group(...)``; every action injects an update the
way Telegram would, and ``next_message`` / ``wait_for`` observe what the bot answers. They need
only what :class:`BotApiServer` names, so this module does not import the server.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from .bot_api import StoredFile

JSON = dict[str, Any]
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_])")


def text_content(text: str) -> JSON:
    """Message fields for ``text``; a leading ``/command[@bot]`` gets a bot_command entity."""
    content: JSON = {"text": text}
    if command := _COMMAND.match(text):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return content


ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def chat_member(user: JSON, status: str, chat_type: str = "supergroup") -> JSON:
    """A ``ChatMember`` of ``status`` member, administrator, left or kicked (banned forever)."""
    member: JSON = {"status": status, "user": copy.deepcopy(user)}
    if status == "administrator":
        member.update(ADMIN_RIGHTS)
        if chat_type == "supergroup":
            member["can_manage_topics"] = True
    elif status == "kicked":
        member["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unsupported ChatMember status {status!r}")
    return member


def _buttons(message: JSON) -> list[JSON]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def _summary(message: JSON) -> str:
    text = message.get("text") or message.get("caption") or "<media>"
    labels = [button.get("text") for button in _buttons(message)]
    return f"#{message['message_id']} {text[:80]!r}" + (f" buttons={labels}" if labels else "")


class BotApiServer(Protocol):
    """What the simulated people use of the server they talk through (``LocalTelegram``)."""

    bot_user: JSON
    alerts: dict[int, list[str]]
    membership: dict[int, str]
    migrated: dict[int, int]

    def inject(self, update: JSON) -> int: ...
    def post_message(self, chat: JSON, sender: JSON, content: JSON) -> tuple[JSON, int]: ...
    def group(self, chat_id: int, title: str, type: str) -> SimGroup: ...
    def upgrade_chat(self, old_id: int, new_id: int) -> None: ...
    def register_callback(self, chat_id: int, user_id: int) -> str: ...
    def store_file(
        self,
        data: bytes,
        folder: str,
        ext: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile: ...
    def photo_sizes(self, data: bytes, width: int, height: int) -> list[JSON]: ...
    def bot_messages(self, chat_id: int) -> list[JSON]: ...
    def sent_count(self, chat_id: int) -> int: ...
    def sent_message(self, chat_id: int, index: int) -> JSON: ...
    def current_message(self, chat_id: int, message_id: int) -> JSON | None: ...
    def reply_target(self, chat_id: int, message_id: Any) -> JSON | None: ...
    def reply_keyboard(self, chat_id: int) -> JSON | None: ...
    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool: ...


class ChatView:
    """One chat as seen by the simulated people: the bot's messages and a reading cursor."""

    def __init__(self, server: BotApiServer, chat: JSON) -> None:
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
        if self.id in self.server.migrated:
            raise AssertionError(f"chat {self.id} was upgraded to {self.server.migrated[self.id]}")
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

    def _photo(
        self, data: bytes, caption: str | None, media_group_id: str | None, width: int, height: int
    ) -> JSON:
        content: JSON = {"photo": self.server.photo_sizes(data, width, height)}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = str(media_group_id)
        return content

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

    def __init__(self, server: BotApiServer, user: JSON, chat: JSON) -> None:
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
        return self._post(self.user, self._photo(data, caption, media_group_id, width, height))

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

    async def send(
        self,
        user: SimUser,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: JSON | None = None,
    ) -> JSON:
        """``user`` sends ``text`` to the group, in forum topic ``thread_id`` and/or as a reply
        to ``reply_to`` (any message of this chat)."""
        return self._post(user.user, {**text_content(text), **self._place(thread_id, reply_to)})

    async def send_photo(
        self,
        user: SimUser,
        data: bytes,
        caption: str | None = None,
        *,
        thread_id: int | None = None,
        reply_to: JSON | None = None,
        media_group_id: str | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> JSON:
        """``user`` sends a photo to the group (placed as in :meth:`send`)."""
        content = self._photo(data, caption, media_group_id, width, height)
        return self._post(user.user, {**content, **self._place(thread_id, reply_to)})

    async def press(self, user: SimUser, button: str, message: JSON | None = None) -> JSON:
        """``user`` presses an inline button on a bot message in the group."""
        return await self._press(user.user, button, message)

    def thread_messages(self, thread_id: int) -> list[JSON]:
        """The bot's messages (current state) in forum topic ``thread_id``."""
        return [m for m in self.messages if m.get("message_thread_id") == thread_id]

    def bot_added(self, by: SimUser, status: str = "member") -> int:
        """``by`` adds the bot (or promotes it: "administrator"); injects ``my_chat_member``."""
        if status not in ("member", "administrator"):
            raise ValueError(f"bot_added: status {status!r} is not member/administrator")
        return self._bot_status(by, status, default_old="left")

    def bot_removed(self, by: SimUser, status: str = "left") -> int:
        """``by`` removes ("left") or bans ("kicked") the bot; injects ``my_chat_member``."""
        if status not in ("left", "kicked"):
            raise ValueError(f"bot_removed: status {status!r} is not left/kicked")
        return self._bot_status(by, status, default_old="member")

    def migrate(self, new_chat_id: int, by: SimUser) -> SimGroup:
        """``by`` upgrades this basic group to supergroup ``new_chat_id``: service messages
        in both chats, and calls for this chat get "upgraded to a supergroup" errors."""
        if self.chat["type"] != "group":
            raise AssertionError(f"chat {self.id} is a {self.chat['type']}, not a basic group")
        self._post(by.user, {"migrate_to_chat_id": new_chat_id})
        new = self.server.group(new_chat_id, self.chat["title"], "supergroup")
        self.server.upgrade_chat(self.id, new_chat_id)
        new._post(by.user, {"migrate_from_chat_id": self.id})
        return new

    def _place(self, thread_id: int | None, reply_to: JSON | None) -> JSON:
        extra: JSON = {}
        if reply_to is not None:
            target = self.server.reply_target(self.id, reply_to.get("message_id"))
            if target is None or reply_to.get("chat", self.chat)["id"] != self.id:
                raise AssertionError(f"no message #{reply_to.get('message_id')} in {self.id}")
            extra["reply_to_message"] = target
            if thread_id is None and target.get("is_topic_message"):
                thread_id = target["message_thread_id"]
        if thread_id is not None:
            if not self.chat.get("is_forum"):
                raise AssertionError(f"chat {self.id} has no topics: use group(is_forum=True)")
            extra.update(message_thread_id=thread_id, is_topic_message=True)
        return extra

    def _bot_status(self, by: SimUser, status: str, default_old: str) -> int:
        old = self.server.membership.get(self.id, default_old)
        change = {
            "chat": copy.deepcopy(self.chat),
            "from": copy.deepcopy(by.user),
            "date": int(time.time()),
            "old_chat_member": chat_member(self.server.bot_user, old, self.chat["type"]),
            "new_chat_member": chat_member(self.server.bot_user, status, self.chat["type"]),
        }
        self.server.membership[self.id] = status
        self.mark()
        self.last_update_id = self.server.inject({"my_chat_member": change})
        return self.last_update_id
