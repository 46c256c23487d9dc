"""Telegram update ids already handled: a redelivered update is handled once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, text, update
from sqlmodel import Session, col, delete, select

from storage.people.access import Member, member_and_draft
from storage.reports.drafts import DraftState, draft_state
from storage.tables import HandledUpdate, User, utcnow

# Plain SQL that SQLite (3.35+) and PostgreSQL both speak: the gate runs it for every update.
_CLAIM = text(
    "INSERT INTO handledupdate (update_id, handled_at) VALUES (:update_id, :handled_at) "
    "ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
)


def claim_update(*, session: Session, update_id: int) -> bool:
    """True the first time an update id is seen, False for a redelivery."""
    handled_at = utcnow().replace(tzinfo=None)  # stored as naive UTC, like UTCDateTime does
    claimed = session.execute(_CLAIM, {"update_id": update_id, "handled_at": handled_at})
    return claimed.scalar_one_or_none() is not None


def last_handled_update(*, session: Session) -> int:
    """The highest update id handled so far, 0 if none."""
    return int(session.exec(select(func.max(col(HandledUpdate.update_id)))).one() or 0)


def forget_old_updates(
    *, session: Session, older_than: timedelta, now: datetime | None = None
) -> int:
    """Drop remembered update ids older than Telegram would ever redeliver (a day)."""
    cutoff = (now or utcnow()) - older_than
    result = session.exec(delete(HandledUpdate).where(col(HandledUpdate.handled_at) < cutoff))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Admission:
    """What the gate learns about an update in one transaction."""

    fresh: bool  # False: a redelivery, already handled
    member: Member | None  # None: not registered, or revoked
    draft: DraftState | None  # the member's report in progress, as the update found it


def admit_update(
    *, session: Session, update_id: int, telegram_id: int | None, username: str | None = None
) -> Admission:
    """Claim the update, find who sent it and their draft, in one transaction.

    A changed @username is stored, so that `estbot revoke @name` finds today's owner.
    """
    fresh = claim_update(session=session, update_id=update_id)
    if not fresh or telegram_id is None:
        return Admission(fresh, None, None)
    found = member_and_draft(session=session, telegram_id=telegram_id)
    if found is None:
        return Admission(True, None, None)
    who, draft = found
    if username != who.username:
        session.execute(update(User).where(col(User.id) == who.user_id).values(username=username))
    return Admission(
        True, who, None if draft is None else draft_state(session=session, draft=draft)
    )
