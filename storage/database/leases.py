"""Leases: work that one process at a time may do, when several share one database.

A lease is a row named after the work ("chat:-100123" for a chat's delivery lane). Claiming
it is one INSERT ... ON CONFLICT DO UPDATE that takes the row only if it is free, expired or
already ours, so two processes racing for it cannot both win: PostgreSQL makes the second
wait for the first's commit and then sees the row taken; SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.tables import Lease, utcnow


def claim_lease(
    *, session: Session, name: str, holder: str, ttl_s: float, now: datetime | None = None
) -> bool:
    """Take (or keep) the lease for `ttl_s` seconds; False if another holder has it."""
    now = now or utcnow()
    expires_at = now + timedelta(seconds=ttl_s)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Lease)
        .values(name=name, holder=holder, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": expires_at},
            where=or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
        )
        .returning(col(Lease.name))
    )
    return session.execute(statement).first() is not None


def renew_leases(
    *,
    session: Session,
    names: Collection[str],
    holder: str,
    ttl_s: float,
    now: datetime | None = None,
) -> int:
    """Extend the leases of work still going on; returns how many were still ours."""
    if not names:
        return 0
    expires_at = (now or utcnow()) + timedelta(seconds=ttl_s)
    result = session.execute(
        update(Lease)
        .where(col(Lease.name).in_(list(names)), col(Lease.holder) == holder)
        .values(expires_at=expires_at)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_lease(
    *, session: Session, name: str, holder: str, keep_s: float = 0.0, now: datetime | None = None
) -> None:
    """The work is done. With `keep_s`, others may take it over only after that long (the
    holder itself may go on at once): what the holder alone remembers stays true meanwhile."""
    session.execute(
        update(Lease)
        .where(col(Lease.name) == name, col(Lease.holder) == holder)
        .values(expires_at=(now or utcnow()) + timedelta(seconds=keep_s))
    )


def release_all(*, session: Session, holder: str, now: datetime | None = None) -> None:
    """A process stopping hands over everything it held, at once."""
    session.execute(
        update(Lease)
        .where(col(Lease.holder) == holder, col(Lease.expires_at) > (now or utcnow()))
        .values(expires_at=now or utcnow())
    )


def held_by_others(
    *, session: Session, prefix: str, holder: str, now: datetime | None = None
) -> set[str]:
    """Names (starting with `prefix`) of leases that another holder has now."""
    rows = session.exec(
        select(Lease.name).where(
            col(Lease.name).startswith(prefix, autoescape=True),
            col(Lease.holder) != holder,
            col(Lease.expires_at) > (now or utcnow()),
        )
    ).all()
    return set(rows)
