"""Answering button presses: at once, and exactly once.

Telegram shows a spinner on a pressed button until the bot answers the callback query, and
refuses a second answer. A press that fits the draft is answered before any database work,
so the spinner stops at once; later code asks `acknowledge`, which answers only if that
has not happened yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import ContextTypes

ANSWERED = "estbot.answered"


def answer_now(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery) -> asyncio.Task[bool]:
    """Answer the press in the background, before the work it asks for is done."""
    _mark(context, query)
    return asyncio.ensure_future(query.answer())


def was_answered(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery) -> bool:
    data = context.user_data
    return data is not None and data.get(ANSWERED) == query.id


async def acknowledge(
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    text: str | None = None,
    *,
    alert: bool = False,
) -> None:
    """Answer the press unless it was answered already (then `text` is not shown)."""
    if was_answered(context, query):
        return
    _mark(context, query)
    await query.answer(text, show_alert=alert)


def _mark(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery) -> None:
    if context.user_data is not None:
        context.user_data[ANSWERED] = query.id


async def settle_message(edit: Awaitable[object]) -> None:
    """Await an edit of the pressed message; the same content again is no error.

    A second tap, or a press that reaches the bot after its buttons were taken away
    (Telegram sends the message as it is now), asks for an edit that changes nothing.
    """
    try:
        await edit
    except BadRequest as error:
        said = str(error).lower()
        # "no text": the press came on a photo or document (forged, or one of ours with a
        # caption); there is nothing of ours to change there
        if "not modified" not in said and "no text in the message" not in said:
            raise


async def edit_page(message: object, text: str, markup: InlineKeyboardMarkup) -> None:
    """Turn a settings page: edit the pressed message to `text` and `markup`."""
    # A forged press may come on any message, a photo or document too: only our texts change.
    if not isinstance(message, Message) or message.text is None:
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
