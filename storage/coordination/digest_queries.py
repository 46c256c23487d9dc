"""What digests list beside their figures: single observations, in storage's own terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.kinds import Status
from storage.tables import Category, Observation
from storage.visibility import GroupFilter

STALE_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class ListedObservation:
    reference: str
    category: Category
    occurred_at: datetime
    place: str
    area: str | None
    status: Status
    description: str


def _listed(observation: Observation, category: Category) -> ListedObservation:
    return ListedObservation(
        reference=observation.reference,
        category=category,
        occurred_at=observation.occurred_at,
        place=observation.place_name or observation.place_text,
        area=observation.area,
        status=observation.status,
        description=observation.description,
    )


def observations_between(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    area: str | None = None,
    seen_by: GroupFilter | None = None,
) -> list[ListedObservation]:
    """The observations that happened in a span (a day), oldest first; with `seen_by`,
    only those a group's filter lets in."""
    query = (
        select(Observation, Category)
        .join(Category, col(Category.id) == col(Observation.category_id))
        .where(
            col(Observation.occurred_at) >= start,
            col(Observation.occurred_at) < end,
            col(Observation.duplicate_of_id).is_(None),
        )
        .order_by(col(Observation.occurred_at), col(Observation.id))
    )
    if area is not None:
        query = query.where(Observation.area == area)
    rows = session.exec(query).all()
    return [
        _listed(o, c) for o, c in rows if seen_by is None or seen_by.matches(c, o.organisation_id)
    ]


def stale_open(
    *, session: Session, now: datetime, area: str | None = None, limit: int = 10
) -> tuple[int, list[ListedObservation]]:
    """Open observations older than 14 days: how many, and the oldest of them."""
    where = [
        col(Observation.status).in_([s for s in Status if s.is_open]),
        func.coalesce(col(Observation.duplicate_of_id), 0) == 0,  # not IS NULL: see frame
        col(Observation.occurred_at) < now - STALE_AFTER,
    ]
    if area is not None:
        where.append(col(Observation.area) == area)
    total = session.exec(select(func.count(col(Observation.id))).where(*where)).one()
    rows = session.exec(
        select(Observation, Category)
        .join(Category, col(Category.id) == col(Observation.category_id))
        .where(*where)
        .order_by(col(Observation.occurred_at))
        .limit(limit)
    ).all()
    return int(total), [_listed(o, c) for o, c in rows]
