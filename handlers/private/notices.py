"""/installningar in private: one's own notices (status changes, comments) on or off."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers import callbacks
from handlers.access import private_member
from handlers.answers import edit_page
from handlers.menus import setting_button, ticked
from handlers.services import current_member, services, texts
from handlers.texts import Texts
from storage.coordination.statuses import set_notifications
from storage.people.access import get_user
from storage.tables import User


async def notice_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/installningar or /settings in private: which notices one gets."""
    message, member = update.effective_message, current_member(context)
    assert message is not None
    if member is None:
        return
    user = await services(context).db(get_user, user_id=member.user_id)
    t = texts(context)
    await message.reply_text(t("notify_settings"), reply_markup=_notify_keyboard(t, user))


def _notify_keyboard(t: Texts, user: User) -> InlineKeyboardMarkup:
    status = callbacks.data(callbacks.NOTICES, "status")
    comments = callbacks.data(callbacks.NOTICES, "comments")
    return InlineKeyboardMarkup(
        [[setting_button(ticked(user.notify_status, t.plain("notify_status")), status)],
         [setting_button(ticked(user.notify_comments, t.plain("notify_comments")), comments)]]
    )  # fmt: skip


async def on_notify_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`n:status` / `n:comments`: one's own notices on or off."""
    query = update.callback_query
    member = private_member(update, context)
    assert query is not None
    if member is None:  # without an invite, or pressed in a group
        await query.answer(texts(context).plain("stale_button"))
        return
    s, t = services(context), texts(context)
    user = await s.db(get_user, user_id=member.user_id)
    which = (query.data or "").removeprefix(f"{callbacks.NOTICES}:")
    if which == "status":
        user = await s.db(set_notifications, user_id=member.user_id, status=not user.notify_status)
    elif which == "comments":
        user = await s.db(
            set_notifications, user_id=member.user_id, comments=not user.notify_comments
        )
    await query.answer()
    await edit_page(query.message, t("notify_settings"), _notify_keyboard(t, user))
