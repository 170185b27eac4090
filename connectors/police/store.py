"""The police's own database: the household register with last known whereabouts (户籍, 轨迹),
motor vehicles (车管), the border-control list (边控), the criminal-case register (刑事案件), the
watches still running, and the requests it has handled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import JSON, CheckConstraint, Column, Date, Integer, String, Table

from connectors.department.desk import (
    AwareDateTime,
    department_metadata,
    handled_requests_table,
    one_of,
)
from schemas.police import Offence

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

VEHICLE_STATES: Final = ("normal", "sealed", "seized")
CONTROL_STATES: Final = ("active", "lifted")
CASE_STATES: Final = ("filed", "not_filed", "transferred")
WATCH_STATES: Final = ("open", "closed")

METADATA: Final = department_metadata()

persons: Final = Table(
    "persons",
    METADATA,
    Column("id_no", String(18), primary_key=True),
    Column("name", String(100), nullable=False, index=True),
    Column("household", String(200), nullable=False),
    Column("seen_place", String(200)),
    Column("seen_at", AwareDateTime()),
    CheckConstraint("(seen_place IS NULL) = (seen_at IS NULL)", name="trace_complete"),
)
"""户籍人口: one row per registered resident, with the last trace the police systems hold
(hotel check-in, checkpoint, ticket purchase)."""

vehicles: Final = Table(
    "vehicles",
    METADATA,
    Column("plate_no", String(10), primary_key=True),
    Column("vin", String(17), nullable=False, unique=True),
    Column("owner_id_no", String(20), nullable=False, index=True),
    Column("owner_name", String(100), nullable=False),
    Column("model", String(100), nullable=False),
    Column("state", String(8), nullable=False),
    Column("seen_place", String(200)),
    Column("seen_at", AwareDateTime()),
    CheckConstraint(one_of("state", VEHICLE_STATES), name="state_known"),
    CheckConstraint("(seen_place IS NULL) = (seen_at IS NULL)", name="trace_complete"),
)
"""机动车登记: registered vehicles, with the last plate-camera trace (卡口)."""

border_controls: Final = Table(
    "border_controls",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_no", String(64), nullable=False, unique=True),
    Column("id_no", String(64), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("court", String(100), nullable=False),
    Column("case_no", String(64), nullable=False),
    Column("decision_no", String(200), nullable=False),
    Column("entered_on", Date, nullable=False),
    Column("until", Date),
    Column("state", String(8), nullable=False),
    Column("lifted_on", Date),
    CheckConstraint(one_of("state", CONTROL_STATES), name="state_known"),
    CheckConstraint("(state = 'lifted') = (lifted_on IS NOT NULL)", name="lift_dated"),
)
"""边控对象: people the exit-entry administration stops at the border, on a court's decision."""

criminal_cases: Final = Table(
    "criminal_cases",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_no", String(200), nullable=False, unique=True),
    Column("police_case_no", String(64), unique=True),
    Column("court", String(100), nullable=False),
    Column("case_no", String(64), nullable=False),
    Column("suspect_name", String(100), nullable=False),
    Column("suspect_id_no", String(64), nullable=False),
    Column("offence", String(24), nullable=False),
    Column("state", String(12), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("reason", String(5000)),
    CheckConstraint(one_of("offence", Offence), name="offence_known"),
    CheckConstraint(one_of("state", CASE_STATES), name="state_known"),
    CheckConstraint("(state = 'filed') <= (police_case_no IS NOT NULL)", name="filed_numbered"),
)
"""受案立案登记: referrals received and the filing decision on each."""

watches: Final = Table(
    "watches",
    METADATA,
    Column("source", String(96), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("request", JSON, nullable=False),
    Column("delivered", JSON, nullable=False),
    Column("reported_until", AwareDateTime()),
    Column("state", String(8), nullable=False),
    Column("closed_at", AwareDateTime()),
    CheckConstraint(one_of("state", WATCH_STATES), name="state_known"),
    CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="close_dated"),
)
"""布控/临控 still running: the court's request and its copy as delivered (to answer later), and
the latest trace already reported, so a sighting is sent once."""

handled_requests: Final = handled_requests_table(METADATA)


async def create_police_schema(engine: AsyncEngine) -> None:
    """Create the police database's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
