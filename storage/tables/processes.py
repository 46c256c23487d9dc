"""The tables the running processes share: update ids already handled, and leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from storage.tables.columns import utc_column, utcnow


class HandledUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update is not handled twice."""

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    handled_at: datetime = utc_column(default=utcnow, index=True)


class Lease(SQLModel, table=True):
    """Work that one process at a time may do (a chat's delivery lane), held until it expires.

    Several bot processes share one database: a process claims a lease before doing such
    work, renews it while it works, and a lease whose holder died expires on its own.
    """

    name: str = Field(primary_key=True, max_length=120)
    holder: str = Field(max_length=200)
    expires_at: datetime = utc_column(index=True)
