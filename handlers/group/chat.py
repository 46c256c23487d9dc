"""The coordinators' group: linking it, the status buttons on cards, replies as comments."""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.access import first_in_a_while
from handlers.group import cards
from handlers.group.interventions import answer_question, ask_what
from handlers.labels import category_label, status_label
from handlers.services import current_member, services, texts
from handlers.texts import Html, Texts
from storage.coordination.cards import card_for_group, observation_card, posted_about
from storage.coordination.groups import link_group, migrate_group, unlink_group
from storage.coordination.statuses import NotAllowed, add_comment, change_status
from storage.kinds import Status
from storage.people.access import Member
from storage.reports.photos import store_photo_file
from storage.tables import CoordinatorGroup
from storage.visibility import find_group, group_filter

log = logging.getLogger(__name__)
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


def coordinator(context: ContextTypes.DEFAULT_TYPE) -> Member | None:
    """The sender if they are a registered coordinator or admin."""
    member = current_member(context)
    return member if member is not None and member.role.coordinates else None


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/koppla: this group (in this topic) gets every new observation its filter lets in."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    me = coordinator(context)
    if me is None:
        await message.reply_text(texts(context)("link_refused"))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    group, already = await services(context).db(
        link_group,
        chat_id=chat.id,
        thread_id=thread,
        title=chat.title or "",
        linked_by_id=me.user_id,
        language=me.language,
    )
    t = services(context).texts_for_group(group)
    key = "link_again" if already else "link_done"
    await message.reply_text(t(key, filter=filter_text(context, t, group)))


def filter_text(context: ContextTypes.DEFAULT_TYPE, t: Texts, group: CoordinatorGroup) -> Html:
    """ "alla observationer; kategorier: alla; organisationer: alla"."""
    wanted = group_filter(group)
    s = services(context)
    categories = [category_label(s.category(code), t.language) for code in wanted.category_codes]
    return t(
        "filter_text",
        which=t.plain("filter_urgent_only" if wanted.urgent_only else "filter_everything"),
        categories=", ".join(categories) or t.plain("filter_all"),
        organisations=str(len(wanted.organisation_ids)) if wanted.organisation_ids
        else t.plain("filter_all"),
    )  # fmt: skip


async def unlink(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/koppla_bort: nothing more is posted here."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if coordinator(context) is None:
        await message.reply_text(texts(context)("link_refused"))
        return
    done = await services(context).db(unlink_group, chat_id=chat.id)
    await message.reply_text(texts(context)("unlink_done" if done else "not_linked"))


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to a group (say how to link it) or removed (unlink at once)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        if await services(context).db(unlink_group, chat_id=change.chat.id):
            log.info("removed from group %s: unlinked", change.chat.id)
        return
    old = change.old_chat_member.status
    if old in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        await context.bot.send_message(change.chat.id, texts(context)("added_to_group"))


async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its link moves to the new chat id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    if await services(context).db(migrate_group, old_chat_id=old, new_chat_id=new):
        log.info("group %s became supergroup %s; link kept", old, new)


async def on_card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A status button or "Insats" on a card: coordinators only, in a group that sees it."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    parts = (query.data or "").split(":")
    t = texts(context)
    if len(parts) != 4 or not re.fullmatch(r"[0-9]{1,12}", parts[1]):
        await query.answer(t.plain("stale_button"))
        return
    observation_id, action, argument = int(parts[1]), parts[2], parts[3]
    me = coordinator(context)
    s = services(context)
    if me is None:
        await query.answer(t.plain("status_refused"), show_alert=True)
        return
    card = await s.db(card_for_group, observation_id=observation_id, chat_id=chat.id)
    if card is None:  # not shown in this group (or forged)
        await query.answer(t.plain("not_in_this_group"), show_alert=True)
        return
    if action == "insats":
        await query.answer()
        await ask_what(context, chat.id, query.message, observation_id)  # type: ignore[arg-type]
        return
    if action != "status" or argument not in {status.value for status in cards.STATUS_BUTTONS}:
        await query.answer(t.plain("stale_button"))
        return
    try:
        result = await s.db_then_deliver(
            change_status, observation_id=observation_id, status=Status(argument),
            by_user_id=me.user_id,
        )  # fmt: skip
    except NotAllowed:
        await query.answer(t.plain("status_refused"), show_alert=True)
        return
    label = status_label(t, result.observation.status)
    await query.answer(t.plain("status_set").format(status=label))
    if result.changed and isinstance(query.message, Message):  # the card at once; others follow
        await edit_card(context, query.message, observation_id)


async def edit_card(
    context: ContextTypes.DEFAULT_TYPE, message: Message, observation_id: int
) -> None:
    """Show the observation as it is now on the card message that was pressed."""
    s = services(context)
    card = await s.db(observation_card, observation_id=observation_id)
    t = await s.texts_for_chat(message.chat_id)
    await cards.show_on_card(
        context.bot, message.chat_id, message.message_id, as_caption=bool(message.photo),
        card=card, t=t, tz=s.tz,
    )  # fmt: skip


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply in a linked group to a message about an observation: a comment on it, or the
    answer to a question the bot asked (about an intervention)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    s = services(context)
    if await s.db(find_group, chat_id=chat.id) is None:
        return  # an unlinked group keeps its talk to itself
    about = await s.db(posted_about, chat_id=chat.id, message_id=replied.message_id)
    if not about:
        return
    member = current_member(context)
    if member is None:
        await _tell_stranger(context, message)
        return
    if about[0].role.is_question:
        await answer_question(update, context, about[0])
        return
    observations = {posted.observation_id for posted in about if posted.observation_id}
    if not observations:  # about an intervention: nothing to keep
        return
    if len(observations) > 1:
        await message.reply_text(texts(context)("comment_which"))
        return
    await _store_comment(context, message, member, observations.pop())


async def _store_comment(
    context: ContextTypes.DEFAULT_TYPE, message: Message, member: Member, observation_id: int
) -> None:
    s = services(context)
    text = (message.text or message.caption or "").strip()
    photo = None
    if message.photo:
        largest = message.photo[-1]
        try:
            data = await (await context.bot.get_file(largest.file_id)).download_as_bytearray()
            stored = await s.blocking(store_photo_file, bytes(data), s.photo_dir)
            photo = (largest.file_id, largest.file_unique_id, stored)
        except Exception:  # noqa: BLE001 - the comment's text is kept even if the photo is not
            log.warning("a comment's photo could not be stored", exc_info=True)
    if not text and photo is None:
        return
    await s.db_then_deliver(
        add_comment,
        observation_id=observation_id,
        author_id=member.user_id,
        text=text,
        chat_id=message.chat_id,
        message_id=message.message_id,
        photo=photo,
    )
    try:
        await message.set_reaction("👍")
    except BadRequest:  # reactions may be turned off in the group
        await message.reply_text(texts(context)("comment_saved"))


async def _tell_stranger(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """Someone in the group without an invite: told once an hour that nothing was kept."""
    sender = message.from_user.id if message.from_user else 0
    if first_in_a_while(context, sender, "estbot.told_in_groups"):
        await message.reply_text(texts(context)("comment_stranger"))
