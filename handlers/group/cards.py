"""How an observation reads in a coordinators' group: the card, its buttons, summary lines."""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from digests.render import pack
from handlers import callbacks
from handlers.labels import category_label, place_label, status_label
from handlers.texts import Html, Texts
from storage.coordination.cards import Change, ObservationCard
from storage.kinds import Status
from storage.places.gazetteer import PlaceValue
from storage.tables import Observation

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
STATUS_BUTTONS = (Status.ASSESSED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
STATUS_ICONS = {
    Status.NEW: "🆕",
    Status.ASSESSED: "👁",
    Status.IN_PROGRESS: "🛠",
    Status.RESOLVED: "✅",
    Status.CLOSED: "🔒",
}
_TAGS = re.compile(r"<[^>]+>")
log = logging.getLogger(__name__)


def visible_length(text: str) -> int:
    """The length Telegram counts: the text without tags and entities, in UTF-16 units."""
    plain = html.unescape(_TAGS.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


def place_of(observation: Observation) -> PlaceValue:
    return PlaceValue(
        observation.place_source, observation.place_text, observation.latitude,
        observation.longitude, observation.place_name, observation.place_distance_m,
    )  # fmt: skip


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def map_link(t: Texts, observation: Observation) -> str:
    """A link to the point on OpenStreetMap, for coordinators at a desk."""
    if observation.latitude is None or observation.longitude is None:
        return ""
    lat, lon = f"{observation.latitude:.5f}", f"{observation.longitude:.5f}"
    url = f"https://www.openstreetmap.org/?mlat={lat}&amp;mlon={lon}#map=18/{lat}/{lon}"
    return f' · <a href="{url}">{html.escape(t.plain("card_map"))}</a>'


def status_line(t: Texts, status: Status, change: Change | None, tz: ZoneInfo) -> Html:
    label = f"{STATUS_ICONS[status]} {status_label(t, status)}"
    if change is None:
        return t("card_status", status=label)
    return t("card_status_by", status=label, by=change.by, at=local_time(change.at, tz))


def card_text(
    t: Texts, card: ObservationCard, tz: ZoneInfo, *, description_limit: int | None = None
) -> Html:
    """The card: reference, category, place, time, who, what, "+1"s and the status."""
    observation = card.observation
    who = card.organisation if card.reporter is None else f"{card.organisation} · {card.reporter}"
    description = observation.description
    if description_limit is not None and len(description) > description_limit:
        description = description[: max(0, description_limit - 1)].rstrip() + "…"
    lines = [
        t(
            "card_head",
            reference=observation.reference,
            category=category_label(card.category, t.language),
        ),
        Html(
            t("card_place", place=place_label(t, place_of(observation))) + map_link(t, observation)
        ),
        t("card_when", when=local_time(observation.occurred_at, tz)),
        t("card_who", who=who),
    ]
    if card.category.urgent:
        lines.insert(1, t("card_urgent"))
    if card.photo_paths:
        lines.append(t("card_photos", count=len(card.photo_paths)))
    if description:
        lines.append(t("card_description", description=description))
    if card.confirmations:
        lines.append(t("card_confirmed", count=card.confirmations, total=card.confirmations + 1))
    lines.append(status_line(t, observation.status, card.last_change, tz))
    return Html("\n".join(lines))


def caption_text(t: Texts, card: ObservationCard, tz: ZoneInfo) -> tuple[Html, bool]:
    """The card cut to fit a photo's caption; True when the description had to be cut."""
    full = card_text(t, card, tz)
    if visible_length(full) <= CAPTION_LIMIT:
        return full, False
    without = card_text(t, card, tz, description_limit=0)
    room = CAPTION_LIMIT - visible_length(without) - 20
    return card_text(t, card, tz, description_limit=max(0, room)), True


def status_keyboard(t: Texts, observation_id: int, current: Status) -> InlineKeyboardMarkup:
    """The status buttons under a card, the current one ticked, and "Insats"."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if status is current else "") + status_label(t, status),
            callback_data=callbacks.data(callbacks.CARD, observation_id, "status", status.value),
        )
        for status in STATUS_BUTTONS
    ]
    intervention = InlineKeyboardButton(
        t.plain("button_intervention"),
        callback_data=callbacks.data(callbacks.CARD, observation_id, "insats", ""),
    )
    return InlineKeyboardMarkup([buttons[:2], buttons[2:], [intervention]])


def show_command(reference: str) -> str:
    """ "/visa_2026_0042": a command that can be tapped (commands take no spaces or dashes)."""
    return "/visa_" + reference.removeprefix("EST-").replace("-", "_")


def summary_line(t: Texts, card: ObservationCard, tz: ZoneInfo) -> Html:
    observation = card.observation
    return t(
        "summary_line",
        reference=observation.reference,
        category=category_label(card.category, t.language),
        place=place_label(t, place_of(observation)),
        when=local_time(observation.occurred_at, tz),
        command=show_command(observation.reference),
    )


def split_messages(parts: list[Html], limit: int = TEXT_LIMIT) -> list[Html]:
    """Join parts into as few messages as fit, never cutting inside a part."""
    return [Html(message) for message in pack(parts, limit, measure=visible_length)]


async def show_on_card(
    bot: Bot, chat_id: int, message_id: int, *, as_caption: bool, card: ObservationCard,
    t: Texts, tz: ZoneInfo,
) -> None:  # fmt: skip
    """Edit a card message (text, or a photo's caption) to show the observation as it is now."""
    observation_id = card.observation.id
    assert observation_id is not None
    keyboard = status_keyboard(t, observation_id, card.observation.status)
    try:
        if as_caption:
            caption, _ = caption_text(t, card, tz)
            await bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=caption, reply_markup=keyboard
            )
        else:
            await bot.edit_message_text(
                card_text(t, card, tz), chat_id=chat_id, message_id=message_id,
                reply_markup=keyboard,
            )  # fmt: skip
    except BadRequest as exc:  # unchanged, or deleted by someone in the group
        if "not modified" not in exc.message.lower():
            log.info("card %s in chat %s not edited: %s", message_id, chat_id, exc.message)
