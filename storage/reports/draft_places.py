"""The place of a draft: stored at any step, chosen among matches, or confirmed first."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from storage.kinds import PlaceSource, Step
from storage.places.gazetteer import PlaceValue
from storage.reports.drafts import (
    DraftProblem,
    DraftState,
    advance,
    draft_for_shortcut,
    require_draft,
    save_draft,
)

PLACE_TEXT_MAX = 500  # the place_text columns; a venue's title and address may be longer


def set_place(
    *,
    session: Session,
    user_id: int,
    place: PlaceValue,
    inside_area: bool = True,
    start: bool = False,
) -> DraftState:
    """Store the place at any step; a point outside the municipality is asked about first.

    A map pin sent while the draft waits for something else replaces the place, and the
    draft stays where it was (the next step is worked out from what is still missing).
    With `start`, a position sent outside a report begins one (see `draft_for_shortcut`).
    """
    discarded: tuple[str, ...] = ()
    if start:
        discarded = draft_for_shortcut(session=session, user_id=user_id).discarded
    draft = require_draft(session, user_id, None)
    if place.has_point and not inside_area:
        draft.pending = [place.as_dict()]
        draft.step = Step.PLACE_CONFIRM
        return replace(save_draft(session, draft), discarded=discarded)
    draft.place_source, draft.place_text = place.source, place.text[:PLACE_TEXT_MAX]
    draft.latitude, draft.longitude = place.latitude, place.longitude
    draft.place_name, draft.place_distance_m = place.name, place.distance_m
    draft.pending = None
    return replace(advance(session, draft), discarded=discarded)


def offer_places(
    *, session: Session, user_id: int, typed: str, choices: list[PlaceValue]
) -> DraftState:
    """Several places matched what was typed: keep them until one is picked."""
    draft = require_draft(session, user_id, None, Step.PLACE, Step.PLACE_CHOICE, Step.PLACE_CONFIRM)
    draft.pending = [{**choice.as_dict(), "typed": typed[:500]} for choice in choices]
    draft.step = Step.PLACE_CHOICE
    return save_draft(session, draft)


def pending_place(
    *, session: Session, user_id: int, key: str, index: int | None
) -> tuple[PlaceValue, bool]:
    """One of the places offered, by its button's index (None: the typed text itself).

    Returns the place and whether the reporter already confirmed it as right.
    """
    draft = require_draft(session, user_id, key, Step.PLACE_CHOICE, Step.PLACE_CONFIRM)
    pending = draft.pending or []
    if index is None:
        typed = str(pending[0].get("typed", "")) if pending else ""
        if not typed:
            raise DraftProblem("stale")
        return PlaceValue(PlaceSource.TEXT, text=typed), True
    if not 0 <= index < len(pending):
        raise DraftProblem("stale")
    return PlaceValue.from_dict(pending[index]), draft.step is Step.PLACE_CONFIRM


def reject_pending_place(*, session: Session, user_id: int, key: str) -> DraftState:
    """The reporter said the offered point was wrong: ask for the place again."""
    draft = require_draft(session, user_id, key, Step.PLACE_CHOICE, Step.PLACE_CONFIRM)
    draft.pending = None
    draft.step = Step.PLACE
    return save_draft(session, draft)
