"""Telegram update ids already handled: a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, text
from sqlmodel import Session, col, delete, select

from storage.tables import HandledUpdate, utcnow

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
