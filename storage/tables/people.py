"""The tables of people: organisations, registered users, and invite codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from storage.kinds import Role
from storage.tables.columns import utc_column, utcnow


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    # Cards in the coordinators' groups show the organisation only, not who reported.
    hide_names: bool = False
    created_at: datetime = utc_column(default=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    username: str | None = Field(default=None, max_length=64, index=True)
    full_name: str = Field(default="", max_length=200)
    organisation_id: int = Field(foreign_key="organisation.id")
    role: Role = Field(default=Role.REPORTER, max_length=20)
    language: str | None = Field(default=None, max_length=5)
    # Told in private when an observation of theirs changes status or gets a comment.
    notify_status: bool = True
    notify_comments: bool = True
    active: bool = True
    created_at: datetime = utc_column(default=utcnow)
    revoked_at: datetime | None = utc_column(nullable=True, default=None)


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    organisation_id: int = Field(foreign_key="organisation.id")
    role: Role = Field(max_length=20)
    max_uses: int = 1
    uses: int = 0
    expires_at: datetime | None = utc_column(nullable=True, default=None)
    created_at: datetime = utc_column(default=utcnow)
