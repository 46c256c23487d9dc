"""The table of crimes reported to the police: a count per month, crime type and area."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.columns import utc_column, utcnow


class PoliceFigure(SQLModel, table=True):
    """How many crimes of one type were reported in one area in one month."""

    __tablename__ = "police_figure"
    __table_args__ = (UniqueConstraint("month", "crime_type", "area"),)

    id: int | None = Field(default=None, primary_key=True)
    month: date  # the first day of the month (the unique constraint indexes it first)
    crime_type: str = Field(max_length=200)
    area: str = Field(max_length=200)  # free text, as the police name it
    count: int
    imported_at: datetime = utc_column(default=utcnow)
