"""The keyboards every private chat shares: the persistent main menu and the language choice."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from handlers import callbacks
from handlers.texts import Texts


def main_menu(t: Texts) -> ReplyKeyboardMarkup:
    """The persistent keyboard: a new observation is always one tap away."""
    return ReplyKeyboardMarkup(
        [[t.plain("button_new")], [t.plain("button_mine")]],
        resize_keyboard=True,
        is_persistent=True,
    )


def languages() -> InlineKeyboardMarkup:
    sv, en = callbacks.data(callbacks.LANGUAGE, "sv"), callbacks.data(callbacks.LANGUAGE, "en")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🇸🇪 Svenska", callback_data=sv),
          InlineKeyboardButton("🇬🇧 English", callback_data=en)]]
    )  # fmt: skip


def ticked(on: bool, label: str) -> str:
    """A setting's label with its state: ✅ on, ▫️ off."""
    return f"{'✅' if on else '▫️'} {label}"


def setting_button(label: str, data: str) -> InlineKeyboardButton:
    """A button of a settings page (labels cut to what a phone shows on one line)."""
    return InlineKeyboardButton(label[:60], callback_data=data)
