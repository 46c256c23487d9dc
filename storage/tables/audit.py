"""The table of the audit log: who did what in bulk or by hand, never what was written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.kinds import AuditAction
from storage.tables.columns import utc_column, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_column(default=utcnow, index=True)
    # "user" (then user_id says who), "cli" or "retention"
    actor: str = Field(max_length=20)
    user_id: int | None = Field(default=None, index=True)
    action: AuditAction = Field(max_length=20, index=True)
    # What it was about: a reference, "lagesbild 2026-10 in chat -100…", "users".
    target: str = Field(default="", max_length=200)
    rows: int | None = None  # how many rows it touched or showed, where known
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
