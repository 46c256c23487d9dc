"""Telegram update ids already handled: a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete

from storage.access import Member, member
from storage.models import HandledUpdate, utcnow


def claim_update(*, session: Session, update_id: int) -> bool:
    """True the first time an update id is seen, False for a redelivery."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = session.execute(
        insert(HandledUpdate)
        .values(update_id=update_id, handled_at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(col(HandledUpdate.update_id))
    ).scalar_one_or_none()
    return claimed is not None


def forget_old_updates(
    *, session: Session, older_than: timedelta, now: datetime | None = None
) -> int:
    """Drop remembered update ids older than Telegram would ever redeliver (a day)."""
    cutoff = (now or utcnow()) - older_than
    result = session.exec(delete(HandledUpdate).where(col(HandledUpdate.handled_at) < cutoff))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


def admit_update(
    *, session: Session, update_id: int, telegram_id: int | None
) -> tuple[bool, Member | None]:
    """Claim the update (False for a redelivery) and find who sent it, in one transaction."""
    fresh = claim_update(session=session, update_id=update_id)
    if not fresh or telegram_id is None:
        return fresh, None
    return True, member(session=session, telegram_id=telegram_id)
