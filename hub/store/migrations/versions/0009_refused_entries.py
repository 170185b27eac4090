"""Journal entries refused as untrusted (not sealed by the hub, or their event not signed by
their unit) are kept with the unreadable ones, with the reason they were refused.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("unreadable_entries", sa.Column("refusal", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unreadable_entries") as batch:
        batch.drop_column("refusal")
