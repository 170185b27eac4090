"""The petition bureau's own database (信访登记): petitions as registered, the referrals to the
court made from them, the court's handling reports, and the requests it has handled.

A referral row is written with the event id its event will have, so publishing it twice (a crash
between publishing and marking it sent) queues one event. The court's reports are kept once per
event id, the petition's status following them: `accepted` (受理) is interim, `concluded` or
`not_accepted` final (信访工作条例 arts 24, 32).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text

from connectors.department.desk import (
    AwareDateTime,
    department_metadata,
    handled_requests_table,
    one_of,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

PETITION_STATUSES: Final = {
    "registered": "已登记",
    "referred": "已转法院",
    "accepted": "法院已受理",
    "concluded": "法院已办结",
    "not_accepted": "法院不予受理",
}

METADATA: Final = department_metadata()

petitions: Final = Table(
    "petitions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("petition_no", String(64), nullable=False, unique=True),
    Column("petitioner", JSON, nullable=False, comment="The petitioner (or representative)."),
    Column("petitioners_count", Integer, nullable=False, default=1),
    Column("matter", Text, nullable=False),
    Column("case_no", String(64), index=True),
    Column("received_on", Date, nullable=False),
    Column("status", String(16), nullable=False, default="registered"),
    CheckConstraint(one_of("status", PETITION_STATUSES), name="status_known"),
    CheckConstraint("petitioners_count >= 1", name="count_positive"),
)
"""信访件: one row per petition registered (信访工作条例 art 22)."""

court_referrals: Final = Table(
    "court_referrals",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("petition_id", ForeignKey(petitions.c.id), nullable=False, unique=True),
    Column("referral_no", String(64), nullable=False, unique=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("to_unit", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("sent_at", AwareDateTime()),
)
"""转法院: a petition about a case referred to the court (诉访分离), sent once `sent_at` is set."""

court_handling: Final = Table(
    "court_handling",
    METADATA,
    Column("event_id", String(64), primary_key=True),
    Column("referral_no", String(64), nullable=False, index=True),
    Column("sender", String(64)),
    Column("outcome", String(16), nullable=False),
    Column("handled_on", Date, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", AwareDateTime(), nullable=False),
)
"""The court's reports on the referred petitions (受理, 办结, 不予受理), once per event id."""

handled_requests: Final = handled_requests_table(METADATA)


async def create_petition_schema(engine: AsyncEngine) -> None:
    """Create the petition database's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
