"""Interventions (insatser) in the coordinators' group: record, follow up, evaluate.

`/insats EST-2026-0042 Mer belysning` records one at once; the card's "Insats" button asks
what will be done. Then two short questions (who owns it, when to follow up), answered with
a button or by replying to the question.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.group.intervention_texts import (
    FOLLOW_UP_DAYS,
    follow_up_keyboard,
    intervention_keyboard,
    intervention_text,
    owner_keyboard,
    parse_date,
    status_label,
)
from handlers.services import current_member, services
from handlers.texts import Html, Texts
from storage.coordination.cards import card_for_group, find_observation
from storage.coordination.interventions import (
    open_interventions,
    record_intervention,
    update_intervention,
)
from storage.coordination.statuses import NotAllowed
from storage.kinds import InterventionStatus, Posted
from storage.outbox import mark_delivered
from storage.people.access import Member
from storage.places.gazetteer import PlaceValue
from storage.references import parse_reference
from storage.tables import PostedMessage, utcnow
from storage.visibility import find_group

TAPPED = re.compile(r"^/(?:insats|intervention)_(\d{1,9})(?:@\w+)?$", re.IGNORECASE)


async def _post(
    context: ContextTypes.DEFAULT_TYPE, near: Message, text: str, role: Posted,
    *, observation_id: int | None = None, intervention_id: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:  # fmt: skip
    """Post in the group's thread and remember what the message is about."""
    sent = await near.reply_text(text, reply_markup=markup, do_quote=False)
    await services(context).db(
        mark_delivered, ids=[], chat_id=sent.chat_id,
        posted=[(sent.message_id, role, observation_id, intervention_id)],
    )  # fmt: skip
    return sent


async def ask_what(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, near: Message, observation_id: int
) -> None:
    """The card's "Insats" button: what will be done? (answered by replying)."""
    t = await services(context).texts_for_chat(chat_id)
    await _post(context, near, t("ask_intervention_what"), Posted.ASK_WHAT,
                observation_id=observation_id)  # fmt: skip


def _me(context: ContextTypes.DEFAULT_TYPE) -> Member | None:
    member = current_member(context)
    return member if member is not None and member.role.coordinates else None


async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/insats [EST-2026-0042 …] <what>: a planned intervention, then who and when."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    s, me = services(context), _me(context)
    t = await services(context).texts_for_chat(chat.id)
    if me is None:
        await message.reply_text(t("intervention_refused"))
        return
    if await s.db(find_group, chat_id=chat.id) is None:
        await message.reply_text(t("not_linked"))
        return
    words = list(context.args or [])
    observation_ids: list[int] = []
    while words and parse_reference(words[0]) is not None:
        token = words.pop(0)
        found = await s.db(find_observation, reference=token)
        if found is None or found.id is None:
            await message.reply_text(t("show_unknown", reference=token))
            return
        if await s.db(card_for_group, observation_id=found.id, chat_id=chat.id) is None:
            await message.reply_text(t("show_not_allowed", reference=found.reference))
            return
        observation_ids.append(found.id)
    what = " ".join(words).strip()
    place = None if observation_ids else await _place_before_colon(context, what)
    if place is not None:
        what = what.partition(":")[2].strip()
    if not what and len(observation_ids) == 1:
        await ask_what(context, chat.id, message, observation_ids[0])
        return
    if not what:
        await message.reply_text(t("intervention_usage"))
        return
    await _recorded(context, message, me, what, tuple(observation_ids), place)


async def _place_before_colon(context: ContextTypes.DEFAULT_TYPE, text: str) -> PlaceValue | None:
    """ "Kvarnparken: nattvandring fredagar": an intervention at a named place."""
    name, colon, _ = text.partition(":")
    if not colon or not name.strip() or len(name) > 80:
        return None
    found = await services(context).find_place(name.strip())
    return found[0] if found and found[0].has_point else None


async def _recorded(
    context: ContextTypes.DEFAULT_TYPE, near: Message, me: Member, what: str,
    observation_ids: tuple[int, ...], place: PlaceValue | None = None,
) -> None:  # fmt: skip
    s = services(context)
    t = await services(context).texts_for_chat(near.chat_id)
    view = await s.db(
        record_intervention, what=what, chat_id=near.chat_id,
        thread_id=near.message_thread_id if near.is_topic_message else None,
        by_user_id=me.user_id, observation_ids=observation_ids, place=place,
    )  # fmt: skip
    text = Html(
        f"{t('intervention_recorded', number=view.number)}\n\n{t('ask_intervention_owner')}"
    )
    await _post(context, near, text, Posted.ASK_OWNER, intervention_id=view.number,
                markup=owner_keyboard(t, view.number, me))  # fmt: skip


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, asked: PostedMessage
) -> None:
    """A reply to one of the bot's questions about an intervention."""
    message = update.effective_message
    assert message is not None
    me = _me(context)
    t = await services(context).texts_for_chat(message.chat_id)
    if me is None:
        await message.reply_text(t("intervention_refused"))
        return
    text = (message.text or message.caption or "").strip()
    if not text:
        return
    if asked.role is Posted.ASK_WHAT and asked.observation_id is not None:
        await _recorded(context, message, me, text, (asked.observation_id,))
        return
    number = asked.intervention_id
    if number is None:
        return
    try:
        await _answer(context, message, t, me, asked.role, number, text)
    except NotAllowed:
        await message.reply_text(t("intervention_refused"))


async def _answer(
    context: ContextTypes.DEFAULT_TYPE, message: Message, t: Texts, me: Member, role: Posted,
    number: int, text: str,
) -> None:  # fmt: skip
    if role is Posted.ASK_OWNER:
        await _owner_set(context, message, me, number, text)
    elif role is Posted.ASK_FOLLOW_UP:
        today = utcnow().astimezone(services(context).tz).date()
        day = parse_date(text, today)
        if day is None or day < today:
            await message.reply_text(t("follow_up_unreadable", text=text))
            return
        await _follow_up_set(context, message, me, number, day)
    elif role is Posted.ASK_EVALUATION:
        view = await services(context).db(
            update_intervention, intervention_id=number, chat_id=message.chat_id,
            by_user_id=me.user_id, evaluation=text,
        )  # fmt: skip
        await _post(context, message, intervention_text(t, view), Posted.INTERVENTION,
                    intervention_id=number)  # fmt: skip


async def _owner_set(
    context: ContextTypes.DEFAULT_TYPE, near: Message, me: Member, number: int, owner: str
) -> None:
    t = await services(context).texts_for_chat(near.chat_id)
    await services(context).db(
        update_intervention,
        intervention_id=number,
        chat_id=near.chat_id,
        by_user_id=me.user_id,
        owner=owner,
    )
    await _post(context, near, t("ask_intervention_follow_up"), Posted.ASK_FOLLOW_UP,
                intervention_id=number, markup=follow_up_keyboard(t, number))  # fmt: skip


async def _follow_up_set(
    context: ContextTypes.DEFAULT_TYPE, near: Message, me: Member, number: int, day: date | None
) -> None:
    t = await services(context).texts_for_chat(near.chat_id)
    view = await services(context).db(
        update_intervention, intervention_id=number, chat_id=near.chat_id, by_user_id=me.user_id,
        follow_up_on=day, clear_follow_up=day is None,
    )  # fmt: skip
    await _post(context, near, intervention_text(t, view), Posted.INTERVENTION,
                intervention_id=number, markup=intervention_keyboard(t, view))  # fmt: skip


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`i:<number>:<action>:<argument>`: owner, follow-up, status, evaluate."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    t = await services(context).texts_for_chat(query.message.chat.id if query.message else 0)
    me = _me(context)
    if me is None:
        await query.answer(t.plain("intervention_refused"), show_alert=True)
        return
    valid = len(parts) == 4 and re.fullmatch(r"[0-9]{1,9}", parts[1]) is not None
    if not valid or not isinstance(query.message, Message):
        await query.answer(t.plain("stale_button"))
        return
    number, action, argument, near = int(parts[1]), parts[2], parts[3], query.message
    await query.answer()
    try:
        done = await _pressed(context, t, me, near, number, action, argument)
    except NotAllowed:  # another group's intervention, or gone
        await near.reply_text(t("intervention_refused"))
        return
    if done:  # the question is answered: its buttons go
        with contextlib.suppress(BadRequest):
            await near.edit_reply_markup(None)


async def _pressed(
    context: ContextTypes.DEFAULT_TYPE, t: Texts, me: Member, near: Message, number: int,
    action: str, argument: str,
) -> bool:  # fmt: skip
    today = utcnow().astimezone(services(context).tz).date()
    if action == "owner":
        await _owner_set(context, near, me, number, me.full_name if argument == "me" else "")
    elif action == "follow":
        days = int(argument) if argument in {str(d) for d in FOLLOW_UP_DAYS} else None
        day = today + timedelta(days=days) if days else None
        await _follow_up_set(context, near, me, number, day)
    elif action == "status" and argument in InterventionStatus.__members__.values():
        view = await services(context).db(
            update_intervention, intervention_id=number, chat_id=near.chat_id,
            by_user_id=me.user_id, status=InterventionStatus(argument),
        )  # fmt: skip
        await _post(context, near, intervention_text(t, view), Posted.INTERVENTION,
                    intervention_id=number, markup=intervention_keyboard(t, view))  # fmt: skip
    elif action == "evaluate":
        await services(context).db(  # only one's own group's, and only by a coordinator
            update_intervention, intervention_id=number, chat_id=near.chat_id,
            by_user_id=me.user_id,
        )  # fmt: skip
        await _post(context, near, t("ask_intervention_evaluation"), Posted.ASK_EVALUATION,
                    intervention_id=number)  # fmt: skip
    else:
        return False
    return True


async def list_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/insatser: the open interventions recorded in this group, earliest follow-up first."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    t = await _linked_texts(update, context)
    if t is None:
        return
    views = await services(context).db(open_interventions, chat_id=chat.id)
    if not views:
        await message.reply_text(t("interventions_none"))
        return
    lines = [t("interventions_head", count=len(views))]
    for view in views:
        item = view.intervention
        lines.append(
            t(
                "interventions_line",
                number=view.number,
                what=item.what[:80],
                status=status_label(t, item.status),
                owner=item.owner or "–",
                date=item.follow_up_on.isoformat() if item.follow_up_on else "–",
                command=f"/insats_{view.number}",
            )
        )
    await message.reply_text(Html("\n".join(lines)))


async def _linked_texts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Texts | None:
    """The group's texts if a registered person asks in a linked group; None (after telling
    them, if they are registered) if not: an unlinked group's old interventions stay hidden."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if current_member(context) is None:
        return None
    group = await services(context).db(find_group, chat_id=chat.id)
    t = services(context).texts_for_group(group)
    if group is None:
        await message.reply_text(t("not_linked"))
        return None
    return t


async def show_one(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/insats_3 (tapped in the list): the intervention with its buttons."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    tapped = TAPPED.match((message.text or "").strip())
    t = await _linked_texts(update, context)
    if tapped is None or t is None:
        return
    views = await services(context).db(open_interventions, chat_id=chat.id)
    view = next((v for v in views if v.number == int(tapped.group(1))), None)
    if view is None:
        await message.reply_text(t("intervention_unknown", number=tapped.group(1)))
        return
    await _post(context, message, intervention_text(t, view), Posted.INTERVENTION,
                intervention_id=view.number, markup=intervention_keyboard(t, view))  # fmt: skip
