"""An observation as the coordinators see it: on its card, and with its history in /visa."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.kinds import Posted, Status
from storage.references import parse_reference
from storage.tables import (
    Category,
    Comment,
    Observation,
    Organisation,
    Photo,
    PostedMessage,
    StatusChange,
    User,
)
from storage.visibility import group_sees


@dataclass(frozen=True)
class Change:
    """A status set by someone at a time."""

    status: Status
    by: str
    at: datetime


@dataclass(frozen=True)
class CommentView:
    author: str
    text: str
    at: datetime
    photo_count: int


@dataclass(frozen=True)
class ObservationCard:
    """Everything a card shows; detached from the session."""

    observation: Observation
    category: Category
    organisation: str
    reporter: str | None  # None when the organisation hides names
    photo_paths: tuple[str, ...]
    confirmations: int  # later reports confirmed as the same thing
    last_change: Change | None

    @property
    def reference(self) -> str:
        return self.observation.reference


@dataclass(frozen=True)
class ObservationHistory:
    card: ObservationCard
    changes: tuple[Change, ...]
    comments: tuple[CommentView, ...]
    duplicate_of: str | None  # the reference this report confirmed


def find_observation(*, session: Session, reference: str) -> Observation | None:
    """The observation with this reference (as written by people: see parse_reference)."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return session.exec(select(Observation).where(Observation.reference == parsed)).first()


def observation_card(*, session: Session, observation_id: int) -> ObservationCard:
    """The observation with its category, who reported it, photos, "+1"s and last status."""
    observation = session.get_one(Observation, observation_id)
    category = session.get_one(Category, observation.category_id)
    organisation = session.get_one(Organisation, observation.organisation_id)
    reporter = session.get_one(User, observation.reporter_id)
    paths = session.exec(
        select(Photo.path).where(Photo.observation_id == observation_id).order_by(col(Photo.id))
    ).all()
    confirmations = session.exec(
        select(func.count(col(Observation.id))).where(Observation.duplicate_of_id == observation_id)
    ).one()
    changes = _changes(session, observation_id, newest_only=True)
    return ObservationCard(
        observation=observation,
        category=category,
        organisation=organisation.name,
        reporter=None if organisation.hide_names else reporter.full_name,
        photo_paths=tuple(paths),
        confirmations=int(confirmations),
        last_change=changes[0] if changes else None,
    )


def card_for_group(
    *, session: Session, observation_id: int, chat_id: int
) -> ObservationCard | None:
    """The card, if the observation exists and the linked group's filter lets it in."""
    observation = session.get(Observation, observation_id)
    if observation is None or not group_sees(
        session=session, chat_id=chat_id, observation=observation
    ):
        return None
    return observation_card(session=session, observation_id=observation_id)


def observation_history(*, session: Session, observation_id: int) -> ObservationHistory:
    """The card, every status change and every comment, oldest first."""
    card = observation_card(session=session, observation_id=observation_id)
    photos = (
        select(func.count(col(Photo.id)))
        .where(col(Photo.comment_id) == col(Comment.id))
        .correlate(Comment)
        .scalar_subquery()
    )  # counted with the comments, not in one query per comment
    rows = session.exec(
        select(Comment.text, Comment.created_at, User.full_name, photos)
        .join(User, col(User.id) == col(Comment.author_id))
        .where(Comment.observation_id == observation_id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    comments = [CommentView(author, text, at, int(count)) for text, at, author, count in rows]
    original = card.observation.duplicate_of_id
    duplicate_of = None if original is None else session.get_one(Observation, original).reference
    return ObservationHistory(
        card=card,
        changes=tuple(reversed(_changes(session, observation_id, newest_only=False))),
        comments=tuple(comments),
        duplicate_of=duplicate_of,
    )


def _changes(session: Session, observation_id: int, *, newest_only: bool) -> list[Change]:
    query = (
        select(StatusChange.status, User.full_name, StatusChange.changed_at)
        .join(User, col(User.id) == col(StatusChange.changed_by_id))
        .where(StatusChange.observation_id == observation_id)
        .order_by(col(StatusChange.changed_at).desc(), col(StatusChange.id).desc())
    )
    if newest_only:
        query = query.limit(1)
    return [Change(Status(status), by, at) for status, by, at in session.exec(query).all()]


def posted_about(*, session: Session, chat_id: int, message_id: int) -> list[PostedMessage]:
    """What a message the bot posted was about (a summary is about several observations)."""
    return list(
        session.exec(
            select(PostedMessage).where(
                PostedMessage.chat_id == chat_id, PostedMessage.message_id == message_id
            )
        ).all()
    )


def cards_in_chat(*, session: Session, chat_id: int, observation_id: int) -> list[PostedMessage]:
    """The card messages (with status buttons) of an observation in one chat."""
    return list(
        session.exec(
            select(PostedMessage).where(
                PostedMessage.chat_id == chat_id,
                PostedMessage.observation_id == observation_id,
                col(PostedMessage.role).in_([Posted.CARD, Posted.PHOTO_CARD]),
            )
        ).all()
    )
