"""The tax office's own database (税收征管): taxpayers, refunds due, arrears, joint-punishment
flags, claims filed in bankruptcies, and the requests it has handled.

Amounts are integers in fen. Taxpayers are keyed by 纳税人识别号, which is the unified social
credit code of an organisation and the resident ID number of a person. Late fees (滞纳金) are not
stored: they accrue daily on each arrear from the day after its due date (税收征收管理法 art. 32)
and are computed to the day asked (`connectors.tax.answers.late_fee`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
)

from connectors.department.desk import (
    AwareDateTime,
    department_metadata,
    handled_requests_table,
    one_of,
)
from connectors.department.punishment import joint_punishment_table
from schemas.bankruptcy import ClaimKind
from schemas.identifiers import IdType

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

TAXPAYER_KINDS: Final = {
    "enterprise": "单位纳税人",
    "sole_trader": "个体工商户",
    "individual": "自然人纳税人",
}
REGISTRATION_STATUSES: Final = {
    "normal": "正常",
    "non_filing": "非正常户",
    "deregistered": "已注销",
}
REFUND_STATUSES: Final = ("due", "paid")


METADATA: Final = department_metadata()

taxpayers: Final = Table(
    "taxpayers",
    METADATA,
    Column("taxpayer_no", String(20), primary_key=True),
    Column("id_type", String(16), nullable=False),
    Column("name", String(100), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("legal_rep", String(100)),
    Column("status", String(16), nullable=False),
    Column("tax_office", String(100), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("credit_level", String(1)),
    CheckConstraint(one_of("id_type", IdType), name="id_type_known"),
    CheckConstraint(one_of("kind", TAXPAYER_KINDS), name="kind_known"),
    CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status_known"),
    CheckConstraint(one_of("credit_level", "ABMCD"), name="credit_level_known"),
)
"""纳税人登记: one row per taxpayer."""

refunds_due: Final = Table(
    "refunds_due",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("refund_no", String(40), nullable=False, unique=True),
    Column("taxpayer_no", ForeignKey(taxpayers.c.taxpayer_no), nullable=False, index=True),
    Column("tax_type", String(50), nullable=False),
    Column("period", String(50), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("approved_on", Date, nullable=False),
    Column("status", String(8), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint(one_of("status", REFUND_STATUSES), name="status_known"),
)
"""应退税款: refunds approved for a taxpayer; the court may freeze or take those still due."""

arrears: Final = Table(
    "arrears",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("arrear_no", String(40), nullable=False, unique=True),
    Column("taxpayer_no", ForeignKey(taxpayers.c.taxpayer_no), nullable=False, index=True),
    Column("tax_type", String(50), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("period_end >= period_start", name="period_ordered"),
    CheckConstraint("due_on >= period_end", name="due_after_period"),
)
"""欠税: unpaid tax of one tax type and period, with its payment deadline (缴款期限)."""

punishment_flags: Final = joint_punishment_table(METADATA, "punishment_flags")
"""失信惩戒标记: the joint-punishment measures applied under each listing."""

bankruptcy_claims: Final = Table(
    "bankruptcy_claims",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_no", String(64), nullable=False, index=True),
    Column("debtor_uscc", String(20), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("description", String(500), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("computed_to", Date, nullable=False),
    Column("declared_on", Date, nullable=False),
    Column("declared_at", AwareDateTime(), nullable=False),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    CheckConstraint(one_of("kind", ClaimKind), name="kind_known"),
)
"""破产债权申报: the claims filed with the administrator, item by item."""

handled_requests: Final = handled_requests_table(METADATA)


async def create_tax_schema(engine: AsyncEngine) -> None:
    """Create the tax database's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
