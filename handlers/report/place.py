"""The place step: a shared position, a map pin or venue, typed text, or the last place."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from handlers.answers import acknowledge, settle_message
from handlers.labels import place_label
from handlers.report import keyboards
from handlers.report.prompts import ask
from handlers.services import current_member, services, texts
from storage.kinds import PlaceSource, Step
from storage.places.gazetteer import PlaceValue
from storage.reports import draft_places
from storage.reports.drafts import DraftProblem, DraftState

MAX_TYPED_PLACE = 200


def _user_id(context: ContextTypes.DEFAULT_TYPE) -> int:
    member = current_member(context)
    assert member is not None
    return member.user_id


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A position, map pin or venue: fills in the place, starting a report if none is open."""
    s, t = services(context), texts(context)
    message = update.effective_message
    assert message is not None
    if message.venue is not None:
        venue = message.venue
        label = ", ".join(part for part in (venue.title, venue.address) if part)
        point = venue.location
        source = PlaceSource.VENUE
    else:
        assert message.location is not None
        point, label = message.location, ""
        # A pin dragged on the map has no accuracy; the phone's own position has one.
        source = PlaceSource.POSITION if message.location.horizontal_accuracy else PlaceSource.PIN
    if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
        await message.reply_text(t("expects_place"))
        return
    place = s.locator.point(point.latitude, point.longitude, source, label)
    await store_place(update, context, place, start=True)


async def store_place(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    place: PlaceValue,
    *,
    confirmed: bool = False,
    start: bool = False,
) -> None:
    """Put a place on the draft (beginning one if `start`) and ask for what is still missing."""
    s, t = services(context), texts(context)
    inside = confirmed or s.locator.inside(place)
    state = await s.db(
        draft_places.set_place,
        user_id=_user_id(context),
        place=place,
        inside_area=inside,
        start=start,
    )
    await s.remove_files(state.discarded)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if state.step is Step.PLACE_CONFIRM:
        await ask(context, chat_id, t, state)
        return
    note = t("place_set", place=place_label(t, state.place))
    if place.source is PlaceSource.TEXT:
        note = t("place_not_found", text=place.text)
    await ask(context, chat_id, t, state, note=note, restore_menu=True)


async def on_typed_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: DraftState
) -> None:
    """Text at the place step: "same place", a gazetteer name, or an address to look up."""
    s, t = services(context), texts(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    typed = " ".join(message.text.split())
    if typed in t.all_values("button_same_place"):
        if state.last_place is None:
            await message.reply_text(t("no_last_place"))
            return
        await store_place(update, context, state.last_place, confirmed=True)
        return
    if len(typed) < 2 or len(typed) > MAX_TYPED_PLACE:
        await ask(context, message.chat_id, t, _at_place(state), note=t("expects_place"))
        return
    found = await s.find_place(typed)
    if not found:
        await store_place(update, context, PlaceValue(PlaceSource.TEXT, text=typed))
    elif len(found) == 1:
        await store_place(update, context, found[0])
    else:
        offered = await s.db(
            draft_places.offer_places, user_id=_user_id(context), typed=typed, choices=found
        )
        await ask(context, message.chat_id, t, offered)


def _at_place(state: DraftState) -> DraftState:
    """The draft as at the place step, to show the place keyboard again."""
    state.draft.step = Step.PLACE
    return state


async def on_place_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    """A place picked from the matches, "keep the text", or "no, that is not the place"."""
    s, t = services(context), texts(context)
    query = update.callback_query
    assert query is not None
    user_id = _user_id(context)
    if press.action == "notplace":
        state = await s.db(draft_places.reject_pending_place, user_id=user_id, key=press.key)
        await asyncio.gather(
            acknowledge(context, query), settle_message(query.edit_message_reply_markup(None))
        )
        await ask(context, query.message.chat.id, t, state)  # type: ignore[union-attr]
        return
    index = None if press.action == "keep" else _index(press.argument)
    place, confirmed = await s.db(
        draft_places.pending_place, user_id=user_id, key=press.key, index=index
    )
    await asyncio.gather(
        acknowledge(context, query), settle_message(query.edit_message_reply_markup(None))
    )
    await store_place(update, context, place, confirmed=confirmed)


def _index(argument: str) -> int:
    if not argument.isdigit():
        raise DraftProblem("stale")
    return int(argument)
