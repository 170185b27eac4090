"""Liaison officers announced by the units (`unit.liaison.changed.v1`): the history of changes
and, per unit and name, what the latest change says about each officer.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UTC_TIME = sa.DateTime(timezone=True)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "liaison_changes",
        sa.Column("event_source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("changed_at", UTC_TIME, nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_source", "event_id", name="pk_liaison_changes"),
    )
    op.create_index("ix_liaison_changes_unit_changed_at", "liaison_changes", ["unit", "changed_at"])
    op.create_table(
        "unit_liaisons",
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("post", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("event_source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("changed_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("state IN ('current', 'replaced')", name="ck_unit_liaisons_state"),
        sa.PrimaryKeyConstraint("unit", "name", name="pk_unit_liaisons"),
    )


def downgrade() -> None:
    op.drop_table("unit_liaisons")
    op.drop_index("ix_liaison_changes_unit_changed_at", table_name="liaison_changes")
    op.drop_table("liaison_changes")
