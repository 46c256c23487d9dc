"""The tables of reports: categories, observations and their reference counter, drafts, photos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.kinds import PlaceSource, Status, Step
from storage.tables.columns import utc_column, utcnow


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
