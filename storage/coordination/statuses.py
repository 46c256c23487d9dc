"""Work on an observation in the coordinators' group: status changes and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.kinds import AuditAction, Status
from storage.outbox import enqueue_notice, enqueue_refresh
from storage.people.audit import record_audit
from storage.reports.photos import StoredFile
from storage.tables import Comment, Observation, User, utcnow
from storage.tables import StatusChange as StatusChangeRow


class NotAllowed(Exception):
    """Only coordinators and admins may change a status."""


@dataclass(frozen=True)
class StatusSet:
    observation: Observation
    changed: bool  # False: it had that status already


def change_status(
    *, session: Session, observation_id: int, status: Status, by_user_id: int,
    now: datetime | None = None,
) -> StatusSet:  # fmt: skip
    """Set the status (for the reports that confirmed it too), record who did it and when,
    have the cards edited and tell the reporters who want to hear."""
    who = session.get(User, by_user_id)
    if who is None or not who.active or not who.role.coordinates:
        raise NotAllowed
    observation = session.exec(
        select(Observation).where(Observation.id == observation_id).with_for_update()
    ).one()
    if observation.status is status:
        return StatusSet(observation, changed=False)
    now = now or utcnow()
    previous = observation.status
    session.execute(
        update(Observation)
        .where(
            (col(Observation.id) == observation_id)
            | (col(Observation.duplicate_of_id) == observation_id)
        )
        .values(status=status)
    )
    session.add(
        StatusChangeRow(
            observation_id=observation_id, status=status, changed_by_id=by_user_id, changed_at=now
        )
    )
    record_audit(
        session=session, action=AuditAction.STATUS_CHANGE, user_id=by_user_id, now=now,
        target=observation.reference, rows=1, detail={"from": previous.value, "to": status.value},
    )  # fmt: skip
    enqueue_refresh(session=session, observation_id=observation_id)
    for reporter in _reporters(session, observation_id):
        if reporter.notify_status and reporter.active and reporter.id != by_user_id:
            enqueue_notice(
                session=session,
                user=reporter,
                observation_id=observation_id,
                text_key=f"notice_status_{status.value}",
            )
    session.refresh(observation)
    return StatusSet(observation, changed=True)


def _reporters(session: Session, observation_id: int) -> list[User]:
    """Who reported the observation, and who confirmed it as the same thing."""
    ids = session.exec(
        select(Observation.reporter_id).where(
            (col(Observation.id) == observation_id)
            | (col(Observation.duplicate_of_id) == observation_id)
        )
    ).all()
    return list(session.exec(select(User).where(col(User.id).in_(set(ids)))).all())


def add_comment(
    *,
    session: Session,
    observation_id: int,
    author_id: int,
    text: str,
    chat_id: int,
    message_id: int,
    photo: tuple[str, str, StoredFile] | None = None,
    now: datetime | None = None,
) -> Comment:
    """Keep a reply from the group as a comment; a coordinator's comment is told to the
    reporter (unless they turned that off)."""
    now = now or utcnow()
    comment = Comment(
        observation_id=observation_id,
        author_id=author_id,
        text=text,
        chat_id=chat_id,
        message_id=message_id,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    if photo is not None:
        file_id, unique_id, stored = photo
        session.add(stored.as_photo(file_id, unique_id, comment_id=comment.id))
    author = session.get_one(User, author_id)
    observation = session.get_one(Observation, observation_id)
    reporter = session.get_one(User, observation.reporter_id)
    if (
        author.role.coordinates
        and reporter.id != author_id
        and reporter.active
        and reporter.notify_comments
    ):
        enqueue_notice(
            session=session,
            user=reporter,
            observation_id=observation_id,
            text_key="notice_comment",
            author=author.full_name,
            text=text[:500],
        )
    return comment


def set_notifications(
    *, session: Session, user_id: int, status: bool | None = None, comments: bool | None = None
) -> User:
    """Turn a person's private notices about their observations on or off."""
    user = session.get_one(User, user_id)
    if status is not None:
        user.notify_status = status
    if comments is not None:
        user.notify_comments = comments
    session.add(user)
    session.flush()
    return user
