"""`PetitionApp`: the petition bureau's handlers on the connector SDK, over its own database.

    its register ─► refer_to_court (referral row, event id fixed) ─► send_referrals ─► court
    notice.petition.handled.v1 from the court ─► court_handling + the petition's status
    notice.petition.referred.v1 from the court (non-litigation) ─► notice.petition.handled.v1
    risk notices, pre-judgment notices …  ─► as every department (`DepartmentApp`)

Every delivered event is handled once, by its event id (`connectors.department.desk`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING, Final

from sqlalchemy import insert, select, update

from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.petition.referrals import handling_values, referral_for, subject_for
from connectors.petition.store import court_handling, court_referrals, handled_requests, petitions
from connectors.sdk.outgoing import china_now
from schemas.common import Official
from schemas.notice import NoticePetitionHandled, NoticePetitionReferred

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.common import Party

log = logging.getLogger(__name__)

PETITION_OFFICIALS = AgencyOfficials(
    name="舞阳县信访局",
    principal=Official(name="孙立新", post="局长"),
    deputy=Official(name="韩文斌", post="副局长"),
    staff=(Official(name="冯雪", post="办信股股长"), Official(name="曹宁", post="接访股股长")),
)
"""The demo county's petition bureau."""

_FINAL: Final = ("concluded", "not_accepted")


async def register_petition(
    engine: AsyncEngine,
    petition_no: str,
    *,
    petitioner: Party,
    matter: str,
    received_on: dt.date,
    case_no: str | None = None,
    petitioners_count: int = 1,
) -> int:
    """Register a petition (信访登记); its row id."""
    async with engine.begin() as connection:
        result = await connection.execute(
            insert(petitions).values(
                petition_no=petition_no,
                petitioner=petitioner.model_dump(mode="json", exclude_none=True),
                petitioners_count=petitioners_count,
                matter=matter,
                case_no=case_no,
                received_on=received_on,
                status="registered",
            )
        )
        (row_id,) = result.inserted_primary_key or (0,)
        return int(row_id)


async def refer_to_court(
    engine: AsyncEngine, petition_no: str, referral_no: str, *, court: str, today: dt.date
) -> str:
    """Refer the registered petition `petition_no`, which concerns a court case, to the unit
    `court`; the id of the event that will carry the referral (`PetitionApp.send_referrals`)."""
    async with engine.begin() as connection:
        petition = (
            (
                await connection.execute(
                    select(petitions).where(petitions.c.petition_no == petition_no)
                )
            )
            .mappings()
            .one()
        )
        referral = referral_for(dict(petition), referral_no, today)
        event_id = str(uuid.uuid4())
        await connection.execute(
            insert(court_referrals).values(
                petition_id=petition["id"],
                referral_no=referral_no,
                event_id=event_id,
                to_unit=court,
                payload=referral.model_dump(mode="json", exclude_none=True),
                created_at=china_now(),
            )
        )
        await connection.execute(
            update(petitions).where(petitions.c.id == petition["id"]).values(status="referred")
        )
    return event_id


class PetitionApp(DepartmentApp):
    """The petition bureau on `connector`, its register in `engine` (made by
    `create_petition_schema`). `start` / `stop` run the deferred replies and the sending of the
    referrals (every `poll_s`, or at once on `notify`); the caller starts and stops the
    connector."""

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        officials: AgencyOfficials = PETITION_OFFICIALS,
        poll_s: float = 1.0,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        super().__init__(connector, engine, handled_requests, officials=officials, clock=clock)
        self.engine = engine
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.register({NoticePetitionHandled: self.record_handling})

    async def start(self) -> None:
        await super().start()
        if self._task is None:
            self._task = asyncio.create_task(self._send_loop(), name="fyhub-petition-referrals")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().stop()

    def notify(self) -> None:
        """Send new referrals now instead of at the next poll."""
        self._wake.set()

    async def send_referrals(self) -> int:
        """Publish the referrals not sent yet, oldest first; how many were sent."""
        async with self.engine.connect() as connection:
            pending = (
                await connection.execute(
                    select(court_referrals)
                    .where(court_referrals.c.sent_at.is_(None))
                    .order_by(court_referrals.c.id)
                )
            ).all()
        for row in pending:
            referral = NoticePetitionReferred.model_validate(row.payload)
            await self.connector.publish(
                referral, subject=subject_for(referral), to=row.to_unit, event_id=row.event_id
            )
            async with self.engine.begin() as connection:
                await connection.execute(
                    update(court_referrals)
                    .where(court_referrals.c.id == row.id)
                    .values(sent_at=self.clock())
                )
        return len(pending)

    async def _send_loop(self) -> None:
        while True:
            try:
                await self.send_referrals()
            except Exception as error:  # the database or the SDK's state: try again next round
                log.warning("sending referrals failed (%s); retrying", type(error).__name__)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def record_handling(self, event: DeliveredEvent[NoticePetitionHandled]) -> None:
        """Keep the court's report on a referred petition, once per event id, and set the
        petition's status from it (an acceptance does not undo a conclusion)."""
        report = event.payload

        async def work(connection: AsyncConnection) -> None:
            row = handling_values(event.id, report, sender=event.sender, received_at=self.clock())
            await connection.execute(insert(court_handling).values(row))
            referred = select(court_referrals.c.petition_id).where(
                court_referrals.c.referral_no == report.referral_no
            )
            await connection.execute(
                update(petitions)
                .where(petitions.c.id.in_(referred), petitions.c.status.not_in(_FINAL))
                .values(status=report.outcome.value)
            )

        await self.desk.answer(event, work)
