"""The report conversation in a private chat: start, each step's answer, summary, send.

Every step is stored in the database before the bot answers, so a draft survives a restart
and nothing the reporter confirmed is lost.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers import menus
from handlers.report import keyboards, place
from handlers.report.prompts import ask, category_note, expects
from handlers.report.timeparse import parse_when
from handlers.services import current_draft, current_member, services, texts
from handlers.texts import Html, Texts
from storage.kinds import Step
from storage.people.access import Member
from storage.places.gazetteer import normalise
from storage.reports import drafts
from storage.reports.drafts import DraftProblem, DraftState
from storage.tables import Category, utcnow

PLACE_STEPS = (Step.PLACE, Step.PLACE_CHOICE, Step.PLACE_CONFIRM)


def member_of(context: ContextTypes.DEFAULT_TYPE) -> Member:
    member = current_member(context)
    if member is None:  # the gate lets no unregistered person this far
        raise RuntimeError("report handlers run only for registered members")
    return member


async def start_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rapport, /report or the "📝 Ny observation" button."""
    s, t, me = services(context), texts(context), member_of(context)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    existing = current_draft(context)
    if existing is not None and _has_content(existing):
        await context.bot.send_message(
            chat_id, t("draft_exists"), reply_markup=keyboards.resume(t, existing.key)
        )
        return
    state = await s.db(drafts.start_draft, user_id=me.user_id)
    await s.remove_files(state.discarded)
    await ask(context, chat_id, t, state)


def _has_content(state: DraftState) -> bool:
    draft = state.draft
    return bool(draft.category_code or draft.place_source or draft.description or state.photo_count)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/avbryt or /cancel at any step."""
    s, t, me = services(context), texts(context), member_of(context)
    unused = await s.db(drafts.cancel_draft, user_id=me.user_id)
    key = "nothing_to_cancel" if unused is None else "cancelled"
    await update.effective_message.reply_text(t(key), reply_markup=menus.main_menu(t))  # type: ignore[union-attr]
    await s.remove_files(unused or [])


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: the new-report button, or the answer to the step the draft waits at
    (the other menu button, Mina, has a handler of its own before this one)."""
    t = texts(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    if text in t.all_values("button_new"):
        return await start_report(update, context)
    state = current_draft(context)
    if state is None:
        await message.reply_text(t("idle_hint"), reply_markup=menus.main_menu(t))
        return
    if state.step in PLACE_STEPS:
        return await place.on_typed_place(update, context, state)
    if state.step is Step.CATEGORY:
        return await _typed_category(update, context, state)
    if state.step is Step.DESCRIPTION:
        return await _typed_description(update, context, text)
    if state.step in (Step.WHEN, Step.WHEN_WINDOW):
        return await _typed_time(update, context, state, text)
    await ask(context, message.chat_id, t, state, note=expects(t, state.step))


async def _typed_category(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DraftState
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    typed = normalise(message.text)
    matches = [c for c in s.categories if c.active and typed and _names(c, typed)]
    if len(matches) != 1:
        await ask(context, message.chat_id, t, state, note=expects(t, state.step))
        return
    new_state = await s.db(
        drafts.set_category, user_id=me.user_id, key=state.key, code=matches[0].code
    )
    note = category_note(context, t, new_state)
    await ask(context, message.chat_id, t, new_state, note=note)


def _names(category: Category, typed: str) -> bool:
    labels = (normalise(category.label_sv), normalise(category.label_en))
    return typed == category.code or any(typed in label for label in labels)


async def _typed_description(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    message = update.effective_message
    assert message is not None
    try:
        state = await s.db(drafts.set_description, user_id=me.user_id, text=text)
    except DraftProblem as problem:
        await message.reply_text(_problem_text(t, problem, text))
        return
    await ask(context, message.chat_id, t, state)


def _problem_text(t: Texts, problem: DraftProblem, text: str = "") -> Html:
    if problem.reason == "description_long":
        return t("description_long", length=len(text.strip()))
    if problem.reason in ("description_short", "too_many_photos", "not_an_image"):
        return t(problem.reason)
    return t("stale_button")


async def _typed_time(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DraftState, text: str
) -> None:
    s, t, me = services(context), texts(context), member_of(context)
    message = update.effective_message
    assert message is not None
    now = utcnow()
    day = state.draft.when_day if state.step is Step.WHEN_WINDOW else None
    moment = parse_when(text[:100], now=now, tz=s.tz, default_day=day)
    if moment is None:
        await message.reply_text(t("when_unreadable", text=text[:100]))
        return
    try:
        new_state = await s.db(
            drafts.set_occurred_at, user_id=me.user_id, key=None, occurred_at=moment, now=now
        )
    except DraftProblem as problem:
        if problem.reason != "future":
            raise
        await message.reply_text(t("when_future", time=moment.strftime("%Y-%m-%d %H:%M")))
        return
    await ask(context, message.chat_id, t, new_state)


async def unexpected(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, voice note, unknown command…: say what the current step needs."""
    t = texts(context)
    message = update.effective_message
    member = current_member(context)
    if message is None or member is None:
        return
    state = current_draft(context)
    if state is None:
        await message.reply_text(t("idle_hint"))
        return
    await ask(context, message.chat_id, t, state, note=expects(t, state.step))


async def edit_not_read(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: the draft took the text as first sent; say how to change it."""
    message = update.effective_message
    if message is not None and current_draft(context) is not None:
        await context.bot.send_message(message.chat_id, texts(context)("edit_not_read"))
