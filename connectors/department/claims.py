"""`ClaimantApp`: a social-insurance unit (hrss: pension, unemployment, injury insurance and the
wage arrears its labour inspectors recorded; medins: medical insurance) declaring its claims in a
bankruptcy, over its own database of contribution and wage arrears.

    bankruptcy.accepted.v1            → bankruptcy.claim.declared.v1: the arrears of the debtor,
                                        computed to the acceptance date (企业破产法 arts 48, 113)
    bankruptcy.declared / reorganization.approved / terminated.v1: recorded and receipted
    admincase.*, judicial.suggestion.*, linkage.task.*, notices
                                      → as every department (`connectors.department.department`)

The arrears are kept per enterprise (USCC) and item; an employees' item counts the employees, it
names none: the administrator lists each employee's claim (art 48 para 2).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Final

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, String, Table, insert, select

from connectors.department import bankruptcy
from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.department.desk import department_metadata, handled_requests_table, one_of
from connectors.sdk.outgoing import china_now
from schemas.bankruptcy import (
    BankruptcyAccepted,
    BankruptcyDeclared,
    BankruptcyReorganizationApproved,
    BankruptcyTerminated,
    ClaimItem,
    ClaimKind,
)
from schemas.common import Official
from schemas.identifiers import mask_id

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.bankruptcy import BankruptcyClaimDeclared

log = logging.getLogger(__name__)

METADATA: Final = department_metadata()

arrears: Final = Table(
    "claimable_arrears",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("description", String(500), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("employees", Integer),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    CheckConstraint(one_of("kind", ClaimKind), name="kind_known"),
)
"""欠缴社会保险费 and 欠薪 recorded against an enterprise, item by item, in fen."""

handled_requests: Final = handled_requests_table(METADATA)

HRSS_OFFICIALS: Final = AgencyOfficials(
    name="舞阳县人力资源和社会保障局",
    principal=Official(name="张国华", post="局长"),
    deputy=Official(name="黄丽", post="分管劳动保障监察副局长"),
    staff=(Official(name="孙明", post="社会保险中心主任"),),
)
MEDINS_OFFICIALS: Final = AgencyOfficials(
    name="舞阳县医疗保障局",
    principal=Official(name="杜志强", post="局长"),
    deputy=Official(name="冯丽", post="分管基金征缴副局长"),
    staff=(Official(name="韩冰", post="基金征缴股股长"),),
)
OFFICIALS: Final = {"hrss": HRSS_OFFICIALS, "medins": MEDINS_OFFICIALS}


async def create_claimant_schema(engine: AsyncEngine) -> None:
    """Create the unit's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)


async def record_arrears(engine: AsyncEngine, uscc: str, items: Iterable[ClaimItem]) -> None:
    """Book `items` as owed by the enterprise `uscc` (the demo's and the tests' seeding)."""
    rows = [item.model_dump(mode="json") | {"uscc": uscc} for item in items]
    if rows:
        async with engine.begin() as connection:
            await connection.execute(insert(arrears), rows)


async def arrears_of(connection: AsyncConnection, uscc: str) -> list[ClaimItem]:
    result = await connection.execute(
        select(arrears).where(arrears.c.uscc == uscc).order_by(arrears.c.id)
    )
    return [
        ClaimItem(
            kind=ClaimKind(row.kind),
            description=row.description,
            amount=row.amount,
            employees=row.employees,
        )
        for row in result
    ]


class ClaimantApp(DepartmentApp):
    """hrss or medins on `connector`, declaring from its database `engine` (made by
    `create_claimant_schema`). Timing knobs as `connectors.tax.app.TaxApp`."""

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        officials: AgencyOfficials | None = None,
        answer_delay_s: float = 0.0,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        dept = connector.unit.split(".", 1)[0]
        super().__init__(
            connector,
            engine,
            handled_requests,
            officials=officials or OFFICIALS[dept],
            answer_delay_s=answer_delay_s,
            clock=clock,
        )
        self.register(
            {
                BankruptcyAccepted: self.declare_claims,
                BankruptcyDeclared: self.note,
                BankruptcyReorganizationApproved: self.note,
                BankruptcyTerminated: self.note,
            }
        )

    async def declare_claims(self, event: DeliveredEvent[BankruptcyAccepted]) -> None:
        await self.desk.answer(event, partial(self._claims, event.payload))

    async def _claims(
        self, accepted: BankruptcyAccepted, connection: AsyncConnection
    ) -> BankruptcyClaimDeclared | None:
        items = await arrears_of(connection, accepted.debtor.uscc)
        declaration = bankruptcy.claim_declaration(
            accepted, self.officials.name, items, self.today()
        )
        if declaration is None:
            log.info("%s owes %s nothing", mask_id(accepted.debtor.uscc), self.officials.name)
        return declaration
