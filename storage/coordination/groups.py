"""Coordinators' groups: linking, unlinking, migration, and changing what a group wants to see."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.tables import (
    CoordinatorGroup,
    DigestSubscription,
    Intervention,
    Organisation,
    Outbox,
    PostedMessage,
    SentDigest,
    utcnow,
)
from storage.visibility import find_group

T = TypeVar("T")


def link_group(
    *,
    session: Session,
    chat_id: int,
    thread_id: int | None,
    title: str,
    linked_by_id: int,
    language: str | None,
    now: datetime | None = None,
) -> tuple[CoordinatorGroup, bool]:
    """Link a chat (again); returns the group and whether it was linked already.

    Relinking keeps the filter the group had, and moves the bot to the topic it was asked in.
    """
    group = session.exec(
        select(CoordinatorGroup).where(CoordinatorGroup.chat_id == chat_id)
    ).first()
    already = group is not None and group.active
    if group is None:
        group = CoordinatorGroup(chat_id=chat_id)
    group.thread_id, group.title, group.active = thread_id, title[:200], True
    group.linked_by_id, group.language = linked_by_id, language
    if not already:
        group.linked_at, group.unlinked_at = now or utcnow(), None
    session.add(group)
    session.flush()
    return group, already


def unlink_group(*, session: Session, chat_id: int, now: datetime | None = None) -> bool:
    """Stop posting to a chat; its undelivered messages are dropped. False if not linked."""
    group = find_group(session=session, chat_id=chat_id)
    if group is None:
        return False
    group.active, group.unlinked_at = False, now or utcnow()
    session.add(group)
    session.execute(
        update(Outbox)
        .where(col(Outbox.chat_id) == chat_id, col(Outbox.sent_at).is_(None))
        .values(sent_at=now or utcnow(), last_error="unlinked")
    )
    return True


def migrate_group(*, session: Session, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup with a new id: the link, its queue, what was posted and
    its interventions move along. Safe to call from both ends of the move."""
    if old_chat_id == new_chat_id:
        return False
    for table in (Outbox, PostedMessage, Intervention, DigestSubscription, SentDigest):
        session.execute(
            update(table).where(col(table.chat_id) == old_chat_id).values(chat_id=new_chat_id)
        )
    group = session.exec(
        select(CoordinatorGroup).where(CoordinatorGroup.chat_id == old_chat_id)
    ).first()
    taken = session.exec(
        select(CoordinatorGroup).where(CoordinatorGroup.chat_id == new_chat_id)
    ).first()
    if group is None or taken is not None:  # the other end of the move did it already
        return False
    group.chat_id, group.thread_id = new_chat_id, None
    session.add(group)
    return True


def forget_thread(*, session: Session, chat_id: int) -> None:
    """The topic a group was linked in is gone: the bot posts in the group's main topic."""
    group = find_group(session=session, chat_id=chat_id)
    if group is not None:
        group.thread_id = None
        session.add(group)
        session.execute(
            update(Outbox)
            .where(col(Outbox.chat_id) == chat_id, col(Outbox.sent_at).is_(None))
            .values(thread_id=None)
        )


def toggle_filter(
    *, session: Session, chat_id: int, what: str, value: str = ""
) -> CoordinatorGroup | None:
    """Change one part of a group's filter: "urgent", "category" <code>, "org" <id>, "all"."""
    group = find_group(session=session, chat_id=chat_id)
    if group is None:
        return None
    if what == "urgent":
        group.urgent_only = not group.urgent_only
    elif what == "category":
        group.category_codes = _toggled(group.category_codes, value)
    elif what == "org" and re.fullmatch(r"[0-9]{1,9}", value):
        group.organisation_ids = _toggled(group.organisation_ids, int(value))
    elif what == "all":
        group.urgent_only, group.category_codes, group.organisation_ids = False, [], []
    session.add(group)
    session.flush()
    return group


def _toggled(items: list[T], item: T) -> list[T]:
    return [x for x in items if x != item] if item in items else [*items, item]


def organisations(*, session: Session) -> list[Organisation]:
    """Every organisation, by name."""
    return list(session.exec(select(Organisation).order_by(Organisation.name)).all())
