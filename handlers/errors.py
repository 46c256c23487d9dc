"""The error handler: log what went wrong, tell the person their draft is kept, stop there."""

from __future__ import annotations

import html
import logging

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.answers import was_answered
from handlers.services import current_member, texts
from storage.reports.drafts import DraftProblem

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; tell the person their draft is kept and to try again shortly. The
    update goes no further: when the gate failed (the database away), the handlers after it
    would run with what an earlier update left behind (a draft at another step, a membership
    since revoked), and PTB goes on to the next group after an error unless told to stop."""
    await _log_and_tell(update, context)
    raise ApplicationHandlerStop


async def _log_and_tell(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if isinstance(error, DraftProblem):  # the draft went meanwhile (revoked, replaced)
        log.info("update for a draft that is gone: %s", error.reason)
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts(context)("draft_gone"))
        return
    if isinstance(error, OperationalError):
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    elif isinstance(error, NetworkError | RetryAfter) and not isinstance(error, BadRequest):
        log.warning("Telegram did not take an answer, even when tried again: %s", error.message)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_type = update.effective_chat.type
    if chat_type == ChatType.CHANNEL:
        return
    if chat_type != ChatType.PRIVATE and current_member(context) is None:
        return  # in a group, only people who may use the bot hear about its troubles
    try:
        t = texts(context)
        query = update.callback_query
        if query is not None and not was_answered(context, query):
            await query.answer(t.plain("try_again_later"), show_alert=True)
        else:
            await context.bot.send_message(
                update.effective_chat.id, html.escape(t.plain("try_again_later"))
            )
    except Exception:  # noqa: BLE001 - telling the user is best effort while things are failing
        log.warning("could not tell the user about the error")
