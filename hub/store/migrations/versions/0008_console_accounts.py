"""The office console's accounts (hashed passwords, roles, lockout) and the record of who
looked at which case's trace.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

UTC_TIME = sa.DateTime(timezone=True)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_accounts",
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("credentials_changed_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("role IN ('office', 'liaison')", name="ck_console_accounts_role"),
        sa.CheckConstraint(
            "(role = 'office' AND unit IS NULL) OR (role = 'liaison' AND unit IS NOT NULL)",
            name="ck_console_accounts_unit",
        ),
        sa.PrimaryKeyConstraint("login", name="pk_console_accounts"),
    )
    op.create_table(
        "console_trace_views",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("query", sa.String(255), nullable=False),
        sa.Column("case_no", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("viewed_at", UTC_TIME, nullable=False),
        sa.CheckConstraint(
            "outcome IN ('shown', 'not_found', 'refused')", name="ck_console_trace_views_outcome"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_trace_views"),
    )
    op.create_index("ix_console_trace_views_viewed_at", "console_trace_views", ["viewed_at"])
    op.create_index(
        "ix_console_trace_views_login_viewed_at", "console_trace_views", ["login", "viewed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_console_trace_views_login_viewed_at", table_name="console_trace_views")
    op.drop_index("ix_console_trace_views_viewed_at", table_name="console_trace_views")
    op.drop_table("console_trace_views")
    op.drop_table("console_accounts")
