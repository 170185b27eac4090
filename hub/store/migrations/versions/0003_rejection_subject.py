"""Rejections remember the refused record's type, subject (and case number) and, for a refused
receipt or reply, the event it claimed to answer, so that `fyhub trace CASE` shows them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rejections") as batch:
        batch.add_column(sa.Column("type", sa.String(128), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(128), nullable=True))
        batch.add_column(sa.Column("case_no", sa.String(64), nullable=True))
        batch.add_column(sa.Column("correlation_id", sa.String(64), nullable=True))
        batch.create_index("ix_rejections_case_no", ["case_no"])


def downgrade() -> None:
    with op.batch_alter_table("rejections") as batch:
        batch.drop_index("ix_rejections_case_no")
        batch.drop_column("correlation_id")
        batch.drop_column("case_no")
        batch.drop_column("subject")
        batch.drop_column("type")
