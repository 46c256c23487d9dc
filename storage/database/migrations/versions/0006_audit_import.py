"""Audit log: imports are recorded as their own action (issue 6)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 22:30:00.000000

Only PostgreSQL needs this: `audit_log.action` is a native enum there, and autogenerate does
not see new values of a native enum. On SQLite the column is a plain VARCHAR.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE auditaction ADD VALUE IF NOT EXISTS 'IMPORT'")


def downgrade() -> None:
    # PostgreSQL cannot drop one value of an enum; an unused IMPORT does no harm.
    pass
