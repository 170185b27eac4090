"""The market-supervision office's own database (市场主体登记): enterprises, equity holdings,
equity freezes, restrictions on listed debtors, deregistrations, and the requests it has handled.

Amounts are integers in fen, shares in basis points (6000 = 60 %). Enterprises are keyed by their
unified social credit code; holders and legal representatives carry their ID number or code.
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
    UniqueConstraint,
)

from connectors.department.desk import (
    AwareDateTime,
    department_metadata,
    handled_requests_table,
    one_of,
)
from connectors.department.punishment import joint_punishment_table
from schemas.control import ControlAction
from schemas.identifiers import IdType

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

ENTERPRISE_STATUSES: Final = {
    "active": "存续（在营、开业、在册）",
    "revoked": "吊销，未注销",
    "deregistered": "注销",
}
BANKRUPTCY_STAGES: Final = {
    "accepted": "破产申请已受理",
    "declared": "已宣告破产",
    "reorganizing": "重整计划已批准",
    "terminated": "破产程序已终结",
}
FREEZE_ACTIONS: Final = (ControlAction.FREEZE, ControlAction.CONTINUE_FREEZE)


METADATA: Final = department_metadata()

enterprises: Final = Table(
    "enterprises",
    METADATA,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(100), nullable=False, index=True),
    Column("kind", String(50), nullable=False),
    Column("legal_rep_name", String(100), nullable=False),
    Column("legal_rep_id_type", String(16), nullable=False),
    Column("legal_rep_id_no", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("registered_capital", BigInteger, nullable=False),
    Column("established_on", Date, nullable=False),
    Column("address", String(200), nullable=False),
    Column("authority", String(100), nullable=False),
    Column("bankruptcy_case_no", String(64)),
    Column("bankruptcy_stage", String(16)),
    CheckConstraint(one_of("legal_rep_id_type", IdType), name="legal_rep_id_type_known"),
    CheckConstraint(one_of("status", ENTERPRISE_STATUSES), name="status_known"),
    CheckConstraint(one_of("bankruptcy_stage", BANKRUPTCY_STAGES), name="bankruptcy_stage_known"),
    CheckConstraint("registered_capital >= 0", name="capital_not_negative"),
    CheckConstraint(
        "(bankruptcy_case_no IS NULL) = (bankruptcy_stage IS NULL)", name="bankruptcy_complete"
    ),
)
"""市场主体登记: one row per enterprise (company, sole proprietorship, cooperative …)."""

equity_holdings: Final = Table(
    "equity_holdings",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_uscc", ForeignKey(enterprises.c.uscc), nullable=False, index=True),
    Column("holder_name", String(100), nullable=False),
    Column("holder_id_type", String(16), nullable=False),
    Column("holder_id_no", String(64), nullable=False, index=True),
    Column("share_bp", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    UniqueConstraint("enterprise_uscc", "holder_id_no"),
    CheckConstraint(one_of("holder_id_type", IdType), name="holder_id_type_known"),
    CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_range"),
    CheckConstraint("amount > 0", name="amount_positive"),
)
"""股东及出资: a holder's share of an enterprise and its subscribed capital (认缴出资额)."""

equity_freezes: Final = Table(
    "equity_freezes",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("registration_no", String(40), unique=True),
    Column("holding_id", ForeignKey(equity_holdings.c.id), nullable=False, index=True),
    Column("request_no", String(64), nullable=False, index=True),
    Column("case_no", String(64), nullable=False, index=True),
    Column("court", String(100), nullable=False),
    Column("ruling_no", String(500), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("publicized_on", Date, nullable=False),
    Column("continued_by", String(64)),
    Column("released_on", Date),
    Column("release_request_no", String(64)),
    CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    CheckConstraint("publicized_on <= starts_on", name="publicized_first"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint(
        "(released_on IS NULL) = (release_request_no IS NULL)", name="release_complete"
    ),
)
"""股权冻结: each freeze as registered and publicised in 国家企业信用信息公示系统 (it takes effect
on publication, 股权执行规定 art. 6); a continued freeze extends `ends_on` and names the request
(`continued_by`); an unfreeze sets `released_on`."""

restrictions: Final = joint_punishment_table(METADATA, "restrictions")
"""失信惩戒: officer restrictions on listed people, credit annotations on listed enterprises."""

deregistrations: Final = Table(
    "deregistrations",
    METADATA,
    Column("uscc", ForeignKey(enterprises.c.uscc), primary_key=True),
    Column("case_no", String(64), nullable=False),
    Column("ruling_no", String(500), nullable=False),
    Column("terminated_on", Date),
    Column("deregistered_on", Date, nullable=False),
    Column("recorded_at", AwareDateTime(), nullable=False),
)
"""注销登记 after a bankruptcy proceeding ended (企业破产法 art. 121)."""

handled_requests: Final = handled_requests_table(METADATA)


async def create_samr_schema(engine: AsyncEngine) -> None:
    """Create the market-registration database's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
