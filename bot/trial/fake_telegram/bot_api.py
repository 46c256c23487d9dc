"""The state and Bot API methods behind :class:`bot.trial.fake_telegram.server.LocalTelegram`.

Chats, messages, files and callback queries live here; every ``_m_<name>`` method implements
the Bot API method ``<name>`` (lowercased) on already decoded parameters.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.constants import ReactionEmoji

JSON = dict[str, Any]

HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)(\s[^<>]*)?>")
REACTION_EMOJI = frozenset(emoji.value for emoji in ReactionEmoji)
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``, plus
    ``"parameters"`` (ResponseParameters) when given."""

    def __init__(self, description: str, code: int = 400, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.parameters = parameters


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    """A file the server knows, downloadable at ``/file/bot{token}/{file_path}``."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    width: int = 0
    height: int = 0
    file_name: str | None = None
    mime_type: str | None = None

    def info(self) -> JSON:
        """The ``File`` object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def photo_size(self) -> JSON:
        """This file as a ``PhotoSize``."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": len(self.data),
        }


def html_to_text(source: str) -> str:
    """Validate Telegram-flavoured HTML like Telegram does and return the plain text it stores."""
    stack: list[str] = []
    parts: list[str] = []
    pos = 0
    for tag in _TAG.finditer(source):
        parts.append(source[pos : tag.start()])
        pos = tag.end()
        name, offset = tag.group(2).lower(), len(source[: tag.start()].encode())
        if name not in HTML_TAGS:
            raise ApiError(
                f'Bad Request: can\'t parse entities: unsupported start tag "{name}" '
                f"at byte offset {offset}"
            )
        if not tag.group(1):
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise ApiError(
                f"Bad Request: can't parse entities: unmatched end tag at byte offset "
                f'{offset}, expected "</{stack[-1] if stack else ""}>"'
            )
    parts.append(source[pos:])
    text = "".join(parts)
    if stack or "<" in text:
        raise ApiError("Bad Request: can't parse entities: unclosed or unescaped tag in text")
    return html.unescape(text)


def public(message: JSON) -> JSON:
    """The message as the Bot API shows it: only inline keyboards appear as ``reply_markup``."""
    markup = message.get("reply_markup")
    if markup is None or "inline_keyboard" in markup:
        return message
    return {key: value for key, value in message.items() if key != "reply_markup"}


def _tg_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _default_chat(chat_id: int) -> JSON:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


class BotApi:
    """Chats, messages and files of a fake Telegram, and the Bot API methods acting on them."""

    def __init__(self, bot_user: JSON) -> None:
        self.bot_user = bot_user
        self.chats: dict[int, JSON] = {}
        self.alerts: dict[int, list[str]] = {}
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        # The bot's ChatMember status per chat after my_chat_member updates; absent = unchanged.
        self.membership: dict[int, str] = {}
        self.migrated: dict[int, int] = {}
        self._reactions: dict[tuple[int, int], list[str]] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._bot_sent: dict[int, list[int]] = {}
        self._reply_keyboards: dict[int, JSON | None] = {}
        self._files: dict[str, StoredFile] = {}
        self._callbacks: dict[str, tuple[int, int]] = {}
        self._answered: set[str] = set()
        self._counter = itertools.count(1)
        self._changed = asyncio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ---- inspection ---------------------------------------------------------------------
    def bot_messages(self, chat_id: int) -> list[JSON]:
        """Copies of the bot's messages in a chat as they are now (edited, deleted ones gone)."""
        return [
            copy.deepcopy(self._messages[chat_id][mid])
            for mid in self._bot_sent.get(chat_id, [])
            if (chat_id, mid) not in self._deleted
        ]

    def sent_count(self, chat_id: int) -> int:
        """How many messages the bot has ever sent to the chat (edits not counted)."""
        return len(self._bot_sent.get(chat_id, []))

    def sent_message(self, chat_id: int, index: int) -> JSON:
        """A copy of the bot's ``index``-th message to the chat, in its current state."""
        return copy.deepcopy(self._messages[chat_id][self._bot_sent[chat_id][index]])

    def current_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The stored message as the Bot API would show it now, or None if unknown/deleted."""
        message = self._stored(chat_id, message_id)
        return None if message is None else copy.deepcopy(public(message))

    def reply_target(self, chat_id: int, message_id: Any) -> JSON | None:
        """The message as a ``reply_to_message`` shows it: current, without its own reply."""
        message = self._stored(chat_id, message_id)
        if message is None:
            return None
        return copy.deepcopy({k: v for k, v in public(message).items() if k != "reply_to_message"})

    def file_data(self, file_id: str) -> bytes:
        """The bytes of a file the bot uploaded (sendDocument, sendPhoto) or a person sent."""
        return self._files[file_id].data

    def reactions(self, chat_id: int, message_id: int) -> list[str]:
        """The emoji the bot has set (setMessageReaction) on the message now."""
        return list(self._reactions.get((chat_id, message_id), []))

    def upgrade_chat(self, old_id: int, new_id: int) -> None:
        """From now on answer calls for ``old_id`` as Telegram does for an upgraded group."""
        self.migrated[old_id] = new_id
        if old_id in self.membership:
            self.membership[new_id] = self.membership[old_id]

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The last ReplyKeyboardMarkup sent to the chat, None if none or removed."""
        return copy.deepcopy(self._reply_keyboards.get(chat_id))

    def unanswered_callback_queries(self) -> list[str]:
        """Ids of callback queries the bot never answered."""
        return [qid for qid in self._callbacks if qid not in self._answered]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (rechecked on every change); False on timeout."""
        deadline = time.monotonic() + timeout
        while not predicate():
            changed, remaining = self._changed, deadline - time.monotonic()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return True

    def register_callback(self, chat_id: int, user_id: int) -> str:
        """A fresh callback query id pressed by ``user_id`` in ``chat_id``."""
        query_id = str(4_000_000 + next(self._counter))
        self._callbacks[query_id] = (chat_id, user_id)
        return query_id

    def store_file(
        self,
        data: bytes,
        folder: str,
        ext: str,
        *,
        width: int = 0,
        height: int = 0,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Keep uploaded bytes; returns the record with file_id and file_path."""
        n = next(self._counter)
        stored = StoredFile(
            f"file-{n}",
            f"uniq-{n}",
            f"{folder}/file_{n}.{ext}",
            data,
            width,
            height,
            file_name,
            mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def photo_sizes(self, data: bytes, width: int = 1280, height: int = 960) -> list[JSON]:
        """Store a photo as Telegram does: a small thumbnail size plus the full size."""
        thumb_w, thumb_h = max(1, width // 4), max(1, height // 4)
        sizes = [
            self.store_file(data, "photos", "jpg", width=w, height=h)
            for w, h in ((thumb_w, thumb_h), (width, height))
        ]
        return [size.photo_size() for size in sizes]

    # ---- messages ----------------------------------------------------------------------------
    def _guard(self, params: JSON) -> None:
        """Refuse any call for a chat that was upgraded to a supergroup."""
        chat_id = params.get("chat_id")
        new_id = self.migrated.get(chat_id) if isinstance(chat_id, int) else None
        if new_id is not None:
            raise ApiError(MIGRATED, parameters={"migrate_to_chat_id": new_id})

    def _chat(self, chat_id: Any) -> JSON:
        """The chat the bot acts in; 403 if the bot left it or was kicked."""
        if not isinstance(chat_id, int):
            raise ApiError("Bad Request: chat not found")
        chat = self.chats.setdefault(chat_id, _default_chat(chat_id))
        status = self.membership.get(chat_id)
        if status in ("left", "kicked"):
            why = "was kicked from" if status == "kicked" else "is not a member of"
            raise ApiError(f"Forbidden: bot {why} the {chat['type']} chat", 403)
        return chat

    def _stored(self, chat_id: Any, message_id: Any) -> JSON | None:
        """The live (not deleted) stored message itself, or None."""
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            return None
        if (chat_id, message_id) in self._deleted:
            return None
        return self._messages.get(chat_id, {}).get(message_id)

    def _new_message(self, chat: JSON, sender: JSON, content: JSON) -> JSON:
        messages = self._messages.setdefault(chat["id"], {})
        message = {
            "message_id": len(messages) + 1,
            "date": int(time.time()),
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(sender),
            **content,
        }
        messages[message["message_id"]] = message
        return message

    def _send(self, params: JSON, content: JSON) -> JSON:
        chat = self._chat(params["chat_id"])
        extra: JSON = {}
        reply = self._reply_to(chat["id"], params)
        thread_id = params.get("message_thread_id")
        if thread_id is None and reply is not None and reply.get("is_topic_message"):
            thread_id = reply["message_thread_id"]  # a reply lands in its target's topic
        if thread_id is not None:
            extra["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                extra["is_topic_message"] = True
        if reply is not None:
            extra["reply_to_message"] = reply
        if markup := params.get("reply_markup"):
            extra["reply_markup"] = markup
            if "keyboard" in markup or markup.get("remove_keyboard"):
                self._reply_keyboards[chat["id"]] = markup if "keyboard" in markup else None
        message = self._new_message(chat, self.bot_user, {**content, **extra})
        self._bot_sent.setdefault(chat["id"], []).append(message["message_id"])
        self._notify()
        return public(message)

    def _reply_to(self, chat_id: int, params: JSON) -> JSON | None:
        reference = params.get("reply_parameters")
        message_id = reference.get("message_id") if isinstance(reference, dict) else None
        return self.reply_target(chat_id, message_id or params.get("reply_to_message_id"))

    def _text(self, params: JSON, key: str, limit: int) -> str:
        raw = params.get(key)
        if not isinstance(raw, str) or not raw.strip():
            raise ApiError(f"Bad Request: message {key} is empty")
        text = html_to_text(raw) if str(params.get("parse_mode")).upper() == "HTML" else raw
        if _tg_len(text) > limit:
            what = "message" if key == "text" else "message caption"
            raise ApiError(f"Bad Request: {what} is too long")
        return text

    def _caption(self, params: JSON) -> JSON:
        return {"caption": self._text(params, "caption", 1024)} if params.get("caption") else {}

    def _file(self, value: Any, folder: str, ext: str) -> StoredFile:
        if isinstance(value, Upload):
            name = value.filename or f"file.{ext}"
            return self.store_file(
                value.data,
                folder,
                name.rpartition(".")[2] or ext,
                file_name=name,
                mime_type=value.content_type,
            )
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.store_file(b"", folder, ext, file_name=value.rpartition("/")[2])
        raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")

    def _photo(self, value: Any) -> list[JSON]:
        if isinstance(value, Upload):
            return self.photo_sizes(value.data)
        return [self._file(value, "photos", "jpg").photo_size()]

    def _document(self, value: Any) -> JSON:
        stored = self._file(value, "documents", "bin")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name or stored.file_path.rpartition("/")[2],
            "mime_type": stored.mime_type or "application/octet-stream",
            "file_size": len(stored.data),
        }

    def _media_item(self, item: JSON, params: JSON) -> JSON:
        media = item["media"]
        if isinstance(media, str) and media.startswith("attach://"):
            media = params[media.removeprefix("attach://")]
        content = self._caption(item)
        if item.get("type") == "photo":
            return {**content, "photo": self._photo(media)}
        if item.get("type") == "document":
            return {**content, "document": self._document(media)}
        raise ApiError(f"Bad Request: unsupported media type {item.get('type')!r}")

    def _editable(self, params: JSON) -> JSON:
        message = self._stored(params.get("chat_id"), params.get("message_id"))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError("Bad Request: message can't be edited")
        return message

    def _edit(self, params: JSON, changes: JSON, drop: str = "") -> JSON | bool:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        edited = {key: value for key, value in message.items() if key not in (drop, "reply_markup")}
        edited.update(changes)
        if params.get("reply_markup"):
            edited["reply_markup"] = params["reply_markup"]
        if edited == message:
            raise ApiError(NOT_MODIFIED)
        message.clear()
        message.update(edited, edit_date=int(time.time()))
        self._notify()
        return public(message)

    # ---- Bot API methods (name after "_m_" == lowercased method name) ----------------------
    def _m_getme(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_logout(self, params: JSON) -> bool:
        return True

    def _m_close(self, params: JSON) -> bool:
        return True

    def _m_sendmessage(self, params: JSON) -> JSON:
        return self._send(params, {"text": self._text(params, "text", 4096)})

    def _m_sendphoto(self, params: JSON) -> JSON:
        return self._send(params, {**self._caption(params), "photo": self._photo(params["photo"])})

    def _m_senddocument(self, params: JSON) -> JSON:
        content = {**self._caption(params), "document": self._document(params["document"])}
        return self._send(params, content)

    def _m_sendmediagroup(self, params: JSON) -> list[JSON]:
        group_id = str(10_000_000 + next(self._counter))
        return [
            self._send(params, {"media_group_id": group_id, **self._media_item(item, params)})
            for item in params["media"]
        ]

    def _m_sendlocation(self, params: JSON) -> JSON:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._send(params, {"location": location})

    def _m_sendvenue(self, params: JSON) -> JSON:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._send(params, {"location": location, "venue": venue})

    def _m_sendchataction(self, params: JSON) -> bool:
        self._chat(params["chat_id"])
        return True

    def _m_editmessagetext(self, params: JSON) -> JSON | bool:
        if "inline_message_id" not in params and "text" not in self._editable(params):
            raise ApiError("Bad Request: there is no text in the message to edit")
        return self._edit(params, {"text": self._text(params, "text", 4096)})

    def _m_editmessagecaption(self, params: JSON) -> JSON | bool:
        if "inline_message_id" not in params and "text" in self._editable(params):
            raise ApiError("Bad Request: there is no caption in the message to edit")
        return self._edit(params, self._caption(params), drop="caption")

    def _m_editmessagereplymarkup(self, params: JSON) -> JSON | bool:
        return self._edit(params, {})

    def _m_deletemessage(self, params: JSON) -> bool:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        if self._stored(chat_id, message_id) is None:
            raise ApiError("Bad Request: message to delete not found")
        self._deleted.add((chat_id, message_id))  # type: ignore[arg-type]
        self._notify()
        return True

    def _m_setmessagereaction(self, params: JSON) -> bool:
        chat_id = self._chat(params["chat_id"])["id"]
        message = self._stored(chat_id, params.get("message_id"))
        if message is None:
            raise ApiError("Bad Request: message to react not found")
        reaction = params.get("reaction") or []
        if not all(r.get("type") == "emoji" and r.get("emoji") in REACTION_EMOJI for r in reaction):
            raise ApiError("Bad Request: REACTION_INVALID")
        if len(reaction) > 1:
            raise ApiError("Bad Request: REACTIONS_TOO_MANY")
        self._reactions[(chat_id, message["message_id"])] = [r["emoji"] for r in reaction]
        self._notify()
        return True

    def _m_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self._callbacks or query_id in self._answered:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self._answered.add(query_id)
        if params.get("text"):
            self.alerts.setdefault(self._callbacks[query_id][1], []).append(params["text"])
        self._notify()
        return True

    def _m_getfile(self, params: JSON) -> JSON:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise ApiError("Bad Request: invalid file_id")
        return stored.info()

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    def _m_setmycommands(self, params: JSON) -> bool:
        self.my_commands[self._commands_key(params)] = params["commands"]
        return True

    def _m_getmycommands(self, params: JSON) -> list[JSON]:
        return self.my_commands.get(self._commands_key(params), [])

    def _m_deletemycommands(self, params: JSON) -> bool:
        self.my_commands.pop(self._commands_key(params), None)
        return True

    def _m_setchatmenubutton(self, params: JSON) -> bool:
        self.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    def _m_getchat(self, params: JSON) -> JSON:
        chat = self.chats.get(params["chat_id"])
        if chat is None:
            raise ApiError("Bad Request: chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }
