"""Documents events attach by reference (`event_attachments`), for the document store.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_attachments",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("event_source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("number", sa.String(500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_source", "event_id"],
            ["events.source", "events.event_id"],
            name="fk_event_attachments_event_source_event_id_events",
        ),
        sa.PrimaryKeyConstraint("sha256", "event_source", "event_id", name="pk_event_attachments"),
    )


def downgrade() -> None:
    op.drop_table("event_attachments")
