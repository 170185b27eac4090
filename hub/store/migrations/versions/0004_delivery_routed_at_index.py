"""Deliveries are indexed by routing time: a month's scorecard reads one month of them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_routed_at", "deliveries", ["routed_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_routed_at", table_name="deliveries")
