"""Baseline: the schema as `create_all` made it before estbot had migrations (issue 3)

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:25:44.297866
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_sv", sa.String(length=80), nullable=False),
        sa.Column("label_en", sa.String(length=80), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "geocodecache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "query"),
    )
    op.create_table(
        "handledupdate",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    with op.batch_alter_table("handledupdate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handledupdate_handled_at"), ["handled_at"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hide_names", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "referencecounter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("REPORTER", "COORDINATOR", "ADMIN", name="role"), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("REPORTER", "COORDINATOR", "ADMIN", name="role"), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("notify_status", sa.Boolean(), nullable=False),
        sa.Column("notify_comments", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_telegram_id"), ["telegram_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_user_username"), ["username"], unique=False)

    op.create_table(
        "coordinatorgroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("urgent_only", sa.Boolean(), nullable=False),
        sa.Column("category_codes", sa.JSON(), nullable=False),
        sa.Column("organisation_ids", sa.JSON(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("unlinked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("coordinatorgroup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordinatorgroup_chat_id"), ["chat_id"], unique=True)

    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "CATEGORY",
                "PLACE",
                "PLACE_CHOICE",
                "PLACE_CONFIRM",
                "DESCRIPTION",
                "WHEN",
                "WHEN_WINDOW",
                "SUMMARY",
                "EDIT_MENU",
                name="step",
            ),
            nullable=False,
        ),
        sa.Column("editing", sa.Boolean(), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("place_text", sa.String(length=500), nullable=True),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("place_distance_m", sa.Float(), nullable=True),
        sa.Column(
            "place_source",
            sa.Enum(
                "POSITION",
                "PIN",
                "VENUE",
                "GAZETTEER",
                "GEOCODER",
                "TEXT",
                "LAST",
                name="placesource",
            ),
            nullable=True,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=True),
        sa.Column("when_day", sa.String(length=10), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("media_group_id", sa.String(length=64), nullable=True),
        sa.Column("photo_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("PLANNED", "ONGOING", "DONE", "EVALUATED", name="interventionstatus"),
            nullable=False,
        ),
        sa.Column("evaluation", sa.Text(), nullable=True),
        sa.Column("place_name", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intervention_chat_id"), ["chat_id"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("place_text", sa.String(length=500), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=False),
        sa.Column("place_distance_m", sa.Float(), nullable=True),
        sa.Column(
            "place_source",
            sa.Enum(
                "POSITION",
                "PIN",
                "VENUE",
                "GAZETTEER",
                "GEOCODER",
                "TEXT",
                "LAST",
                name="placesource",
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("NEW", "ASSESSED", "IN_PROGRESS", "RESOLVED", "CLOSED", name="status"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("draft_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["observation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_key"),
        sa.UniqueConstraint("reference"),
        sa.UniqueConstraint("year", "number"),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_reporter_id"), ["reporter_id"], unique=False
        )

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "message_id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_observation_id"), ["observation_id"], unique=False
        )

    op.create_table(
        "interventionlink",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("intervention_id", "observation_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("CARD", "REFRESH", "NOTICE", "REMINDER", name="delivery"),
            nullable=False,
        ),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("intervention_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_waiting", ["sent_at", "chat_id"], unique=False)

    op.create_table(
        "postedmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "CARD",
                "PHOTO_CARD",
                "PIN",
                "PHOTO",
                "MORE",
                "SUMMARY",
                "SHOW",
                "ASK_WHAT",
                "ASK_OWNER",
                "ASK_FOLLOW_UP",
                "ASK_EVALUATION",
                "INTERVENTION",
                name="posted",
            ),
            nullable=False,
        ),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("intervention_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("postedmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_postedmessage_intervention_id"), ["intervention_id"], unique=False
        )
        batch_op.create_index("ix_postedmessage_message", ["chat_id", "message_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_postedmessage_observation_id"), ["observation_id"], unique=False
        )

    op.create_table(
        "statuschange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("NEW", "ASSESSED", "IN_PROGRESS", "RESOLVED", "CLOSED", name="status"),
            nullable=False,
        ),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("statuschange", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statuschange_observation_id"), ["observation_id"], unique=False
        )

    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["draft.id"],
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photo_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photo_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_photo_observation_id"), ["observation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_photo_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_sha256"))
        batch_op.drop_index(batch_op.f("ix_photo_observation_id"))
        batch_op.drop_index(batch_op.f("ix_photo_draft_id"))
        batch_op.drop_index(batch_op.f("ix_photo_comment_id"))

    op.drop_table("photo")
    with op.batch_alter_table("statuschange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statuschange_observation_id"))

    op.drop_table("statuschange")
    with op.batch_alter_table("postedmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postedmessage_observation_id"))
        batch_op.drop_index("ix_postedmessage_message")
        batch_op.drop_index(batch_op.f("ix_postedmessage_intervention_id"))

    op.drop_table("postedmessage")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_waiting")

    op.drop_table("outbox")
    op.drop_table("interventionlink")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_observation_id"))

    op.drop_table("comment")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_observation_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_observation_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_observation_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_observation_category_id"))

    op.drop_table("observation")
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_chat_id"))

    op.drop_table("intervention")
    op.drop_table("draft")
    with op.batch_alter_table("coordinatorgroup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinatorgroup_chat_id"))

    op.drop_table("coordinatorgroup")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_username"))
        batch_op.drop_index(batch_op.f("ix_user_telegram_id"))

    op.drop_table("user")
    op.drop_table("invite")
    op.drop_table("referencecounter")
    op.drop_table("organisation")
    with op.batch_alter_table("handledupdate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handledupdate_handled_at"))

    op.drop_table("handledupdate")
    op.drop_table("geocodecache")
    op.drop_table("category")
    if op.get_bind().dialect.name == "postgresql":
        for enum in ("role", "placesource", "status", "step", "delivery", "posted",
                     "interventionstatus"):  # fmt: skip
            op.execute(f"DROP TYPE IF EXISTS {enum}")
