"""Drafts: a report being written, stored after every step so it survives a restart.

The conversation is a small state machine over the draft: each operation fills in a field
and moves the draft to the next step that still lacks something, so a report started from
a photo or a position asks only for what is missing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from storage.kinds import PlaceSource, Step
from storage.personal_data import MASK_PERSONAL_NUMBER, MASK_PHONE, mask_personal_data
from storage.places.gazetteer import PlaceValue
from storage.tables import Category, Draft, Observation, Photo, User, utcnow

MAX_PHOTOS = 10
ABANDONED_AFTER = timedelta(hours=3)
DESCRIPTION_MIN = 3
DESCRIPTION_MAX = 2000


class DraftProblem(Exception):
    """The draft cannot take this input; `reason` names why, for the reply."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DraftState:
    """Everything the conversation needs to show a draft; detached from the session.

    `last_place` (for "same place as last time") is looked up only at the place steps.
    """

    draft: Draft
    last_place: PlaceValue | None
    # Photo files of an abandoned draft that a new one replaced, for the caller to delete.
    discarded: tuple[str, ...] = ()

    @property
    def photo_count(self) -> int:
        return self.draft.photo_count

    @property
    def step(self) -> Step:
        return self.draft.step

    @property
    def key(self) -> str:
        return self.draft.key

    @property
    def place(self) -> PlaceValue | None:
        draft = self.draft
        if draft.place_source is None:
            return None
        return PlaceValue(
            source=draft.place_source,
            text=draft.place_text or "",
            latitude=draft.latitude,
            longitude=draft.longitude,
            name=draft.place_name or "",
            distance_m=draft.place_distance_m,
        )

    @property
    def pending(self) -> list[PlaceValue]:
        return [PlaceValue.from_dict(raw) for raw in self.draft.pending or []]


def next_step(draft: Draft) -> Step:
    """The first step whose field is still missing; the summary once all are there."""
    if draft.editing:
        return Step.SUMMARY
    if draft.category_code is None:
        return Step.CATEGORY
    if draft.place_source is None:
        return Step.PLACE
    if draft.description is None:
        return Step.DESCRIPTION
    if draft.occurred_at is None:
        return Step.WHEN
    return Step.SUMMARY


_DRAFT_OF_USER = select(Draft).where(Draft.user_id == bindparam("user_id"))


def find_draft(*, session: Session, user_id: int) -> Draft | None:
    """The user's draft, if they have one (to read; to change it, see `lock_draft`)."""
    return session.exec(_DRAFT_OF_USER, params={"user_id": user_id}).first()


_USER_ROW = select(User.id).where(User.id == bindparam("user_id")).with_for_update(key_share=True)
_LOCKED_DRAFT = _DRAFT_OF_USER.with_for_update()


def lock_draft(*, session: Session, user_id: int) -> Draft | None:
    """The user's draft, locked until the transaction ends, for an operation that changes it.

    Two updates of one person handled at the same moment (by two processes behind one
    webhook address) then change the draft one after the other, the second seeing what
    the first did. The person's row is locked first (FOR NO KEY UPDATE, which rows
    referring to it do not wait for), so this holds also while there is no draft yet.
    PostgreSQL only: SQLite lets one writer at a time in anyway.
    """
    session.exec(_USER_ROW, params={"user_id": user_id}).first()
    return session.exec(_LOCKED_DRAFT, params={"user_id": user_id}).first()


def draft_state(*, session: Session, draft: Draft) -> DraftState:
    """A detached snapshot of the draft (with the last place, at the place steps)."""
    last = None
    if draft.step in (Step.PLACE, Step.PLACE_CHOICE, Step.PLACE_CONFIRM):
        last = last_place(session=session, user_id=draft.user_id)
    return DraftState(draft, last)


def start_draft(*, session: Session, user_id: int, **fields: Any) -> DraftState:
    """Begin a new report, replacing any draft the user had; `fields` fill it in ahead.

    The replaced draft's photo files that nothing else uses come back in `discarded`.
    """
    old = lock_draft(session=session, user_id=user_id)
    unused = [] if old is None else discard_draft(session=session, draft=old)
    draft = Draft(user_id=user_id, key=secrets.token_hex(8), **fields)
    draft.step = next_step(draft)
    session.add(draft)
    session.flush()
    return replace(draft_state(session=session, draft=draft), discarded=tuple(unused))


def draft_for_shortcut(
    *, session: Session, user_id: int, now: datetime | None = None
) -> DraftState:
    """The draft a photo or position sent on its own belongs to.

    The report in progress, or a new one when there is none or the one there was left
    untouched for ABANDONED_AFTER: a photo today must not land in yesterday's half report.
    """
    draft = lock_draft(session=session, user_id=user_id)
    if draft is not None and draft.updated_at >= (now or utcnow()) - ABANDONED_AFTER:
        return draft_state(session=session, draft=draft)
    return start_draft(session=session, user_id=user_id)


def discard_draft(*, session: Session, draft: Draft) -> list[str]:
    """Delete a draft and its photo rows; returns photo paths no observation uses."""
    paths = list(session.exec(select(Photo.path).where(Photo.draft_id == draft.id)).all())
    session.exec(delete(Photo).where(col(Photo.draft_id) == draft.id))
    session.delete(draft)
    session.flush()
    still_used = set(session.exec(select(Photo.path).where(col(Photo.path).in_(paths))).all())
    return [path for path in paths if path not in still_used]


def cancel_draft(*, session: Session, user_id: int) -> list[str] | None:
    """Cancel the user's draft; None when there was none. Returns unused photo paths."""
    draft = lock_draft(session=session, user_id=user_id)
    return None if draft is None else discard_draft(session=session, draft=draft)


def require_draft(session: Session, user_id: int, key: str | None, *steps: Step) -> Draft:
    """The user's draft, if it is the one a button was for and waits at one of `steps`."""
    draft = lock_draft(session=session, user_id=user_id)
    if draft is None or (key is not None and draft.key != key):
        raise DraftProblem("stale")
    if steps and draft.step not in steps:
        raise DraftProblem("wrong_step")
    return draft


def advance(session: Session, draft: Draft) -> DraftState:
    """Move the draft to the next step that lacks something, and store it."""
    draft.step = next_step(draft)
    if draft.step is Step.SUMMARY:
        draft.editing = False
    return save_draft(session, draft)


def set_category(*, session: Session, user_id: int, key: str | None, code: str) -> DraftState:
    """Choose the category (at the category step, or when changing it from the summary)."""
    draft = require_draft(session, user_id, key, Step.CATEGORY)
    category = session.exec(select(Category).where(Category.code == code)).first()
    if category is None or not category.active:
        raise DraftProblem("unknown_category")
    draft.category_code = code
    return advance(session, draft)


def set_description(
    *, session: Session, user_id: int, text: str, from_caption: bool = False
) -> DraftState:
    """Store the description (3-2000 characters) and move on."""
    draft = require_draft(session, user_id, None)
    clean = text.strip()
    if from_caption and draft.description and clean not in draft.description:
        clean = (
            f"{draft.description}\n{clean}"  # a caption adds to what was written, never replaces it
        )
    if len(clean) < DESCRIPTION_MIN:
        raise DraftProblem("description_short")
    # Counted as Telegram counts (UTF-16 units: an emoji is two), so that the summary with
    # the description in it stays within one message.
    if len(clean.encode("utf-16-le")) // 2 > DESCRIPTION_MAX:
        raise DraftProblem("description_long")
    if not from_caption and draft.step is not Step.DESCRIPTION:
        raise DraftProblem("wrong_step")
    draft.description = clean
    return advance(session, draft) if draft.step is Step.DESCRIPTION else save_draft(session, draft)


def mask_description(
    *, session: Session, user_id: int, key: str, personal_number: str = MASK_PERSONAL_NUMBER,
    phone: str = MASK_PHONE,
) -> DraftState:  # fmt: skip
    """At the summary: replace personal identity numbers and phone numbers in the description."""
    draft = require_draft(session, user_id, key, Step.SUMMARY)
    draft.description = mask_personal_data(
        draft.description or "", personal_number=personal_number, phone=phone
    )
    return save_draft(session, draft)


def save_draft(session: Session, draft: Draft) -> DraftState:
    """Store the draft as it now is, and hand back its snapshot."""
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft_state(session=session, draft=draft)


def choose_day(*, session: Session, user_id: int, key: str, day: str) -> DraftState:
    """ "Earlier today" or "yesterday": ask for the time of day next."""
    draft = require_draft(session, user_id, key, Step.WHEN, Step.WHEN_WINDOW)
    draft.when_day = day
    draft.step = Step.WHEN_WINDOW
    return save_draft(session, draft)


def set_occurred_at(
    *,
    session: Session,
    user_id: int,
    key: str | None,
    occurred_at: datetime,
    now: datetime | None = None,
) -> DraftState:
    """Store when it happened; never in the future."""
    draft = require_draft(session, user_id, key, Step.WHEN, Step.WHEN_WINDOW)
    if occurred_at > (now or utcnow()):
        raise DraftProblem("future")
    draft.occurred_at = occurred_at
    return advance(session, draft)


def edit_field(*, session: Session, user_id: int, key: str, step: Step | None) -> DraftState:
    """From the summary: open the edit menu (step None) or go back to one field's step."""
    draft = require_draft(session, user_id, key, Step.SUMMARY, Step.EDIT_MENU)
    if step is None:
        draft.step = Step.EDIT_MENU
    elif step is Step.SUMMARY:
        draft.step, draft.editing = Step.SUMMARY, False
    else:
        draft.step, draft.editing = step, True
        if step is Step.WHEN:
            draft.when_day = None
    return save_draft(session, draft)


def last_place(*, session: Session, user_id: int) -> PlaceValue | None:
    """Where the user's latest observation was, for "same place as last time"."""
    latest = session.exec(
        select(Observation)
        .where(Observation.reporter_id == user_id)
        .order_by(col(Observation.reported_at).desc(), col(Observation.id).desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    return PlaceValue(
        source=PlaceSource.LAST,
        text=latest.place_text,
        latitude=latest.latitude,
        longitude=latest.longitude,
        name=latest.place_name,
        distance_m=latest.place_distance_m,
    )


def remove_photos(*, session: Session, user_id: int, key: str) -> tuple[DraftState, list[str]]:
    """Drop the draft's photos (from the edit menu); returns the draft and unused file paths."""
    draft = require_draft(session, user_id, key, Step.SUMMARY, Step.EDIT_MENU)
    paths = list(session.exec(select(Photo.path).where(Photo.draft_id == draft.id)).all())
    session.exec(delete(Photo).where(col(Photo.draft_id) == draft.id))
    draft.step, draft.editing, draft.media_group_id = Step.SUMMARY, False, None
    draft.photo_count = 0
    session.add(draft)
    session.flush()
    still_used = set(session.exec(select(Photo.path).where(col(Photo.path).in_(paths))).all())
    return draft_state(session=session, draft=draft), [p for p in paths if p not in still_used]
