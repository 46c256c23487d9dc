"""How an intervention reads in the group, its buttons, and the dates people type for it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.texts import Html, Texts
from storage.coordination.interventions import InterventionView
from storage.kinds import InterventionStatus
from storage.people.access import Member

FOLLOW_UP_DAYS = (7, 14, 30)
_IN_DAYS = re.compile(r"^(?:om|in)\s+(\d{1,3})\s+(dag|dagar|day|days|vecka|veckor|week|weeks)$")


def parse_date(text: str, today: date) -> date | None:
    """ "2026-12-15", "15/12", "om 2 veckor", "in 10 days"; None if not a date."""
    clean = " ".join(text.lower().split())
    try:
        return date.fromisoformat(clean)
    except ValueError:
        pass
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})", clean):
        day, month = int(match.group(1)), int(match.group(2))
        try:
            found = date(today.year, month, day)
        except ValueError:
            return None
        return found if found >= today else date(today.year + 1, month, day)
    if match := _IN_DAYS.match(clean):
        weeks = match.group(2).startswith(("v", "w"))
        return today + timedelta(days=int(match.group(1)) * (7 if weeks else 1))
    return None


def status_label(t: Texts, status: InterventionStatus) -> str:
    return t.plain(f"intervention_{status.value}")


def intervention_text(t: Texts, view: InterventionView) -> Html:
    item = view.intervention
    lines = [t("intervention_head", number=view.number, what=item.what)]
    lines.append(t("intervention_status", status=status_label(t, item.status)))
    lines.append(t("intervention_owner", owner=item.owner or "–"))
    follow_up = item.follow_up_on.isoformat() if item.follow_up_on else "–"
    lines.append(t("intervention_follow_up", date=follow_up))
    if view.references:
        lines.append(t("intervention_observations", references=", ".join(view.references)))
    if item.place_name:
        lines.append(t("intervention_place", place=item.place_name))
    if item.evaluation:
        lines.append(t("intervention_evaluation", evaluation=item.evaluation))
    return Html("\n".join(lines))


def _button(
    t: Texts, key: str, number: int, action: str, argument: str = ""
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t.plain(key), callback_data=callbacks.data(callbacks.INTERVENTION, number, action, argument)
    )


def intervention_keyboard(t: Texts, view: InterventionView) -> InlineKeyboardMarkup | None:
    """The next steps: under way, done, evaluate."""
    number, status = view.number, view.intervention.status
    row = []
    if status is InterventionStatus.PLANNED:
        row.append(_button(t, "button_ongoing", number, "status", InterventionStatus.ONGOING))
    if status in (InterventionStatus.PLANNED, InterventionStatus.ONGOING):
        row.append(_button(t, "button_done", number, "status", InterventionStatus.DONE))
    if status is not InterventionStatus.EVALUATED:
        row.append(_button(t, "button_evaluate", number, "evaluate"))
    return InlineKeyboardMarkup([row]) if row else None


def owner_keyboard(t: Texts, number: int, me: Member) -> InlineKeyboardMarkup:
    mine = InlineKeyboardButton(
        t.plain("button_owner_me").format(name=me.full_name)[:60],
        callback_data=callbacks.data(callbacks.INTERVENTION, number, "owner", "me"),
    )
    return InlineKeyboardMarkup([[mine, _button(t, "button_skip", number, "owner", "skip")]])


def follow_up_keyboard(t: Texts, number: int) -> InlineKeyboardMarkup:
    days = [_button(t, f"button_days_{d}", number, "follow", str(d)) for d in FOLLOW_UP_DAYS]
    return InlineKeyboardMarkup([days, [_button(t, "button_skip", number, "follow", "none")]])
