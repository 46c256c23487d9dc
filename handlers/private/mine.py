"""/mina: the reporter's own latest observations and what became of them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers import menus
from handlers.labels import category_label, place_label, status_label
from handlers.services import current_member, services, texts
from handlers.texts import Html
from storage.places.gazetteer import PlaceValue
from storage.reports.observations import recent_observations


async def mine(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last ten observations: reference, date, category, place and status."""
    s, t = services(context), texts(context)
    member = current_member(context)
    message = update.effective_message
    assert member is not None and message is not None
    rows = await s.db(recent_observations, user_id=member.user_id, limit=10)
    if not rows:
        await message.reply_text(t("mine_empty"), reply_markup=menus.main_menu(t))
        return
    lines = [t("mine_header")]
    for observation, category in rows:
        place = PlaceValue(
            observation.place_source, observation.place_text, observation.latitude,
            observation.longitude, observation.place_name, observation.place_distance_m,
        )  # fmt: skip
        lines.append(
            t(
                "mine_line",
                reference=observation.reference,
                date=observation.occurred_at.astimezone(s.tz).strftime("%Y-%m-%d %H:%M"),
                category=category_label(category, t.language),
                place=place_label(t, place),
                status=status_label(t, observation.status),
            )
        )
    await message.reply_text(Html("\n".join(lines)), reply_markup=menus.main_menu(t))
