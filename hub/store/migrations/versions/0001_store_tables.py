"""The store's first tables: events, deliveries, rejections, audit_log, processed.

Revision ID: 0001
Revises:
Create Date: 2024-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(128), nullable=True),
        sa.Column("case_no", sa.String(64), nullable=True),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("signing_key", sa.String(128), nullable=True),
        sa.Column("duplicate_count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", name="pk_events"),
    )
    op.create_index("ix_events_case_no", "events", ["case_no"])
    op.create_index("ix_events_type_time", "events", ["type", "time"])

    op.create_table(
        "deliveries",
        sa.Column("event_source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("routed_at", UTC_TIME, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("receipt_due", UTC_TIME, nullable=True),
        sa.Column("reply_due", UTC_TIME, nullable=True),
        sa.Column("receipt_at", UTC_TIME, nullable=True),
        sa.Column("reply_event_id", sa.String(64), nullable=True),
        sa.Column("replied_at", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(16), server_default="routed", nullable=False),
        sa.Column("receipt_overdue_at", UTC_TIME, nullable=True),
        sa.Column("reply_overdue_at", UTC_TIME, nullable=True),
        sa.Column("escalated_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("event_source", "event_id", "recipient", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["event_source", "event_id"],
            ["events.source", "events.event_id"],
            name="fk_deliveries_event_source_event_id_events",
        ),
        sa.CheckConstraint(
            "status IN ('routed', 'received', 'replied', 'closed', 'rejected')",
            name="ck_deliveries_status",
        ),
    )
    op.create_index("ix_deliveries_recipient_status", "deliveries", ["recipient", "status"])
    op.create_index("ix_deliveries_status_receipt_due", "deliveries", ["status", "receipt_due"])
    op.create_index("ix_deliveries_status_reply_due", "deliveries", ["status", "reply_due"])

    op.create_table(
        "rejections",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("field_paths", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(96), nullable=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("kafka_partition", sa.Integer(), nullable=False),
        sa.Column("kafka_offset", sa.BigInteger(), nullable=False),
        sa.Column("rejected_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejections"),
        sa.UniqueConstraint(
            "topic",
            "kafka_partition",
            "kafka_offset",
            name="uq_rejections_topic_kafka_partition_kafka_offset",
        ),
    )
    op.create_index("ix_rejections_source", "rejections", ["source"])
    op.create_index("ix_rejections_code_rejected_at", "rejections", ["code", "rejected_at"])

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
        sa.UniqueConstraint("row_hash", name="uq_audit_log_row_hash"),
    )
    op.create_index("ix_audit_log_event_id", "audit_log", ["event_id"])

    op.create_table(
        "processed",
        sa.Column("consumer", sa.String(128), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("processed_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "key", name="pk_processed"),
    )


def downgrade() -> None:
    op.drop_table("processed")
    op.drop_table("audit_log")
    op.drop_table("rejections")
    op.drop_table("deliveries")
    op.drop_table("events")
