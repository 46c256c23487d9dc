"""Which digests a coordinators' group gets, at what time, and which were made for it.

Without a row of its own a group gets every scheduled kind at the default time. A digest
made for a group is recorded in the same transaction as the messages it put in the
outbox, and the record is unique per kind, period and group: a digest goes out once,
whatever restarts, clock changes or other processes making the same digest happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.kinds import Delivery, DigestKind
from storage.tables import CoordinatorGroup, DigestSubscription, Outbox, SentDigest, utcnow
from storage.visibility import find_group

DEFAULT_AT = {
    DigestKind.DAILY: "07:00",
    DigestKind.FORTNIGHT: "08:00",
    DigestKind.MONTHLY: "08:00",
    DigestKind.TERTIAL: "08:00",
    DigestKind.YEARLY: "08:00",
}
SCHEDULED = tuple(DEFAULT_AT)


@dataclass(frozen=True)
class Subscription:
    """A group's choice for one kind of digest, defaults filled in."""

    chat_id: int
    kind: DigestKind
    enabled: bool
    at: str  # "HH:MM" local time
    quiet_days: bool
    since: datetime  # slots before this are not sent


def subscriptions(*, session: Session, group: CoordinatorGroup) -> list[Subscription]:
    """The group's choice for every scheduled kind."""
    rows = {
        row.kind: row
        for row in session.exec(
            select(DigestSubscription).where(DigestSubscription.chat_id == group.chat_id)
        ).all()
    }
    found = []
    for kind in SCHEDULED:
        row = rows.get(kind)
        if row is None:
            found.append(
                Subscription(group.chat_id, kind, True, DEFAULT_AT[kind], False, group.linked_at)
            )
        else:
            found.append(
                Subscription(group.chat_id, kind, row.enabled, row.at, row.quiet_days, row.since)
            )
    return found


def change_subscription(
    *,
    session: Session,
    chat_id: int,
    kind: str,
    toggle: bool = False,
    shift_hours: int = 0,
    toggle_quiet: bool = False,
    now: datetime | None = None,
) -> CoordinatorGroup | None:
    """Turn a kind on or off, move its time by whole hours, or turn quiet-day messages on
    or off; returns the group (None if it is not linked)."""
    group = find_group(session=session, chat_id=chat_id)
    if group is None or kind not in {k.value for k in SCHEDULED}:
        return None
    row = session.exec(
        select(DigestSubscription).where(
            DigestSubscription.chat_id == chat_id, DigestSubscription.kind == kind
        )
    ).first() or DigestSubscription(
        chat_id=chat_id, kind=DigestKind(kind), at=DEFAULT_AT[DigestKind(kind)],
        since=group.linked_at,
    )  # fmt: skip
    if toggle:
        row.enabled = not row.enabled
        if row.enabled:  # from now on: turning it on does not fetch the last one
            row.since = now or utcnow()
    if shift_hours:
        hour, minute = (int(part) for part in row.at.split(":"))
        row.at = f"{(hour + shift_hours) % 24:02d}:{minute:02d}"
    if toggle_quiet:
        row.quiet_days = not row.quiet_days
    session.add(row)
    return group


def active_subscriptions(*, session: Session) -> list[tuple[CoordinatorGroup, Subscription]]:
    """Every linked group with each kind it gets."""
    groups = session.exec(select(CoordinatorGroup).where(col(CoordinatorGroup.active))).all()
    return [
        (group, subscription)
        for group in groups
        for subscription in subscriptions(session=session, group=group)
        if subscription.enabled
    ]


def already_made(*, session: Session, chat_id: int, kind: DigestKind, period: str) -> bool:
    """Whether the digest of this kind and period was made for the group."""
    found = session.exec(
        select(SentDigest.id).where(
            SentDigest.chat_id == chat_id, SentDigest.kind == kind, SentDigest.period == period
        )
    ).first()
    return found is not None


def record_digest(
    *,
    session: Session,
    group: CoordinatorGroup,
    kind: DigestKind,
    period: str,
    messages: Sequence[str],
    charts: Sequence[dict[str, Any]] = (),
) -> bool:
    """Put a digest's messages (and its album of charts) in the outbox and record it as
    made, together; False, changing nothing, if it was made already."""
    if not _claim_digest(session, group.chat_id, kind, period, len(messages)):
        return False
    for text in messages:
        session.add(
            Outbox(chat_id=group.chat_id, thread_id=group.thread_id, kind=Delivery.DIGEST,
                   payload={"text": text})
        )  # fmt: skip
    if charts and messages:
        session.add(
            Outbox(chat_id=group.chat_id, thread_id=group.thread_id, kind=Delivery.CHARTS,
                   payload={"charts": list(charts)})
        )  # fmt: skip
    return True


def _claim_digest(
    session: Session, chat_id: int, kind: DigestKind, period: str, messages: int
) -> bool:
    """Record the digest as made; False if it was made already. Another process making the
    same digest at this moment waits for this one's commit and then finds it made: no
    unique-violation error, and no second copy."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    made = session.execute(
        insert(SentDigest)
        .values(kind=kind, period=period, chat_id=chat_id, messages=messages, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "period", "chat_id"])
        .returning(col(SentDigest.id))
    )
    return made.first() is not None
