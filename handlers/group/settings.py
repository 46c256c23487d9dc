"""/installningar in a coordinators' group: its filter and its digests, page by page."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.answers import edit_page
from handlers.group.chat import coordinator, filter_text
from handlers.group.digest_settings import DIGEST_ACTIONS, digest_rows, setting_data
from handlers.labels import category_label
from handlers.menus import setting_button, ticked
from handlers.services import current_member, services, texts
from handlers.texts import Html, Texts
from storage.coordination.groups import organisations, toggle_filter
from storage.coordination.subscriptions import change_subscription, subscriptions
from storage.tables import CoordinatorGroup
from storage.visibility import find_group


async def group_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/installningar or /settings in a group: its filter and its digests."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if current_member(context) is None:
        return
    group = await services(context).db(find_group, chat_id=chat.id)
    if group is None:
        await message.reply_text(texts(context)("not_linked"))
        return
    t = services(context).texts_for_group(group)
    await message.reply_text(_group_text(context, t, group), reply_markup=_main(t, group))


def _group_text(context: ContextTypes.DEFAULT_TYPE, t: Texts, group: CoordinatorGroup) -> Html:
    return t("group_settings", filter=filter_text(context, t, group))


def _main(t: Texts, group: CoordinatorGroup) -> InlineKeyboardMarkup:
    which = "filter_urgent_only" if group.urgent_only else "filter_everything"
    return InlineKeyboardMarkup(
        [[setting_button(f"🔁 {t.plain(which)}", setting_data("urgent", ""))],
         [setting_button(t.plain("button_categories"), setting_data("page", "cats")),
          setting_button(t.plain("button_organisations"), setting_data("page", "orgs"))],
         [setting_button(t.plain("button_show_all"), setting_data("all", ""))],
         [setting_button(t.plain("button_digests"), setting_data("page", "digests"))]]
    )  # fmt: skip


async def _page(
    context: ContextTypes.DEFAULT_TYPE, t: Texts, group: CoordinatorGroup, page: str
) -> InlineKeyboardMarkup:
    back = [setting_button(t.plain("button_back"), setting_data("page", "main"))]
    if page == "cats":
        rows = [
            [setting_button(ticked(c.code in group.category_codes, category_label(c, t.language)),
                     setting_data("category", c.code))]
            for c in services(context).categories if c.active
        ]  # fmt: skip
        return InlineKeyboardMarkup([*rows, back])
    if page == "digests":
        chosen = await services(context).db(subscriptions, group=group)
        return InlineKeyboardMarkup([*digest_rows(t, chosen), back])
    if page == "orgs":
        found = await services(context).db(organisations)
        rows = [
            [setting_button(ticked(o.id in group.organisation_ids, o.name),
                            setting_data("org", o.id))]
            for o in found
        ]  # fmt: skip
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
    await edit_page(query.message, heading, await _page(context, t, group, page))
