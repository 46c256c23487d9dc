"""Keyboards, and the callback data the conversation's buttons carry.

Callback data is `r:<draft key>:<action>[:<argument>]`, so a button from an old or
another person's draft is recognised as stale instead of changing the wrong report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from handlers import callbacks
from handlers.texts import Texts
from storage.places.gazetteer import PlaceValue
from storage.tables import Category


@dataclass(frozen=True)
class Press:
    """A pressed conversation button."""

    key: str
    action: str
    argument: str = ""


def data(key: str, action: str, argument: str = "") -> str:
    return callbacks.data(callbacks.REPORT, key, action, argument)


def parse(raw: str | None) -> Press | None:
    """The button behind callback data, or None when it is not ours or is garbled."""
    parts = (raw or "").split(":", 3)
    if len(parts) != 4 or parts[0] != callbacks.REPORT or not parts[1] or not parts[2]:
        return None
    return Press(parts[1], parts[2], parts[3])


def _button(label: str, key: str, action: str, argument: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(key, action, argument))


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def place_menu(t: Texts, last: PlaceValue | None) -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(t.plain("button_share_position"), request_location=True)]]
    if last is not None:
        rows.append([KeyboardButton(t.plain("button_same_place"))])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def categories(key: str, items: Sequence[Category], language: str) -> InlineKeyboardMarkup:
    buttons = [_button(f"{c.emoji} {c.label(language)}".strip(), key, "cat", c.code) for c in items]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def place_choices(t: Texts, key: str, labels: Sequence[str]) -> InlineKeyboardMarkup:
    rows = [[_button(label[:60], key, "pick", str(index))] for index, label in enumerate(labels)]
    rows.append([_button(t.plain("button_keep_text"), key, "keep")])
    return InlineKeyboardMarkup(rows)


def place_confirm(t: Texts, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.plain("button_place_yes"), key, "pick", "0")],
         [_button(t.plain("button_place_no"), key, "notplace")]]
    )  # fmt: skip


def when(t: Texts, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.plain("when_now"), key, "when", "now"),
          _button(t.plain("when_recent"), key, "when", "recent")],
         [_button(t.plain("when_today"), key, "day", "today"),
          _button(t.plain("when_yesterday"), key, "day", "yesterday")]]
    )  # fmt: skip


def windows(t: Texts, key: str, names: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [_button(t.plain(f"window_{name}"), key, "win", name) for name in names]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def summary(t: Texts, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.plain("button_send"), key, "send")],
         [_button(t.plain("button_edit"), key, "edit"),
          _button(t.plain("button_cancel"), key, "cancel")]]
    )  # fmt: skip


def personal_data(t: Texts, key: str) -> InlineKeyboardMarkup:
    """In place of Skicka while the description holds personal data: mask it or rewrite it."""
    return InlineKeyboardMarkup(
        [[_button(t.plain("button_mask"), key, "mask")],
         [_button(t.plain("button_rewrite"), key, "field", "description"),
          _button(t.plain("button_cancel"), key, "cancel")]]
    )  # fmt: skip


def duplicate(t: Texts, key: str, observation_id: int) -> InlineKeyboardMarkup:
    """Is it the same as that open observation? Yes files it as a confirmation."""
    return InlineKeyboardMarkup(
        [[_button(t.plain("button_same"), key, "send", f"s{observation_id}")],
         [_button(t.plain("button_not_same"), key, "send", "new")]]
    )  # fmt: skip


def edit_menu(t: Texts, key: str, has_photos: bool) -> InlineKeyboardMarkup:
    fields = ["category", "place", "description", "when"] + (["photos"] if has_photos else [])
    buttons = [_button(t.plain(f"field_{name}"), key, "field", name) for name in fields]
    rows = _rows(buttons, 2)
    rows.append([_button(t.plain("button_back"), key, "field", "summary")])
    return InlineKeyboardMarkup(rows)


def resume(t: Texts, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t.plain("button_continue"), key, "resume"),
          _button(t.plain("button_restart"), key, "restart")]]
    )  # fmt: skip
