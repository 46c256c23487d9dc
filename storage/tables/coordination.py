"""The tables of the coordinators' work: linked groups, the outbox, what was posted,
status history, comments and interventions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.kinds import Delivery, InterventionStatus, Posted, Status
from storage.tables.columns import utc_column, utcnow


class CoordinatorGroup(SQLModel, table=True):
    """A group chat linked with /koppla, and which observations it wants to see."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    thread_id: int | None = None  # a forum topic: the bot posts there
    title: str = Field(default="", max_length=200)
    language: str | None = Field(default=None, max_length=5)
    active: bool = True
    urgent_only: bool = False
    # Empty means every category, every organisation.
    category_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    organisation_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    linked_by_id: int | None = Field(default=None, foreign_key="user.id")
    linked_at: datetime = utc_column(default=utcnow)
    unlinked_at: datetime | None = utc_column(nullable=True, default=None)


class Outbox(SQLModel, table=True):
    """A message to deliver, written in the same transaction as what it tells about."""

    __table_args__ = (Index("ix_outbox_waiting", "sent_at", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    thread_id: int | None = None
    kind: Delivery = Field(max_length=20)
    observation_id: int | None = Field(default=None, foreign_key="observation.id")
    intervention_id: int | None = Field(default=None, foreign_key="intervention.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column(default=utcnow)
    due_at: datetime = utc_column(default=utcnow)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = utc_column(nullable=True, default=None)
    merged: bool = False  # delivered as a line of a summary message


class PostedMessage(SQLModel, table=True):
    """A message the bot posted about an observation or an intervention, so that replies
    and status changes find their way back."""

    __table_args__ = (Index("ix_postedmessage_message", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int
    role: Posted = Field(max_length=20)
    observation_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    intervention_id: int | None = Field(default=None, foreign_key="intervention.id", index=True)
    created_at: datetime = utc_column(default=utcnow)


class StatusChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True)
    status: Status = Field(max_length=20)
    changed_by_id: int = Field(foreign_key="user.id")
    changed_at: datetime = utc_column(default=utcnow)


class Comment(SQLModel, table=True):
    """A reply in a coordinators' group to a message about an observation."""

    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int
    created_at: datetime = utc_column(default=utcnow)


class Intervention(SQLModel, table=True):
    """An insats: what will be done, by whom, followed up when."""

    id: int | None = Field(default=None, primary_key=True)
    what: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(default="", max_length=200)
    follow_up_on: date | None = None
    status: InterventionStatus = Field(default=InterventionStatus.PLANNED, max_length=20)
    evaluation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    place_name: str = Field(default="", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    chat_id: int = Field(sa_type=BigInteger, index=True)  # the group that recorded it
    thread_id: int | None = None
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = utc_column(default=utcnow)
    updated_at: datetime = utc_column(default=utcnow, onupdate=utcnow)
    reminded_on: date | None = None  # the follow-up date a reminder was sent for


class InterventionLink(SQLModel, table=True):
    """An observation an intervention acts on."""

    intervention_id: int = Field(foreign_key="intervention.id", primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", primary_key=True)
