"""Digests: subscriptions, sent digests, observation areas (issue 4)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:25:54.748227
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Autogenerate does not see new values of a native enum; outbox rows now carry these.
        op.execute("ALTER TYPE delivery ADD VALUE IF NOT EXISTS 'DIGEST'")
        op.execute("ALTER TYPE delivery ADD VALUE IF NOT EXISTS 'CHARTS'")
    op.create_table(
        "digestsubscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DAILY", "WEEK", "FORTNIGHT", "MONTHLY", "TERTIAL", "YEARLY", name="digestkind"
            ),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("quiet_days", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "kind"),
    )
    with op.batch_alter_table("digestsubscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_digestsubscription_chat_id"), ["chat_id"], unique=False
        )

    op.create_table(
        "sentdigest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DAILY", "WEEK", "FORTNIGHT", "MONTHLY", "TERTIAL", "YEARLY", name="digestkind"
            ),
            nullable=False,
        ),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period", "chat_id"),
    )
    with op.batch_alter_table("sentdigest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sentdigest_chat_id"), ["chat_id"], unique=False)

    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_observation_area"), ["area"], unique=False)
        batch_op.create_index(batch_op.f("ix_observation_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_status"))
        batch_op.drop_index(batch_op.f("ix_observation_area"))
        batch_op.drop_column("area")

    with op.batch_alter_table("sentdigest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentdigest_chat_id"))

    op.drop_table("sentdigest")
    with op.batch_alter_table("digestsubscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digestsubscription_chat_id"))

    op.drop_table("digestsubscription")
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL cannot take a value out of an enum; DIGEST and CHARTS stay, unused.
        op.execute("DROP TYPE IF EXISTS digestkind")
