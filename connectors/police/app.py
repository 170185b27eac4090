"""`PoliceApp`: the county public-security bureau's handlers on the connector SDK, over its own
database.

    police.locate.requested.v1        → police.locate.answered.v1: located, seized, a sighting
                                        elsewhere, or not found when the registers do not know
                                        the person or vehicle; a watch left open is looked at
                                        again every `watch_poll_s` (`connectors.police.watch`)
    police.exit_control.requested.v1  → police.exit_control.answered.v1: entered in the border
                                        control list, lifted, or refused with the reason
    police.refusal.referred.v1        → police.refusal.handled.v1: filed, or not filed with why
    enforcement.query.requested.v1    → enforcement.query.answered.v1: vehicles registered to
                                        each subject (category `vehicle`)
    the agency answers and notices of every department (`DepartmentApp`)

Every request is handled once, by its event id, in one transaction with its effect.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.police import answers, records
from connectors.police.store import handled_requests
from connectors.police.watch import WatchSweep, open_watch
from connectors.sdk.outgoing import china_now
from schemas.common import Official
from schemas.enforcement import EnforcementQueryAnswered, EnforcementQueryRequested, QueryCategory
from schemas.police import (
    LocateOutcome,
    LocateTarget,
    PoliceExitControlRequested,
    PoliceLocateRequested,
    PoliceRefusalReferred,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.police import (
        PoliceExitControlAnswered,
        PoliceLocateAnswered,
        PoliceRefusalHandled,
    )

POLICE_OFFICIALS = AgencyOfficials(
    name="舞阳县公安局",
    principal=Official(name="王志强", post="局长"),
    deputy=Official(name="孙立新", post="分管法制工作副局长"),
    staff=(Official(name="张卫东", post="法制大队副大队长"), Official(name="赵磊", post="民警")),
)
"""The demo county's public-security bureau (its liaison officer as in deploy/units)."""


class PoliceApp(DepartmentApp):
    """The police on `connector`, answering from its database `engine` (the tables of
    `connectors.police.store`, made by `create_police_schema`). Knobs as `TaxApp`'s; the
    running watches are looked at every `watch_poll_s` seconds while started."""

    def __init__(  # noqa: PLR0913 - every knob is keyword-only
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        answer_delay_s: float = 0.0,
        late_every: int = 0,
        late_by_s: float = 30.0,
        officials: AgencyOfficials = POLICE_OFFICIALS,
        clock: Callable[[], dt.datetime] = china_now,
        watch_poll_s: float = 60.0,
    ) -> None:
        super().__init__(
            connector,
            engine,
            handled_requests,
            officials=officials,
            answer_delay_s=answer_delay_s,
            late_every=late_every,
            late_by_s=late_by_s,
            clock=clock,
        )
        self.watches = WatchSweep(connector, engine, poll_s=watch_poll_s, clock=clock)
        self.register(
            {
                PoliceLocateRequested: self.watch,
                PoliceExitControlRequested: self.control_exit,
                PoliceRefusalReferred: self.review_referral,
                EnforcementQueryRequested: self.answer_query,
            }
        )

    async def start(self) -> None:
        await super().start()
        await self.watches.start()

    async def stop(self) -> None:
        await self.watches.stop()
        await super().stop()

    async def watch(self, event: DeliveredEvent[PoliceLocateRequested]) -> None:
        await self.desk.answer(event, partial(self._locate, event))

    async def control_exit(self, event: DeliveredEvent[PoliceExitControlRequested]) -> None:
        await self.desk.answer(event, partial(self._exit, event.payload))

    async def review_referral(self, event: DeliveredEvent[PoliceRefusalReferred]) -> None:
        await self.desk.answer(event, partial(self._refusal, event.payload))

    async def answer_query(self, event: DeliveredEvent[EnforcementQueryRequested]) -> None:
        await self.desk.answer(event, partial(self._query, event.payload))

    async def _query(
        self, request: EnforcementQueryRequested, connection: AsyncConnection
    ) -> EnforcementQueryAnswered:
        asked = QueryCategory.VEHICLE in request.categories
        results = [
            answers.vehicle_query_result(
                subject, await records.vehicles_of(connection, subject.id_no) if asked else ()
            )
            for subject in request.subjects
        ]
        return EnforcementQueryAnswered(
            request_no=request.request_no,
            case_no=request.case_no,
            answered_on=self.today(),
            results=tuple(results),
        )

    async def _locate(
        self, event: DeliveredEvent[PoliceLocateRequested], connection: AsyncConnection
    ) -> PoliceLocateAnswered | None:
        request = event.payload
        person = vehicle = None
        if request.target is LocateTarget.PERSON and request.person is not None:
            person = await records.person(connection, request.person.id_no)
        elif request.vehicle is not None:
            vehicle = await records.vehicle(connection, request.vehicle.plate_no)
        answer = answers.watch_answer(request, person, vehicle, self.today())
        if answer is not None and answer.outcome is LocateOutcome.SEIZED and vehicle is not None:
            await records.mark_seized(connection, vehicle.plate_no)
        await open_watch(connection, event, answer)
        return answer

    async def _exit(
        self, request: PoliceExitControlRequested, connection: AsyncConnection
    ) -> PoliceExitControlAnswered:
        person = await records.person(connection, request.person.id_no)
        previous = request.previous_request_no
        control = await records.control(connection, previous) if previous else None
        answer = answers.exit_answer(request, person, control, self.today())
        await records.record_control(connection, request, answer)
        return answer

    async def _refusal(
        self, referral: PoliceRefusalReferred, connection: AsyncConnection
    ) -> PoliceRefusalHandled:
        today = self.today()
        serial = await records.next_case_serial(connection, today.year)
        answer = answers.refusal_answer(referral, serial, today)
        await records.record_case(connection, referral, answer, today)
        return answer
