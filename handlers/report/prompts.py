"""What the bot says at each step of the report conversation, and how a draft reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from telegram.ext import ContextTypes

from handlers import menus
from handlers.labels import category_label, place_label
from handlers.report import keyboards
from handlers.report.timeparse import windows_open
from handlers.services import services
from handlers.texts import Html, Texts
from storage.kinds import Step
from storage.personal_data import find_personal_data
from storage.reports.drafts import DraftState
from storage.reports.duplicates import PossibleDuplicate
from storage.tables import Category, utcnow


def when_label(moment: datetime | None, tz: ZoneInfo, t: Texts, now: datetime | None = None) -> str:
    """ "idag 21:30", "igår 22:15" or "2026-11-20 18:00", in local time."""
    if moment is None:
        return "–"
    local = moment.astimezone(tz)
    today = (now or utcnow()).astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{t.plain('day_today')} {clock}"
    if local.date() == today - timedelta(days=1):
        return f"{t.plain('day_yesterday')} {clock}"
    return local.strftime("%Y-%m-%d %H:%M")


def summary_text(
    t: Texts, state: DraftState, tz: ZoneInfo, category: Category | None = None
) -> Html:
    draft = state.draft
    photos = t("photos_some", count=state.photo_count) if state.photo_count else t("photos_none")
    return t(
        "summary",
        category=category_label(category, t.language),
        place=place_label(t, state.place),
        when=when_label(draft.occurred_at, tz, t),
        description=draft.description or "–",
        photos=photos,
    )


def draft_summary(context: ContextTypes.DEFAULT_TYPE, t: Texts, state: DraftState) -> Html:
    """The summary of a draft, without the question under it."""
    s = services(context)
    return summary_text(t, state, s.tz, s.category(state.draft.category_code))


def category_note(context: ContextTypes.DEFAULT_TYPE, t: Texts, state: DraftState) -> Html:
    """ "Kategori: 🎨 Klotter", a record of the chosen category."""
    category = services(context).category(state.draft.category_code)
    return t("category_chosen", category=category_label(category, t.language))


def duplicate_question(t: Texts, candidate: PossibleDuplicate) -> Html:
    """ "Samma som EST-2026-0040 vid Kvarnparken, rapporterad för 2 h sedan?" """
    minutes = max(1, int((utcnow() - candidate.reported_at).total_seconds() // 60))
    if minutes < 120:
        ago = t.plain("ago_minutes").format(count=minutes)
    elif minutes < 48 * 60:
        ago = t.plain("ago_hours").format(count=minutes // 60)
    else:
        ago = t.plain("ago_days").format(count=minutes // (24 * 60))
    name = candidate.place_name or candidate.place_text
    place = t.plain("place_at").format(name=name) if name else ""
    return t("duplicate_question", reference=candidate.reference, place=place, ago=ago)


def step_prompt(
    context: ContextTypes.DEFAULT_TYPE, t: Texts, state: DraftState
) -> tuple[Html, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    """The question for the draft's current step and the keyboard to answer it with."""
    key, step = state.key, state.step
    s = services(context)
    if step is Step.CATEGORY:
        active = [c for c in s.categories if c.active]
        return t("ask_category"), keyboards.categories(key, active, t.language)
    if step is Step.PLACE:
        return t("ask_place"), keyboards.place_menu(t, state.last_place)
    if step is Step.PLACE_CHOICE:
        labels = [place_label(t, place) for place in state.pending]
        return t("place_choices"), keyboards.place_choices(t, key, labels)
    if step is Step.PLACE_CONFIRM:
        place = place_label(t, state.pending[0]) if state.pending else "?"
        return t("place_confirm", place=place), keyboards.place_confirm(t, key)
    if step is Step.DESCRIPTION:
        return t("ask_description"), menus.main_menu(t)
    if step is Step.WHEN:
        return t("ask_when"), keyboards.when(t, key)
    if step is Step.WHEN_WINDOW:
        day = state.draft.when_day or "today"
        names = windows_open(day, now=utcnow(), tz=s.tz)
        return t("ask_window", day=t.plain(f"day_{day}")), keyboards.windows(t, key, names)
    if step is Step.EDIT_MENU:
        return t("edit_menu"), keyboards.edit_menu(t, key, state.photo_count > 0)
    summary = draft_summary(context, t, state)
    found = find_personal_data(state.draft.description or "")
    if found:  # no Skicka until it is masked or rewritten: see handlers/report/privacy.py
        shown = list(dict.fromkeys(f.text for f in found))  # a few: the summary has 4096
        listed = ", ".join(shown[:3]) + (" …" if len(shown) > 3 else "")
        warning = t("personal_data_found", found=listed)
        return Html(f"{summary}\n\n{warning}"), keyboards.personal_data(t, key)
    return Html(f"{summary}\n\n{t('summary_question')}"), keyboards.summary(t, key)


def expects(t: Texts, step: Step) -> Html:
    """What a step waits for, said to someone who sent something else."""
    names = {
        Step.CATEGORY: "expects_category",
        Step.PLACE: "expects_place",
        Step.PLACE_CHOICE: "expects_place_choice",
        Step.PLACE_CONFIRM: "expects_place_confirm",
        Step.DESCRIPTION: "expects_description",
        Step.WHEN: "expects_when",
        Step.WHEN_WINDOW: "expects_when",
    }
    return t(names.get(step, "expects_summary"))


async def ask(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    t: Texts,
    state: DraftState,
    *,
    note: str | None = None,
    restore_menu: bool = False,
) -> Message:
    """Send the question for the draft's step, with a note (what was just stored) before it.

    After the place step the main keyboard must come back in place of the position
    keyboard; where the next question needs inline buttons, the note carries it alone.
    """
    text, markup = step_prompt(context, t, state)
    if restore_menu and isinstance(markup, InlineKeyboardMarkup):
        await context.bot.send_message(
            chat_id,
            note or t("place_set", place=place_label(t, state.place)),
            reply_markup=menus.main_menu(t),
        )
        note = None
    body = f"{note}\n\n{text}" if note else text
    return await context.bot.send_message(chat_id, body, reply_markup=markup)
