"""What `estbot try` prints: the bot's new and changed messages per chat, with numbered buttons.

The local server keeps each message as Telegram shows it (the HTML already turned into plain
text), so a message is printed as its text, a photo as a "[foto]" line, a position as a
"[plats]" line. Buttons get numbers (``#1``, ``#2`` …) that the player types to press them;
the numbers stay valid until new buttons are shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.trial.fake_telegram.people import ChatView

JSON = dict[str, Any]
WORDS = {
    "sv": {
        "bot": "Boten (privat chatt)",
        "group": "Samordnargruppen",
        "photo": "[foto]",
        "place": "[plats]",
        "file": "[fil]",
        "edited": "(ändrat)",
        "removed": "(borttaget)",
        "keyboard": "Tangentbord",
    },
    "en": {
        "bot": "The bot (private chat)",
        "group": "Coordinators' group",
        "photo": "[photo]",
        "place": "[location]",
        "file": "[file]",
        "edited": "(edited)",
        "removed": "(removed)",
        "keyboard": "Keyboard",
    },
}
BOLD, RESET = "\033[1m", "\033[0m"


def words(language: str, key: str) -> str:
    """One of the screen's own words in the bot's language."""
    return WORDS.get(language, WORDS["en"])[key]


@dataclass(frozen=True)
class Button:
    """A button the player can press by its number: inline (on a message) or on the reply
    keyboard (``message_id`` None)."""

    chat: ChatView
    label: str
    message_id: int | None = None
    callback_data: str | None = None
    url: str | None = None
    request_location: bool = False


@dataclass
class Shown:
    """The chats on screen and what of them was printed already."""

    chats: list[tuple[ChatView, str, bool]]  # chat, header, whether its buttons are pressable
    out: TextIO
    language: str = "sv"
    ansi: bool = False
    buttons: dict[int, Button] = field(default_factory=dict)
    keys: dict[int, Button] = field(default_factory=dict)  # the reply keyboard's
    _seen: dict[tuple[int, int], str] = field(default_factory=dict)
    _keyboard: str = "null"

    def words(self, key: str) -> str:
        return words(self.language, key)

    def forget_all(self, but: ChatView | None = None) -> None:
        """Count everything there is now as printed, except in chat ``but``."""
        for chat, _, _ in self.chats:
            if but is not None and chat.id == but.id:
                continue
            for message in chat.messages:
                self._seen[(chat.id, message["message_id"])] = _snapshot(message)

    def show_new(self) -> bool:
        """Print the bot's new, changed and removed messages since the last call; whether
        there were any."""
        numbering: dict[int, Button] = {}
        printed = False
        for chat, header, pressable in self.chats:
            lines = self._changes(chat, numbering if pressable else None)
            if lines:
                self._print(self._header(header), *lines)
                printed = True
        private = self.chats[0][0]
        keyboard = private.reply_keyboard
        if json.dumps(keyboard, sort_keys=True) != self._keyboard:
            self._keyboard = json.dumps(keyboard, sort_keys=True)
            self._show_keyboard(private, keyboard)
            printed = True
        if numbering:
            self.buttons = numbering
        return printed

    def show_buttons(self) -> None:
        """Print every message that still has buttons, numbered anew, and the keyboard."""
        numbering: dict[int, Button] = {}
        for chat, header, pressable in self.chats:
            if not pressable:
                continue
            with_buttons = [m for m in chat.messages if _inline_rows(m)][-5:]
            lines = [line for m in with_buttons for line in self._render(chat, m, numbering)]
            if lines:
                self._print(self._header(header), *lines)
        private = self.chats[0][0]
        self._show_keyboard(private, private.reply_keyboard)
        if not numbering and not self.keys:
            self._print("(no buttons to press right now)")
        self.buttons = numbering

    def _changes(self, chat: ChatView, numbering: dict[int, Button] | None) -> list[str]:
        lines: list[str] = []
        current = {m["message_id"]: m for m in chat.messages}
        for message_id, message in current.items():
            key, snapshot = (chat.id, message_id), _snapshot(message)
            before = self._seen.get(key)
            if before == snapshot:
                continue
            self._seen[key] = snapshot
            lines += self._render(chat, message, numbering, edited=before is not None)
        for key in [k for k in self._seen if k[0] == chat.id and k[1] not in current]:
            first = (json.loads(self._seen.pop(key)).get("text") or "").split("\n")[0]
            lines.append(f"▸ {self.words('removed')} {first[:60]}")
        return lines

    def _render(
        self,
        chat: ChatView,
        message: JSON,
        numbering: dict[int, Button] | None,
        edited: bool = False,
    ) -> list[str]:
        body = self._body(message)
        if edited:
            body[0] = f"{self.words('edited')} {body[0]}"
        lines = [f"▸ {body[0]}", *(f"  {line}".rstrip() for line in body[1:])]
        for row in _inline_rows(message):
            cells = []
            for button in row:
                label = str(button.get("text", ""))
                if numbering is None:
                    cells.append(f"[{label}]")
                    continue
                number = len(numbering) + 1
                numbering[number] = Button(
                    chat,
                    label,
                    message["message_id"],
                    button.get("callback_data"),
                    button.get("url"),
                )
                cells.append(f"[#{number} {label}]")
            lines.append("    " + " ".join(cells))
        return lines

    def _body(self, message: JSON) -> list[str]:
        parts: list[str] = []
        if "photo" in message:
            parts.append(f"{self.words('photo')} {message.get('caption') or ''}".rstrip())
        elif "document" in message:
            name = message["document"].get("file_name", "")
            parts.append(f"{self.words('file')} {name} {message.get('caption') or ''}".rstrip())
        elif "location" in message:
            point = message["location"]
            where = f"{point['latitude']:.5f}, {point['longitude']:.5f}"
            venue = message.get("venue")
            if venue:
                where = f"{venue.get('title', '')} – {venue.get('address', '')} ({where})"
            parts.append(f"{self.words('place')} {where}")
        text = message.get("text")
        if text:
            parts.append(str(text))
        lines = "\n".join(parts).split("\n") if parts else ["…"]
        return lines

    def _show_keyboard(self, chat: ChatView, keyboard: JSON | None) -> None:
        self.keys = {}
        cells = []
        for row in (keyboard or {}).get("keyboard") or []:
            for button in row:
                label = button if isinstance(button, str) else str(button.get("text", ""))
                wants = isinstance(button, dict) and bool(button.get("request_location"))
                number = len(self.keys) + 1
                self.keys[number] = Button(chat, label, request_location=wants)
                cells.append(f"[k{number} {label}]")
        if cells:
            self._print(f"  {self.words('keyboard')}: " + " ".join(cells))

    def _header(self, title: str) -> str:
        line = f"── {title} ──"
        return f"{BOLD}{line}{RESET}" if self.ansi else line

    def _print(self, *lines: str) -> None:
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()


def _inline_rows(message: JSON) -> list[list[JSON]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [list(row) for row in rows]


def _snapshot(message: JSON) -> str:
    """What makes a message look different (not its dates)."""
    kept = {k: v for k, v in message.items() if k not in ("date", "edit_date", "reply_to_message")}
    return json.dumps(kept, sort_keys=True, default=str)
