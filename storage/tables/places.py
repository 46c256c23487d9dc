"""The table of places looked up: what a geocoding service answered, kept for a while."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.columns import utc_column, utcnow


class GeocodeCache(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("provider", "query"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    query: str = Field(max_length=500)
    results: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column(default=utcnow)
