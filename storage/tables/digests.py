"""The tables of scheduled digests: what each group subscribed to, and what was sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.kinds import DigestKind
from storage.tables.columns import utc_column, utcnow


class DigestSubscription(SQLModel, table=True):
    """A group's own choice for one kind of digest; without a row the defaults hold."""

    __table_args__ = (UniqueConstraint("chat_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, index=True)
    kind: DigestKind = Field(max_length=20)
    enabled: bool = True
    at: str = Field(max_length=5)  # "07:00", local time
    quiet_days: bool = False  # a daily digest also on a day without observations
    # Only slots after this are sent: turning a kind on does not fetch last month's.
    since: datetime = utc_column(default=utcnow)


class SentDigest(SQLModel, table=True):
    """A digest made for a group: once per kind, period and group, whatever happens."""

    __table_args__ = (UniqueConstraint("kind", "period", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: DigestKind = Field(max_length=20)
    period: str = Field(max_length=30)  # the period's key: "2026-10", "2026-T3", …
    chat_id: int = Field(sa_type=BigInteger, index=True)
    messages: int = 0  # how many messages went into the outbox (0: a quiet day)
    created_at: datetime = utc_column(default=utcnow)
