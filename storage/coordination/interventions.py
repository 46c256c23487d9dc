"""Interventions (insatser): what will be done about observations, by whom, followed up when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.coordination.statuses import NotAllowed
from storage.kinds import Delivery, InterventionStatus
from storage.outbox import enqueue_message
from storage.places.gazetteer import PlaceValue
from storage.tables import (
    CoordinatorGroup,
    Intervention,
    InterventionLink,
    Observation,
    User,
    utcnow,
)
from storage.visibility import find_group

WHAT_MAX = 1000


@dataclass(frozen=True)
class InterventionView:
    intervention: Intervention
    references: tuple[str, ...]  # the observations it acts on

    @property
    def number(self) -> int:
        assert self.intervention.id is not None
        return self.intervention.id


def _coordinator(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or not user.role.coordinates:
        raise NotAllowed
    return user


def record_intervention(
    *,
    session: Session,
    what: str,
    chat_id: int,
    thread_id: int | None,
    by_user_id: int,
    observation_ids: tuple[int, ...] = (),
    place: PlaceValue | None = None,
    now: datetime | None = None,
) -> InterventionView:
    """A planned intervention, at a place, or at the place of the first observation it
    acts on."""
    _coordinator(session, by_user_id)
    text = " ".join(what.split())[:WHAT_MAX]
    if not text:
        raise ValueError("an intervention needs a description")
    first = session.get(Observation, observation_ids[0]) if observation_ids else None
    if place is None and first is not None:
        place = PlaceValue(
            first.place_source, first.place_text, first.latitude, first.longitude,
            first.place_name,
        )  # fmt: skip
    intervention = Intervention(
        what=text,
        chat_id=chat_id,
        thread_id=thread_id,
        created_by_id=by_user_id,
        created_at=now or utcnow(),
        place_name=(place.name or place.text)[:200] if place else "",
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
    )
    session.add(intervention)
    session.flush()
    assert intervention.id is not None
    for observation_id in dict.fromkeys(observation_ids):
        session.add(
            InterventionLink(intervention_id=intervention.id, observation_id=observation_id)
        )
    session.flush()
    return intervention_view(session=session, intervention_id=intervention.id)


def intervention_view(*, session: Session, intervention_id: int) -> InterventionView:
    """The intervention with the references of the observations it acts on."""
    (view,) = _views(session, [session.get_one(Intervention, intervention_id)])
    return view


def _views(session: Session, interventions: Sequence[Intervention]) -> list[InterventionView]:
    """Views in the order given, their references read in one query, not one per row."""
    ids = [i.id for i in interventions]
    references: dict[int, list[str]] = {}
    if ids:
        rows = session.exec(
            select(InterventionLink.intervention_id, Observation.reference)
            .join(Observation, col(Observation.id) == col(InterventionLink.observation_id))
            .where(col(InterventionLink.intervention_id).in_(ids))
            .order_by(col(InterventionLink.intervention_id), col(Observation.id))
        ).all()
        for intervention_id, reference in rows:
            references.setdefault(intervention_id, []).append(reference)
    return [InterventionView(i, tuple(references.get(i.id or 0, ()))) for i in interventions]


def update_intervention(
    *,
    session: Session,
    intervention_id: int,
    chat_id: int,
    by_user_id: int,
    owner: str | None = None,
    follow_up_on: date | None = None,
    clear_follow_up: bool = False,
    status: InterventionStatus | None = None,
    evaluation: str | None = None,
) -> InterventionView:
    """Change who owns it, when it is followed up, or how far it has come; only from the
    group that recorded it, and only while that group is linked."""
    _coordinator(session, by_user_id)
    intervention = session.get(Intervention, intervention_id)
    if intervention is None or intervention.chat_id != chat_id:
        raise NotAllowed
    if find_group(session=session, chat_id=chat_id) is None:
        raise NotAllowed
    if owner is not None:
        intervention.owner = " ".join(owner.split())[:200]
    if follow_up_on is not None or clear_follow_up:
        intervention.follow_up_on = follow_up_on
    if status is not None:
        intervention.status = status
    if evaluation is not None:
        intervention.evaluation = evaluation.strip()[:WHAT_MAX]
        intervention.status = InterventionStatus.EVALUATED
    session.add(intervention)
    session.flush()
    return intervention_view(session=session, intervention_id=intervention_id)


def open_interventions(*, session: Session, chat_id: int | None = None) -> list[InterventionView]:
    """Interventions not yet evaluated, the earliest follow-up first."""
    query = select(Intervention).where(
        col(Intervention.status).in_([s for s in InterventionStatus if s.is_open])
    )
    if chat_id is not None:
        query = query.where(Intervention.chat_id == chat_id)
    views = _views(session, session.exec(query.order_by(col(Intervention.id))).all())
    return sorted(views, key=lambda v: (v.intervention.follow_up_on or date.max, v.number))


def remind_due_follow_ups(*, session: Session, today: date) -> int:
    """Queue a reminder to the recording group for each open intervention due by today,
    once per follow-up date; returns how many."""
    due = session.exec(
        select(Intervention)
        .join(CoordinatorGroup, col(CoordinatorGroup.chat_id) == col(Intervention.chat_id))
        .where(
            col(CoordinatorGroup.active),
            col(Intervention.status).in_([s for s in InterventionStatus if s.is_open]),
            col(Intervention.follow_up_on).is_not(None),
            col(Intervention.follow_up_on) <= today,
        )
        .with_for_update()
    ).all()
    reminded = 0
    for intervention in due:
        if intervention.reminded_on == intervention.follow_up_on:
            continue
        intervention.reminded_on = intervention.follow_up_on
        session.add(intervention)
        enqueue_message(
            session=session,
            chat_id=intervention.chat_id,
            thread_id=intervention.thread_id,
            kind=Delivery.REMINDER,
            intervention_id=intervention.id,
        )
        reminded += 1
    return reminded


def evaluated_between(
    *, session: Session, start: datetime, end: datetime
) -> list[InterventionView]:
    """Interventions evaluated (last changed) in a period, for the lägesbild's follow-up."""
    found = session.exec(
        select(Intervention)
        .where(
            Intervention.status == InterventionStatus.EVALUATED,
            col(Intervention.updated_at) >= start,
            col(Intervention.updated_at) < end,
        )
        .order_by(col(Intervention.updated_at))
    ).all()
    return _views(session, found)
