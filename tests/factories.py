"""Small factories that build complete rows with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from storage.kinds import PlaceSource, Role, Step
from storage.people.access import get_or_create_organisation
from storage.places.gazetteer import PlaceValue
from storage.reports.categories import read_category_file, sync_categories
from storage.reports.draft_places import set_place
from storage.reports.drafts import DraftState, start_draft
from storage.tables import User


def seed_categories(session: Session) -> None:
    sync_categories(session=session, specs=read_category_file())


def make_user(session: Session, **overrides: Any) -> User:
    organisation = get_or_create_organisation(
        session=session, name=overrides.pop("organisation", "Kvarnby kommun")
    )
    fields: dict[str, Any] = {
        "telegram_id": 1000 + (session.info.setdefault("next_user", 0)),
        "username": None,
        "full_name": "Anna Andersson",
        "organisation_id": organisation.id,
        "role": Role.REPORTER,
    }
    session.info["next_user"] += 1
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    session.flush()
    return user


def make_complete_draft(session: Session, user: User, **overrides: Any) -> DraftState:
    """A draft at the summary, ready for Skicka."""
    assert user.id is not None
    fields: dict[str, Any] = {
        "category_code": "graffiti",
        "description": "Nytt klotter på tunneln",
        "occurred_at": datetime(2026, 11, 21, 21, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    start_draft(session=session, user_id=user.id, **fields)
    place = PlaceValue(PlaceSource.POSITION, "", 59.1262, 15.1418, "Kvarnparken", 3)
    state = set_place(session=session, user_id=user.id, place=place)
    assert state.step is Step.SUMMARY
    return state
