"""/installningar: a group's filter (in the group), one's own notices (in private)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.access import private_member
from handlers.group.chat import coordinator, filter_text
from handlers.group.digest_settings import DIGEST_ACTIONS, digest_rows
from handlers.report.prompts import category_label
from handlers.services import current_member, services, texts
from handlers.texts import Html, Texts
from storage.coordination.groups import organisations, toggle_filter
from storage.coordination.statuses import set_notifications
from storage.coordination.subscriptions import change_subscription, subscriptions
from storage.people.access import get_user
from storage.tables import CoordinatorGroup, User
from storage.visibility import find_group


def _tick(on: bool, label: str) -> str:
    return f"{'✅' if on else '▫️'} {label}"


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:60], callback_data=data)


async def preferences(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/installningar or /settings."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    member = current_member(context)
    if member is None:
        return
    s = services(context)
    if chat.type == ChatType.PRIVATE:
        user = await s.db(get_user, user_id=member.user_id)
        t = texts(context)
        await message.reply_text(t("notify_settings"), reply_markup=_notify_keyboard(t, user))
        return
    group = await s.db(find_group, chat_id=chat.id)
    if group is None:
        await message.reply_text(texts(context)("not_linked"))
        return
    t = services(context).texts_for_group(group)
    await message.reply_text(_group_text(context, t, group), reply_markup=_main(t, group))


def _notify_keyboard(t: Texts, user: User) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_tick(user.notify_status, t.plain("notify_status")), "n:status")],
         [_button(_tick(user.notify_comments, t.plain("notify_comments")), "n:comments")]]
    )  # fmt: skip


def _group_text(context: ContextTypes.DEFAULT_TYPE, t: Texts, group: CoordinatorGroup) -> Html:
    return t("group_settings", filter=filter_text(context, t, group))


def _main(t: Texts, group: CoordinatorGroup) -> InlineKeyboardMarkup:
    which = "filter_urgent_only" if group.urgent_only else "filter_everything"
    return InlineKeyboardMarkup(
        [[_button(f"🔁 {t.plain(which)}", "g:urgent:")],
         [_button(t.plain("button_categories"), "g:page:cats"),
          _button(t.plain("button_organisations"), "g:page:orgs")],
         [_button(t.plain("button_show_all"), "g:all:")],
         [_button(t.plain("button_digests"), "g:page:digests")]]
    )  # fmt: skip


async def _page(
    context: ContextTypes.DEFAULT_TYPE, t: Texts, group: CoordinatorGroup, page: str
) -> InlineKeyboardMarkup:
    back = [_button(t.plain("button_back"), "g:page:main")]
    if page == "cats":
        rows = [
            [_button(_tick(c.code in group.category_codes, category_label(c, t.language)),
                     f"g:category:{c.code}")]
            for c in services(context).categories if c.active
        ]  # fmt: skip
        return InlineKeyboardMarkup([*rows, back])
    if page == "digests":
        chosen = await services(context).db(subscriptions, group=group)
        return InlineKeyboardMarkup([*digest_rows(t, chosen), back])
    if page == "orgs":
        found = await services(context).db(organisations)
        rows = [
            [_button(_tick(o.id in group.organisation_ids, o.name), f"g:org:{o.id}")] for o in found
        ]
        return InlineKeyboardMarkup([*rows, back])
    return _main(t, group)


async def on_group_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`g:<what>:<value>`: change the filter (coordinators only) or turn a page."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    t = texts(context)
    if coordinator(context) is None:
        await query.answer(t.plain("settings_refused"), show_alert=True)
        return
    _, what, value = ((query.data or "") + "::").split(":")[:3]
    s = services(context)
    if what == "page":
        group = await s.db(find_group, chat_id=chat.id)
        page = value
    elif what in DIGEST_ACTIONS:
        change = DIGEST_ACTIONS[what]
        group = await s.db(change_subscription, chat_id=chat.id, kind=value, **change)
        page = "digests"
    else:
        group = await s.db(toggle_filter, chat_id=chat.id, what=what, value=value)
        page = {"category": "cats", "org": "orgs"}.get(what, "main")
    if group is None:
        await query.answer(t.plain("not_linked_short"), show_alert=True)
        return
    t = services(context).texts_for_group(group)
    await query.answer()
    heading = t("digest_settings") if page == "digests" else _group_text(context, t, group)
    await _edit(query.message, heading, await _page(context, t, group, page))


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
    which = (query.data or "").removeprefix("n:")
    if which == "status":
        user = await s.db(set_notifications, user_id=member.user_id, status=not user.notify_status)
    elif which == "comments":
        user = await s.db(
            set_notifications, user_id=member.user_id, comments=not user.notify_comments
        )
    await query.answer()
    await _edit(query.message, t("notify_settings"), _notify_keyboard(t, user))


async def _edit(message: object, text: str, markup: InlineKeyboardMarkup) -> None:
    # A forged press may come on any message, a photo or document too: only our texts change.
    if not isinstance(message, Message) or message.text is None:
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
