"""The buttons of the report conversation: each press changes the draft, then the chat.

A press that fits the draft as the gate found it is answered at once; a stale press (an
old message, another draft, garbled data) gets a short alert and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers import menus
from handlers.access import private_member
from handlers.answers import acknowledge, answer_now, settle_message, was_answered
from handlers.report import keyboards, place, privacy
from handlers.report.conversation import member_of
from handlers.report.prompts import (
    ask,
    category_note,
    draft_summary,
    duplicate_question,
    step_prompt,
    when_label,
)
from handlers.report.timeparse import window_time
from handlers.services import current_draft, services, texts
from handlers.texts import Html
from storage.coordination.cards import observation_card
from storage.kinds import Step
from storage.personal_data import has_personal_data
from storage.reports import drafts, observations
from storage.reports.drafts import DraftProblem, DraftState
from storage.reports.duplicates import find_duplicate
from storage.tables import utcnow

log = logging.getLogger(__name__)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A conversation button; stale or foreign buttons get a short alert and change nothing.

    A press that fits the draft as the gate found it is answered at once, before the work.
    """
    query = update.callback_query
    assert query is not None
    if private_member(update, context) is None:  # without an invite, or pressed in a group
        await query.answer(texts(context).plain("stale_button"))
        return
    press = keyboards.parse(query.data)
    state = current_draft(context)
    early = None
    if press is not None and state is not None and _fits(press, state.step, state.key):
        early = answer_now(context, query)
        for _ in range(TURNS_TO_SEND):  # let the answer go out before the database work
            await asyncio.sleep(0)
    try:
        if press is None:
            raise DraftProblem("stale")
        await _dispatch(update, context, press)
    except DraftProblem:
        stale = texts(context).plain("stale_button")
        if was_answered(context, query):  # the draft changed meanwhile: say so in the chat
            await context.bot.send_message(_chat(update), stale)
        else:
            await query.answer(stale)
    finally:
        if early is not None:
            with contextlib.suppress(TelegramError):  # a lost answer only leaves a spinner
                await early


FIELD_STEPS = {"category": Step.CATEGORY, "place": Step.PLACE, "description": Step.DESCRIPTION,
               "when": Step.WHEN, "summary": Step.SUMMARY}  # fmt: skip

# An answer passes a few awaits (rate limiter, connection pool) before it is written to the
# socket; this many turns of the event loop let it go out first (bench/report_throughput.py
# --by-action: presses answered in 5 ms instead of 9 at low load).
TURNS_TO_SEND = 5

# The steps at which each button does something; a press at another step is stale.
BUTTON_STEPS: dict[str, tuple[Step, ...]] = {
    "cat": (Step.CATEGORY,),
    "pick": (Step.PLACE_CHOICE, Step.PLACE_CONFIRM),
    "keep": (Step.PLACE_CHOICE,),
    "notplace": (Step.PLACE_CONFIRM,),
    "when": (Step.WHEN, Step.WHEN_WINDOW),
    "day": (Step.WHEN, Step.WHEN_WINDOW),
    "win": (Step.WHEN_WINDOW,),
    "send": (Step.SUMMARY,),
    "mask": (Step.SUMMARY,),
    "edit": (Step.SUMMARY, Step.EDIT_MENU),
    "field": (Step.SUMMARY, Step.EDIT_MENU),
    "cancel": tuple(Step),
    "resume": tuple(Step),
    "restart": tuple(Step),
}


def _fits(press: keyboards.Press, step: Step, key: str) -> bool:
    return press.key == key and step in BUTTON_STEPS.get(press.action, ())


async def _dispatch(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    action = press.action
    if action in ("pick", "keep", "notplace"):
        return await place.on_place_button(update, context, press)
    handler = BUTTONS.get(action)
    if handler is None:
        raise DraftProblem("stale")
    await handler(update, context, press)


async def settle(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    record: str | None,
    then: Awaitable[object] | None = None,
) -> None:
    """Answer the button and turn its message into a record of the choice (no buttons left)."""
    query = update.callback_query
    assert query is not None
    jobs: list[Awaitable[object]] = [acknowledge(context, query)]
    if record is not None:
        jobs.append(settle_message(query.edit_message_text(record, reply_markup=None)))
    if then is not None:
        jobs.append(then)
    await asyncio.gather(*jobs)


def _pressed_draft(context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press) -> DraftState:
    """The draft the press was made for, as the gate found it; stale if it is gone."""
    state = current_draft(context)
    if state is None or state.key != press.key:
        raise DraftProblem("stale")
    return state


def _chat(update: Update) -> int:
    return update.effective_chat.id  # type: ignore[union-attr]


async def _pressed_category(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    state = await s.db(drafts.set_category, user_id=me.user_id, key=press.key, code=press.argument)
    record = category_note(context, t, state)
    await settle(update, context, record, ask(context, _chat(update), t, state))


async def _pressed_when(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    now = utcnow()
    moment = now - timedelta(minutes=30) if press.argument == "recent" else now
    await _store_time(update, context, press, moment, now)


async def _store_time(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    press: keyboards.Press,
    moment: datetime,
    now: datetime,
) -> None:
    """Store when it happened, record it on the pressed message, ask what comes next."""
    s, t, me = services(context), texts(context), member_of(context)
    state = await s.db(
        drafts.set_occurred_at, user_id=me.user_id, key=press.key, occurred_at=moment, now=now
    )
    record = f"🕒 {when_label(moment, s.tz, t, now)}"
    await settle(update, context, record, ask(context, _chat(update), t, state))


async def _pressed_day(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    day = "yesterday" if press.argument == "yesterday" else "today"
    state = await s.db(drafts.choose_day, user_id=me.user_id, key=press.key, day=day)
    text, markup = step_prompt(context, t, state)
    query = update.callback_query
    assert query is not None and isinstance(markup, InlineKeyboardMarkup)
    await asyncio.gather(
        acknowledge(context, query),
        settle_message(query.edit_message_text(text, reply_markup=markup)),
    )


async def _pressed_window(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    draft = _pressed_draft(context, press)
    now = utcnow()
    day = draft.draft.when_day or "today"
    moment = window_time(day, press.argument, now=now, tz=services(context).tz)
    if moment is None:
        raise DraftProblem("stale")
    await _store_time(update, context, press, moment, now)


async def _pressed_send(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    """Skicka: first, is it the same as an open observation close by? Then file it."""
    s, t, me = services(context), texts(context), member_of(context)
    query = update.callback_query
    assert query is not None
    if await privacy.refuse_send_with_personal_data(update, context):
        return
    if press.argument == "":
        candidate = await s.db(find_duplicate, user_id=me.user_id, key=press.key)
        if candidate is not None:
            question = context.bot.send_message(
                _chat(update),
                duplicate_question(t, candidate),
                reply_markup=keyboards.duplicate(t, press.key, candidate.observation_id),
            )
            await asyncio.gather(acknowledge(context, query), question)
            return
    original = int(press.argument[1:]) if press.argument[1:].isdigit() else None
    state = current_draft(context)
    filed = await s.db_then_deliver(
        observations.submit_draft, user_id=me.user_id, key=press.key, tz=s.tz,
        duplicate_of=original if press.argument.startswith("s") else None, areas=s.areas,
    )  # fmt: skip
    reference = filed.observation.reference
    if filed.already_filed:  # a second tap on Skicka: nothing new is stored
        await acknowledge(context, query, t.plain("filed_already").format(reference=reference))
        return
    # Who and what, never what they wrote: logs are kept longer and read by more people.
    log.info("observation %s filed by user %s", reference, me.user_id)
    record = t("sent_record", reference=reference)
    if state is not None:
        record = Html(f"{record}\n\n{draft_summary(context, t, state)}")
    thanks_text = t("filed", reference=reference)
    if filed.observation.duplicate_of_id is not None:
        card = await s.db(observation_card, observation_id=filed.observation.duplicate_of_id)
        thanks_text = t(
            "filed_duplicate", reference=reference, original=card.reference,
            total=card.confirmations + 1,
        )  # fmt: skip
    thanks = context.bot.send_message(_chat(update), thanks_text, reply_markup=menus.main_menu(t))
    await settle(update, context, record, thanks)


async def _pressed_edit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    state = await s.db(drafts.edit_field, user_id=me.user_id, key=press.key, step=None)
    query = update.callback_query
    assert query is not None
    markup = keyboards.edit_menu(t, state.key, state.photo_count > 0)
    await asyncio.gather(
        acknowledge(context, query), settle_message(query.edit_message_reply_markup(markup))
    )


async def _pressed_field(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    query = update.callback_query
    assert query is not None
    if press.argument == "photos":
        state, unused = await s.db(drafts.remove_photos, user_id=me.user_id, key=press.key)
        text, markup = step_prompt(context, t, state)
        assert isinstance(markup, InlineKeyboardMarkup)  # the summary's buttons
        await asyncio.gather(
            acknowledge(context, query, t.plain("photos_removed")),
            settle_message(query.edit_message_text(text, reply_markup=markup)),
        )
        await services(context).remove_files(unused)
        return
    step = FIELD_STEPS.get(press.argument)
    if step is None:
        raise DraftProblem("stale")
    state = await s.db(drafts.edit_field, user_id=me.user_id, key=press.key, step=step)
    if step is Step.SUMMARY:  # back from the edit menu: Skicka, unless personal data waits
        text, markup = step_prompt(context, t, state)
        assert isinstance(markup, InlineKeyboardMarkup)
        edit = (
            query.edit_message_text(text, reply_markup=markup)
            if has_personal_data(state.draft.description)
            else query.edit_message_reply_markup(markup)
        )
        await asyncio.gather(acknowledge(context, query), settle_message(edit))
        return
    await settle(
        update, context, draft_summary(context, t, state), ask(context, _chat(update), t, state)
    )


async def _pressed_cancel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    _pressed_draft(context, press)
    unused = await s.db(drafts.cancel_draft, user_id=me.user_id)
    await settle(update, context, t("cancelled"))
    await s.remove_files(unused or [])


async def _pressed_resume(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    t = texts(context)
    state = _pressed_draft(context, press)
    await settle(update, context, t("button_continue"), ask(context, _chat(update), t, state))


async def _pressed_restart(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    _pressed_draft(context, press)
    state = await s.db(drafts.start_draft, user_id=me.user_id)
    await s.remove_files(state.discarded)
    await settle(update, context, t("button_restart"), ask(context, _chat(update), t, state))


BUTTONS = {
    "cat": _pressed_category,
    "when": _pressed_when,
    "day": _pressed_day,
    "win": _pressed_window,
    "send": _pressed_send,
    "edit": _pressed_edit,
    "field": _pressed_field,
    "cancel": _pressed_cancel,
    "mask": privacy.pressed_mask,
    "resume": _pressed_resume,
    "restart": _pressed_restart,
}
