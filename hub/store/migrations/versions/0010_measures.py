"""The seals and freezes the courts' control requests keep in force, for the reminder before they
lapse (`enforcement.control.expiring.v1`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_STATES = "'requested', 'in_force', 'not_controlled', 'released', 'applied'"


def upgrade() -> None:
    op.create_table(
        "measures",
        sa.Column("event_source", sa.String(96), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("court", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("request_no", sa.String(500), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("asset_kind", sa.String(32), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("previous_request_no", sa.String(500), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reminded_for_end", sa.Date(), nullable=True),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_measures_state"),
        sa.PrimaryKeyConstraint("event_source", "event_id", name="pk_measures"),
    )
    op.create_index("ix_measures_state_ends_on", "measures", ["state", "ends_on"])
    op.create_index("ix_measures_court_case_no", "measures", ["court", "case_no"])


def downgrade() -> None:
    op.drop_index("ix_measures_court_case_no", table_name="measures")
    op.drop_index("ix_measures_state_ends_on", table_name="measures")
    op.drop_table("measures")
