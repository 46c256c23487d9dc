"""Observations: filing a finished draft, reference numbers, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.kinds import Step
from storage.outbox import enqueue_cards, enqueue_refresh
from storage.personal_data import has_personal_data
from storage.places.areas import Areas
from storage.references import format_reference
from storage.reports.drafts import DraftProblem, lock_draft
from storage.reports.duplicates import find_duplicate
from storage.tables import Category, Draft, Observation, Photo, ReferenceCounter, User, utcnow


@dataclass(frozen=True)
class Filed:
    """An observation just filed (or found filed already, for a repeated "Skicka")."""

    observation: Observation
    category: Category
    photo_count: int
    already_filed: bool


def next_reference_number(*, session: Session, year: int) -> int:
    """The next number for the year; the counter row stays locked until commit.

    The UPDATE ... RETURNING takes the row lock (PostgreSQL) or the write lock (SQLite), so
    two reports sent at the same moment never share a number.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ReferenceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    return int(
        session.execute(
            update(ReferenceCounter)
            .where(col(ReferenceCounter.year) == year)
            .values(last_number=col(ReferenceCounter.last_number) + 1)
            .returning(col(ReferenceCounter.last_number))
        ).scalar_one()
    )


def submit_draft(
    *,
    session: Session,
    user_id: int,
    key: str,
    tz: ZoneInfo,
    duplicate_of: int | None = None,
    areas: Areas | None = None,
    now: datetime | None = None,
) -> Filed:
    """File the user's finished draft as an observation, once, with its cards in the outbox.

    The draft goes, the observation comes and its cards wait for delivery, in one
    transaction; a second "Skicka" for the same draft finds it filed and changes nothing.
    With `duplicate_of`, the report confirms that open observation: its cards get "+1"
    instead of a card of its own.
    """
    draft = lock_draft(session=session, user_id=user_id)
    if draft is None or draft.key != key:
        existing = session.exec(select(Observation).where(Observation.draft_key == key)).first()
        if existing is not None and existing.reporter_id == user_id:
            category = session.get_one(Category, existing.category_id)
            return Filed(existing, category, _photo_count(session, existing), already_filed=True)
        raise DraftProblem("stale")
    if draft.step is not Step.SUMMARY:
        raise DraftProblem("wrong_step")
    # masked or rewritten first: see handlers/report/privacy.py
    if has_personal_data(draft.description):
        raise DraftProblem("personal_data")
    user = session.get_one(User, user_id)
    category = session.exec(select(Category).where(Category.code == draft.category_code)).one()
    observation = _observation_from(draft, user, category, now or utcnow(), tz, session)
    if areas is not None:
        observation.area = areas.area_of(observation.latitude, observation.longitude)
    original = _confirmed_original(session, user_id, key, duplicate_of)
    if original is not None:
        observation.duplicate_of_id, observation.status = original.id, original.status
    session.add(observation)
    session.flush()
    assert observation.id is not None
    if original is not None and original.id is not None:
        enqueue_refresh(session=session, observation_id=original.id)
        # a group that does not see the original (another organisation's) gets this one
        enqueue_cards(
            session=session, observation=observation, category=category, except_for=original
        )
    else:
        enqueue_cards(session=session, observation=observation, category=category)
    if draft.photo_count:
        photos = session.exec(select(Photo).where(Photo.draft_id == draft.id)).all()
        for photo in photos:
            photo.draft_id, photo.observation_id = None, observation.id
            session.add(photo)
    photo_count = draft.photo_count
    session.delete(draft)
    session.flush()
    return Filed(observation, category, photo_count, already_filed=False)


def _confirmed_original(
    session: Session, user_id: int, key: str, observation_id: int | None
) -> Observation | None:
    """The observation the reporter said this is the same as, if it still is the one the
    duplicate question offered (same category, near, recent, open); else None."""
    if observation_id is None:
        return None
    offered = find_duplicate(session=session, user_id=user_id, key=key)
    if offered is None or offered.observation_id != observation_id:
        return None
    return _open_original(session, observation_id)


def _open_original(session: Session, observation_id: int | None) -> Observation | None:
    """The observation a report confirms, if it is still open (else the report stands alone)."""
    if observation_id is None:
        return None
    original = session.get(Observation, observation_id)
    if original is None or not original.status.is_open:
        return None
    if original.duplicate_of_id is not None:  # confirming a confirmation counts for the first
        return _open_original(session, original.duplicate_of_id)
    return original


def _photo_count(session: Session, observation: Observation) -> int:
    return len(session.exec(select(Photo.id).where(Photo.observation_id == observation.id)).all())


def _observation_from(
    draft: Draft, user: User, category: Category, now: datetime, tz: ZoneInfo, session: Session
) -> Observation:
    year = now.astimezone(tz).year
    number = next_reference_number(session=session, year=year)
    assert draft.occurred_at is not None and draft.place_source is not None
    assert category.id is not None and user.id is not None
    return Observation(
        reference=format_reference(year, number),
        year=year,
        number=number,
        category_id=category.id,
        occurred_at=draft.occurred_at,
        reported_at=now,
        latitude=draft.latitude,
        longitude=draft.longitude,
        place_text=draft.place_text or "",
        place_name=draft.place_name or "",
        place_distance_m=draft.place_distance_m,
        place_source=draft.place_source,
        description=draft.description or "",
        reporter_id=user.id,
        organisation_id=user.organisation_id,
        draft_key=draft.key,
    )


def recent_observations(
    *, session: Session, user_id: int, limit: int = 10
) -> list[tuple[Observation, Category]]:
    """The user's latest observations, newest first."""
    rows = session.exec(
        select(Observation, Category)
        .join(Category, col(Observation.category_id) == col(Category.id))
        .where(Observation.reporter_id == user_id)
        .order_by(col(Observation.reported_at).desc(), col(Observation.id).desc())
        .limit(limit)
    ).all()
    return [(observation, category) for observation, category in rows]
