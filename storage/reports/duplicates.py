"""The same thing reported twice: an open observation of the same category close by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from geopy.distance import distance
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.kinds import Status
from storage.reports.drafts import find_draft
from storage.tables import Category, Draft, Observation, utcnow

NEAR_M = 100.0
WITHIN = timedelta(hours=48)
# About 110 m of latitude and, at 55-69° N, at least 110 m of longitude: a cheap first cut.
_DEGREES_LAT = 0.001
_DEGREES_LON = 0.0035


@dataclass(frozen=True)
class PossibleDuplicate:
    """An open observation that may be what the draft reports again."""

    observation_id: int
    reference: str
    place_name: str
    place_text: str
    reported_at: datetime
    distance_m: float | None


def find_duplicate(
    *, session: Session, user_id: int, key: str, now: datetime | None = None
) -> PossibleDuplicate | None:
    """The nearest open observation of the draft's category within 100 m and 48 hours.

    A draft without a point matches only an observation with the same typed place.
    """
    draft = find_draft(session=session, user_id=user_id)
    if draft is None or draft.key != key or draft.category_code is None:
        return None
    moment = draft.occurred_at or now or utcnow()
    query = (
        select(Observation)
        .join(Category, col(Category.id) == col(Observation.category_id))
        .where(
            Category.code == draft.category_code,
            col(Observation.status).in_([s for s in Status if s.is_open]),
            col(Observation.duplicate_of_id).is_(None),
            col(Observation.occurred_at) >= moment - WITHIN,
            col(Observation.occurred_at) <= moment + WITHIN,
        )
    )
    if draft.latitude is not None and draft.longitude is not None:
        return _nearest(session, query, draft)
    typed = (draft.place_text or "").strip().casefold()
    if not typed:
        return None
    # compared here, not in SQL: SQLite's lower() leaves Å, Ä and Ö as they are
    found = session.exec(
        query.where(col(Observation.place_text) != "").order_by(col(Observation.reported_at).desc())
    ).all()
    same = next((o for o in found if o.place_text.strip().casefold() == typed), None)
    return None if same is None else _candidate(same, None)


def _nearest(
    session: Session, query: SelectOfScalar[Observation], draft: Draft
) -> PossibleDuplicate | None:
    assert draft.latitude is not None and draft.longitude is not None
    nearby = session.exec(
        query.where(
            col(Observation.latitude).between(
                draft.latitude - _DEGREES_LAT, draft.latitude + _DEGREES_LAT
            ),
            col(Observation.longitude).between(
                draft.longitude - _DEGREES_LON, draft.longitude + _DEGREES_LON
            ),
        )
    ).all()
    here = (draft.latitude, draft.longitude)
    best: tuple[float, Observation] | None = None
    for observation in nearby:
        metres = distance(here, (observation.latitude, observation.longitude)).meters
        if metres <= NEAR_M and (best is None or metres < best[0]):
            best = (metres, observation)
    return None if best is None else _candidate(best[1], best[0])


def _candidate(observation: Observation, metres: float | None) -> PossibleDuplicate:
    assert observation.id is not None
    return PossibleDuplicate(
        observation.id,
        observation.reference,
        observation.place_name,
        observation.place_text,
        observation.reported_at,
        metres,
    )
