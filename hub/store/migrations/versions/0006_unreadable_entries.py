"""Journal entries the auditor could not apply are kept by position, digest and reason, so that
operations can find each one that was skipped instead of retried for ever.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unreadable_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("journal_partition", sa.Integer(), nullable=False),
        sa.Column("journal_offset", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("journal_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unreadable_entries"),
        sa.UniqueConstraint(
            "journal_partition",
            "journal_offset",
            name="uq_unreadable_entries_journal_partition_journal_offset",
        ),
    )


def downgrade() -> None:
    op.drop_table("unreadable_entries")
