"""/visa EST-2026-0042: an observation with its status history and comments."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from handlers.group import cards
from handlers.labels import status_label
from handlers.services import current_member, services
from handlers.texts import Html, Texts
from storage.coordination.cards import ObservationHistory, find_observation, observation_history
from storage.kinds import Posted
from storage.outbox import mark_delivered
from storage.people.access import Member
from storage.references import parse_reference
from storage.visibility import find_group, group_sees

TAPPED = re.compile(r"^/(?:visa|show)_(\d{4})_(\d{1,6})(?:@\w+)?$", re.IGNORECASE)
COMMENT_SHOWN = 1000


def asked_reference(message: Message, args: list[str] | None) -> str:
    """The reference after /visa, or in a tapped /visa_2026_0042."""
    tapped = TAPPED.match((message.text or "").strip())
    if tapped:
        return f"{tapped.group(1)}-{tapped.group(2)}"
    return " ".join(args or []).strip()


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a linked group: what its filter lets in. In private: one's own, or any for
    coordinators."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    s, member = services(context), current_member(context)
    group = None if chat.type == ChatType.PRIVATE else await s.db(find_group, chat_id=chat.id)
    t = s.texts_for_group(group) if group is not None else s.texts_for(member)
    if member is None:
        return  # strangers in a group get nothing; in private the gate answered already
    if chat.type != ChatType.PRIVATE and group is None:
        await message.reply_text(t("not_linked"))
        return
    reference = parse_reference(asked_reference(message, context.args))
    if reference is None:  # nothing, or anything but a reference: never echoed back whole
        await message.reply_text(t("show_usage"))
        return
    observation = await s.db(find_observation, reference=reference)
    if observation is None or observation.id is None:
        await message.reply_text(t("show_unknown", reference=reference))
        return
    if group is not None:
        allowed = await s.db(group_sees, chat_id=chat.id, observation=observation)
    else:
        allowed = _may_see_in_private(member, observation.reporter_id)
    if not allowed:
        await message.reply_text(t("show_not_allowed", reference=observation.reference))
        return
    history = await s.db(observation_history, observation_id=observation.id)
    await _send_history(context, message, t, history, in_group=group is not None)


def _may_see_in_private(member: Member, reporter_id: int) -> bool:
    return member.role.coordinates or member.user_id == reporter_id


async def _send_history(
    context: ContextTypes.DEFAULT_TYPE, message: Message, t: Texts, history: ObservationHistory,
    *, in_group: bool,
) -> None:  # fmt: skip
    s = services(context)
    card = history.card
    observation = card.observation
    assert observation.id is not None
    parts = [t("history_head")]
    parts.append(t("history_reported", at=cards.local_time(observation.reported_at, s.tz)))
    if history.duplicate_of:
        parts.append(t("history_duplicate", reference=history.duplicate_of))
    for change in history.changes:
        parts.append(
            t(
                "history_status",
                at=cards.local_time(change.at, s.tz),
                status=status_label(t, change.status),
                by=change.by,
            )
        )
    for comment in history.comments:
        text = comment.text if len(comment.text) <= COMMENT_SHOWN else comment.text[:999] + "…"
        photo = " 📷" if comment.photo_count else ""
        parts.append(
            Html(
                t("history_comment", at=cards.local_time(comment.at, s.tz), by=comment.author,
                  text=text) + photo
            )
        )  # fmt: skip
    if not history.changes and not history.comments:
        parts.append(t("history_nothing_yet"))
    markup = cards.status_keyboard(t, observation.id, observation.status) if in_group else None
    sent = await message.reply_text(cards.card_text(t, card, s.tz), reply_markup=markup)
    posted = [(sent.message_id, Posted.CARD, observation.id, None)]
    for chunk in cards.split_messages(parts):
        more = await context.bot.send_message(
            sent.chat_id, chunk, message_thread_id=message.message_thread_id
            if message.is_topic_message else None,
        )  # fmt: skip
        posted.append((more.message_id, Posted.SHOW, observation.id, None))
    if in_group:  # replies to these are comments, and the card's buttons work like a card's
        await s.db(mark_delivered, ids=[], chat_id=sent.chat_id, posted=posted)
