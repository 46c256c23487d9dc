"""The outbox: every message the coordinators or a reporter must get is written here in the
same transaction as what it tells about, and a worker delivers it afterwards.

A crash or a Telegram outage between the two loses nothing: the row waits until delivered.
Several processes may deliver from one database: each chat's lane is a lease (see
storage/database/leases.py) that one process at a time holds, so no row is sent by two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.database.leases import claim_lease, held_by_others, release_lease
from storage.kinds import Delivery, Posted
from storage.tables import (
    Category,
    CoordinatorGroup,
    Observation,
    Outbox,
    PostedMessage,
    User,
    utcnow,
)
from storage.visibility import groups_for

# Retry after 2, 4, 8 … seconds, at most every ten minutes; give up after a day of trying.
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 600.0
GIVE_UP_AFTER = 150


def enqueue_cards(
    *,
    session: Session,
    observation: Observation,
    category: Category,
    except_for: Observation | None = None,
) -> int:
    """A card for every linked group whose filter lets the observation in (and not
    `except_for`, whose card such a group shows already); returns how many."""
    groups = groups_for(
        session=session, category=category, organisation_id=observation.organisation_id
    )
    if except_for is not None:
        seen = groups_for(
            session=session, category=category, organisation_id=except_for.organisation_id
        )
        groups = [group for group in groups if group not in seen]
    for group in groups:
        session.add(
            Outbox(
                chat_id=group.chat_id,
                thread_id=group.thread_id,
                kind=Delivery.CARD,
                observation_id=observation.id,
            )
        )
    return len(groups)


def enqueue_refresh(*, session: Session, observation_id: int) -> None:
    """Have every card of the observation edited to show what it says now."""
    chats = session.exec(
        select(PostedMessage.chat_id)
        .join(CoordinatorGroup, col(CoordinatorGroup.chat_id) == col(PostedMessage.chat_id))
        .where(
            PostedMessage.observation_id == observation_id,
            col(PostedMessage.role).in_([Posted.CARD, Posted.PHOTO_CARD]),
            col(CoordinatorGroup.active),
        )
        .distinct()
    ).all()
    waiting = set(
        session.exec(
            select(Outbox.chat_id).where(
                Outbox.observation_id == observation_id,
                Outbox.kind == Delivery.REFRESH,
                col(Outbox.sent_at).is_(None),
            )
        ).all()
    )
    for chat_id in set(chats) - waiting:
        session.add(Outbox(chat_id=chat_id, kind=Delivery.REFRESH, observation_id=observation_id))


def enqueue_notice(
    *, session: Session, user: User, observation_id: int | None, text_key: str, **values: Any
) -> None:
    """A message to one person in private; the text is made in their language on delivery."""
    session.add(
        Outbox(
            chat_id=user.telegram_id,
            kind=Delivery.NOTICE,
            observation_id=observation_id,
            payload={"key": text_key, "language": user.language, "values": values},
        )
    )


def enqueue_message(
    *,
    session: Session,
    chat_id: int,
    thread_id: int | None,
    kind: Delivery,
    intervention_id: int | None = None,
    observation_id: int | None = None,
) -> None:
    """Any other delivery (an intervention's reminder) to a chat."""
    session.add(
        Outbox(
            chat_id=chat_id,
            thread_id=thread_id,
            kind=kind,
            intervention_id=intervention_id,
            observation_id=observation_id,
        )
    )


def waiting_chats(
    *, session: Session, now: datetime | None = None, holder: str | None = None
) -> list[int]:
    """Chats with deliveries due now, the longest waiting first; with `holder`, not the
    chats whose lane another process holds."""
    now = now or utcnow()
    rows = session.exec(
        select(Outbox.chat_id, func.min(Outbox.id))
        .where(col(Outbox.sent_at).is_(None), col(Outbox.due_at) <= now)
        .group_by(col(Outbox.chat_id))
        .order_by(func.min(Outbox.id))
    ).all()
    chats = [chat_id for chat_id, _ in rows]
    if holder is None or not chats:
        return chats
    taken = held_by_others(session=session, prefix=LANE, holder=holder, now=now)
    return [chat_id for chat_id in chats if lane(chat_id) not in taken]


LANE = "chat:"


def lane(chat_id: int) -> str:
    """The name of a chat's delivery lease."""
    return f"{LANE}{chat_id}"


def claim_lane(*, session: Session, chat_id: int, holder: str, ttl_s: float) -> bool:
    """Take (or keep) the chat's delivery lane; False while another process has it."""
    return claim_lease(session=session, name=lane(chat_id), holder=holder, ttl_s=ttl_s)


def release_lane(*, session: Session, chat_id: int, holder: str, keep_s: float = 0.0) -> None:
    """Nothing more to deliver to the chat for now; see `release_lease` for `keep_s`."""
    release_lease(session=session, name=lane(chat_id), holder=holder, keep_s=keep_s)


def waiting_for(*, session: Session, chat_id: int, now: datetime | None = None) -> list[Outbox]:
    """A chat's deliveries due now, oldest first."""
    return list(
        session.exec(
            select(Outbox)
            .where(
                Outbox.chat_id == chat_id,
                col(Outbox.sent_at).is_(None),
                col(Outbox.due_at) <= (now or utcnow()),
            )
            .order_by(col(Outbox.id))
        ).all()
    )


def next_due(*, session: Session) -> datetime | None:
    """When the earliest postponed delivery is due."""
    return session.exec(
        select(func.min(Outbox.due_at)).where(col(Outbox.sent_at).is_(None))
    ).first()


PostedRecord = tuple[int, Posted, int | None, int | None]  # message id, role, observation, insats


def mark_delivered(
    *,
    session: Session,
    ids: Sequence[int],
    chat_id: int,
    posted: Iterable[PostedRecord] = (),
    merged: bool = False,
    now: datetime | None = None,
) -> None:
    """Delivered: the rows are done, and the messages posted are remembered for replies."""
    now = now or utcnow()
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.sent_at).is_(None))
        .values(sent_at=now, merged=merged)
    )
    for message_id, role, observation_id, intervention_id in posted:
        session.add(
            PostedMessage(
                chat_id=chat_id,
                message_id=message_id,
                role=role,
                observation_id=observation_id,
                intervention_id=intervention_id,
                created_at=now,
            )
        )


def postpone(
    *, session: Session, outbox_id: int, error: str, wait_s: float | None = None,
    now: datetime | None = None,
) -> None:  # fmt: skip
    """Delivery failed for now: try again later (sooner if Telegram said when)."""
    row = session.get(Outbox, outbox_id)
    if row is None or row.sent_at is not None:
        return
    now = now or utcnow()
    row.attempts += 1
    row.last_error = error[:300]
    if row.attempts >= GIVE_UP_AFTER:
        row.sent_at = now
    else:
        backoff = min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** min(row.attempts - 1, 10))
        row.due_at = now + timedelta(seconds=wait_s if wait_s is not None else backoff)
    session.add(row)


def drop(*, session: Session, ids: Sequence[int], error: str, now: datetime | None = None) -> None:
    """Deliveries that can never succeed (the chat is gone): done, with the reason kept."""
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.sent_at).is_(None))
        .values(sent_at=now or utcnow(), last_error=error[:300])
    )


def undelivered(*, session: Session) -> int:
    """How many deliveries wait (for `estbot` operators and tests)."""
    return int(
        session.exec(select(func.count(col(Outbox.id))).where(col(Outbox.sent_at).is_(None))).one()
    )
