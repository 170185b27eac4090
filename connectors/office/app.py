"""`OfficeApp`: the joint-meeting office on its connector. It keeps the county's key-enterprise
list (published to the court as the office changes it) and advises on the court's prior notices
before measures against those enterprises; as a member unit it also answers what every
department answers (`DepartmentApp`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.department.desk import department_metadata, handled_requests_table
from connectors.office.advice import advice_for
from connectors.sdk.outgoing import china_now
from schemas.common import Official
from schemas.key_enterprise import EnforcementKeyEnterpriseNotified, LinkageKeyEnterpriseDelisted

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.key_enterprise import LinkageKeyEnterpriseListed

METADATA: Final = department_metadata()
handled_requests: Final = handled_requests_table(METADATA)

OFFICE_OFFICIALS: Final = AgencyOfficials(
    name="舞阳县司法局",
    principal=Official(name="孙志强", post="局长"),
    deputy=Official(name="马丽", post="副局长"),
    staff=(Official(name="杜鹏", post="法治督察股股长"),),
)
"""The demo county's justice bureau, which hosts the joint-meeting office."""


async def create_office_schema(engine: AsyncEngine) -> None:
    """Create the office database's tables that do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)


class OfficeApp(DepartmentApp):
    """The office on `connector`, its replies recorded in `engine` (made by
    `create_office_schema`). The caller starts and stops the connector."""

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        officials: AgencyOfficials = OFFICE_OFFICIALS,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        super().__init__(connector, engine, handled_requests, officials=officials, clock=clock)
        self.register({EnforcementKeyEnterpriseNotified: self.advise})

    async def advise(self, event: DeliveredEvent[EnforcementKeyEnterpriseNotified]) -> None:
        await self.reply_with(event, advice_for(event.payload, self.today()))

    async def change_list(
        self, change: LinkageKeyEnterpriseListed | LinkageKeyEnterpriseDelisted
    ) -> str:
        """Publish a listing or delisting to the court; the event id."""
        if isinstance(change, LinkageKeyEnterpriseDelisted):
            uscc = change.uscc
        else:
            uscc = change.enterprise.uscc
        return await self.connector.publish(change, subject=uscc)
