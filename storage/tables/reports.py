"""The tables. Times are stored in UTC; `UTCDateTime` hands them back timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.kinds import PlaceSource, Role, Status, Step


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC on every backend and returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; give it a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_column(**kwargs: Any) -> Any:
    nullable = kwargs.pop("nullable", False)
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, **kwargs))


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


class Category(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)
    label_sv: str = Field(max_length=80)
    label_en: str = Field(max_length=80)
    emoji: str = Field(default="", max_length=16)
    urgent: bool = False
    position: int = 0
    active: bool = True

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_sv


class ReferenceCounter(SQLModel, table=True):
    """The last reference number handed out in a year; rows are locked while counting."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class Observation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=20)
    year: int
    number: int
    category_id: int = Field(foreign_key="category.id", index=True)
    occurred_at: datetime = utc_column(index=True)
    reported_at: datetime = utc_column(default=utcnow)
    latitude: float | None = None
    longitude: float | None = None
    place_text: str = Field(default="", max_length=500)
    place_name: str = Field(default="", max_length=200)
    place_distance_m: float | None = None
    place_source: PlaceSource = Field(max_length=20)
    # The named area (from the operator's GeoJSON areas) the place lies in, set at filing.
    area: str | None = Field(default=None, max_length=100, index=True)
    description: str = Field(sa_column=Column(Text, nullable=False))
    reporter_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # indexed: lägesbilder count the open ones among a million closed
    status: Status = Field(default=Status.NEW, max_length=20, index=True)
    source: str = Field(default="telegram", max_length=20)
    # A report the reporter confirmed as the same thing as an earlier open observation.
    duplicate_of_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    # One draft becomes at most one observation, however often "Skicka" arrives.
    draft_key: str | None = Field(default=None, unique=True, max_length=64)


class Draft(SQLModel, table=True):
    """A report being written; one per person, stored after every step."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    key: str = Field(max_length=64, unique=True)
    step: Step = Field(default=Step.CATEGORY, max_length=20)
    editing: bool = False
    category_code: str | None = Field(default=None, max_length=40)
    latitude: float | None = None
    longitude: float | None = None
    place_text: str | None = Field(default=None, max_length=500)
    place_name: str | None = Field(default=None, max_length=200)
    place_distance_m: float | None = None
    place_source: PlaceSource | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    occurred_at: datetime | None = utc_column(nullable=True, default=None)
    when_day: str | None = Field(default=None, max_length=10)  # "today" / "yesterday"
    # Places offered to pick from, or a point waiting for "is this right?".
    pending: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    media_group_id: str | None = Field(default=None, max_length=64)
    photo_count: int = 0
    created_at: datetime = utc_column(default=utcnow)
    updated_at: datetime = utc_column(default=utcnow, onupdate=utcnow)


class Photo(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    draft_id: int | None = Field(default=None, foreign_key="draft.id", index=True)
    observation_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    comment_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(max_length=64)
    sha256: str = Field(max_length=64, index=True)
    path: str = Field(max_length=500)
    width: int = 0
    height: int = 0
    created_at: datetime = utc_column(default=utcnow)


class GeocodeCache(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("provider", "query"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    query: str = Field(max_length=500)
    results: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column(default=utcnow)


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
