"""What estbot stores about one person, for /minadata (the right of access, GDPR art. 15).

One plain, JSON-ready document: the person's user row, the observations they filed, the
comments they wrote, the status changes and interventions they recorded, the groups they
linked and their draft. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.tables import (
    Category,
    Comment,
    CoordinatorGroup,
    Draft,
    Intervention,
    Observation,
    Organisation,
    Photo,
    StatusChange,
    User,
)

Document = dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def personal_data(*, session: Session, user_id: int, language: str = "sv") -> Document:
    """Everything stored about the user with this id (active or revoked)."""
    user = session.get_one(User, user_id)
    organisation = session.get_one(Organisation, user.organisation_id)
    labels = {c.id: c.label(language) for c in session.exec(select(Category)).all()}
    return {
        "user": {
            "telegram_id": user.telegram_id, "username": user.username,
            "name": user.full_name, "organisation": organisation.name,
            "role": user.role.value, "language": user.language,
            "registered_at": _iso(user.created_at), "active": user.active,
            "revoked_at": _iso(user.revoked_at), "notify_status": user.notify_status,
            "notify_comments": user.notify_comments,
        },
        "observations": _observations(session, user_id, labels),
        "comments": _comments(session, user_id),
        "status_changes": [
            {"reference": reference, "status": change.status.value,
             "changed_at": _iso(change.changed_at)}
            for change, reference in session.exec(
                select(StatusChange, Observation.reference)
                .join(Observation, col(Observation.id) == col(StatusChange.observation_id))
                .where(StatusChange.changed_by_id == user_id).order_by(col(StatusChange.id))
            ).all()
        ],
        "interventions": [
            {"what": i.what, "owner": i.owner, "place": i.place_name,
             "created_at": _iso(i.created_at)}
            for i in session.exec(
                select(Intervention).where(Intervention.created_by_id == user_id)
                .order_by(col(Intervention.id))
            ).all()
        ],
        "groups_linked": [
            {"title": g.title, "linked_at": _iso(g.linked_at)}
            for g in session.exec(
                select(CoordinatorGroup).where(CoordinatorGroup.linked_by_id == user_id)
            ).all()
        ],
        "draft": _draft(session, user_id, labels, language),
    }  # fmt: skip


def _photo_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(Photo.observation_id, func.count())
        .where(col(Photo.observation_id).in_(ids))
        .group_by(col(Photo.observation_id))
    ).all()
    return {int(observation_id): int(count) for observation_id, count in rows if observation_id}


def _observations(session: Session, user_id: int, labels: dict[int | None, str]) -> list[Document]:
    rows = list(
        session.exec(
            select(Observation).where(Observation.reporter_id == user_id)
            .order_by(col(Observation.reported_at), col(Observation.id))
        ).all()
    )  # fmt: skip
    photos = _photo_counts(session, [o.id for o in rows if o.id is not None])
    originals = {
        o.id: o.reference
        for o in session.exec(
            select(Observation).where(
                col(Observation.id).in_({o.duplicate_of_id for o in rows if o.duplicate_of_id})
            )
        ).all()
    }
    return [
        {
            "reference": o.reference, "category": labels.get(o.category_id, ""),
            "reported_at": _iso(o.reported_at), "occurred_at": _iso(o.occurred_at),
            "place": o.place_name or o.place_text, "place_text": o.place_text,
            "latitude": o.latitude, "longitude": o.longitude, "area": o.area,
            "description": o.description, "status": o.status.value,
            "photos": photos.get(o.id or 0, 0),
            "same_as": originals.get(o.duplicate_of_id) if o.duplicate_of_id else None,
        }
        for o in rows
    ]  # fmt: skip


def _comments(session: Session, user_id: int) -> list[Document]:
    rows = session.exec(
        select(Comment, Observation.reference)
        .join(Observation, col(Observation.id) == col(Comment.observation_id))
        .where(Comment.author_id == user_id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return [
        {"reference": reference, "text": comment.text, "written_at": _iso(comment.created_at)}
        for comment, reference in rows
    ]


def _draft(
    session: Session, user_id: int, labels: dict[int | None, str], language: str
) -> Document | None:
    draft = session.exec(select(Draft).where(Draft.user_id == user_id)).first()
    if draft is None:
        return None
    category = session.exec(select(Category).where(Category.code == draft.category_code)).first()
    return {
        "step": draft.step.value,
        "category": category.label(language) if category else None,
        "place": draft.place_name or draft.place_text,
        "latitude": draft.latitude,
        "longitude": draft.longitude,
        "description": draft.description,
        "occurred_at": _iso(draft.occurred_at),
        "photos": draft.photo_count,
        "started_at": _iso(draft.created_at),
        "updated_at": _iso(draft.updated_at),
    }
