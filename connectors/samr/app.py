"""`SamrApp`: the market-supervision office's handlers on the connector SDK, over its own
registration database.

    enforcement.query.requested.v1    → enforcement.query.answered.v1: equity held (with its
                                        freezes), registrations
    enforcement.control.requested.v1  → enforcement.control.answered.v1: equity frozen,
                                        continued or released and publicised, or why not
    debtor.listed.v1, .corrected.v1, .delisted.v1
                                      → debtor.sanction.reported.v1: officer restriction on a
                                        listed person, publicity and close supervision of a
                                        listed enterprise; lifted on delisting
    bankruptcy.terminated.v1          → bankruptcy.deregistration.reported.v1
    bankruptcy.accepted / declared / reorganization.approved.v1: noted on the registration
    bankruptcy.measures.release_requested.v1
                                      → bankruptcy.measures.released.v1: the freezes on the
                                        debtor's equity released (企业破产法 art 19)
    bankruptcy.credit_repair.requested.v1
                                      → bankruptcy.credit_repair.reported.v1: removed from the
                                        abnormal-operations list
    admincase.filed / hearing.scheduled.v1, judicial.suggestion.issued.v1,
    linkage.task.assigned.v1          → as every department (`connectors.department.department`)

Every request is handled once, by its event id, in one transaction with its effect. With a
document store (`documents`), a control request's ruling and assistance notice are fetched and
verified first; one that cannot be obtained or does not match its digest is answered
not_controlled.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from connectors.department import bankruptcy as bankruptcy_answers
from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.department.documents import documents_problem
from connectors.department.punishment import JointPunishment
from connectors.samr import answers, registry, release
from connectors.samr.store import handled_requests, restrictions
from connectors.sdk.outgoing import china_now
from schemas.bankruptcy import (
    BankruptcyAccepted,
    BankruptcyDeclared,
    BankruptcyReorganizationApproved,
    BankruptcyTerminated,
)
from schemas.bankruptcy_followup import (  # --- bankruptcy follow-up ---
    BankruptcyMeasuresReleased,
    BankruptcyMeasuresReleaseRequested,
)
from schemas.common import Official
from schemas.control import AssetKind, EnforcementControlRequested
from schemas.debtor import DebtorCorrected, DebtorDelisted, DebtorListed
from schemas.enforcement import EnforcementQueryAnswered, EnforcementQueryRequested
from schemas.identifiers import IdType, mask_id

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.department.punishment import Debtor, Sanction
    from connectors.sdk import Connector, DeliveredEvent
    from connectors.sdk.documents import DocumentClient
    from schemas.bankruptcy import BankruptcyDeregistrationReported
    from schemas.common import Subject
    from schemas.control import EnforcementControlAnswered
    from schemas.debtor import NoMeasure
    from schemas.enforcement import QueryResult

log = logging.getLogger(__name__)

SAMR_OFFICIALS = AgencyOfficials(
    name="舞阳县市场监督管理局",
    principal=Official(name="王国强", post="局长"),
    deputy=Official(name="李卫东", post="分管法制工作副局长"),
    staff=(Official(name="郑霞", post="登记注册股股长"), Official(name="赵敏", post="法规股股长")),
)
"""The demo county's market-supervision office (its liaison officer as in deploy/units)."""

_STAGES = {
    BankruptcyAccepted.event_type: "accepted",
    BankruptcyDeclared.event_type: "declared",
    BankruptcyReorganizationApproved.event_type: "reorganizing",
}


class SamrApp(DepartmentApp):
    """The market-supervision office on `connector`, answering from its database `engine` (the
    tables of `connectors.samr.store`, made by `create_samr_schema`). Timing knobs as `TaxApp`.
    """

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        answer_delay_s: float = 0.0,
        late_every: int = 0,
        late_by_s: float = 30.0,
        officials: AgencyOfficials = SAMR_OFFICIALS,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        self.documents: DocumentClient | None = None
        """Where the documents a control request attaches are fetched and verified before the
        measure is registered (set it to a `DocumentClient`); None: they are not checked."""
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
        self.punishment = JointPunishment(restrictions, self._sanctions_for)
        self.register(
            {
                EnforcementQueryRequested: self.answer_query,
                EnforcementControlRequested: self.control_equity,
                DebtorListed: self.apply_measures,
                DebtorCorrected: self.correct_measures,
                DebtorDelisted: self.lift_measures,
                BankruptcyAccepted: self.note_bankruptcy,
                BankruptcyDeclared: self.note_bankruptcy,
                BankruptcyReorganizationApproved: self.note_bankruptcy,
                BankruptcyTerminated: self.deregister,
            }
        )
        # --- bankruptcy follow-up ---
        self.register({BankruptcyMeasuresReleaseRequested: self.release_measures})

    async def answer_query(self, event: DeliveredEvent[EnforcementQueryRequested]) -> None:
        await self.desk.answer(event, partial(self._query_answer, event.payload))

    async def control_equity(self, event: DeliveredEvent[EnforcementControlRequested]) -> None:
        request = event.payload
        problem = await documents_problem(self.documents, request.attachments)
        if problem is not None:
            await self.desk.answer(event, partial(self._documents_refused, request, problem))
            return
        await self.desk.answer(event, partial(self._control_answer, request))

    async def _documents_refused(
        self, request: EnforcementControlRequested, problem: str, _connection: AsyncConnection
    ) -> EnforcementControlAnswered:
        return answers.control_answer(request, answers.refuse(problem), self.today(), None)

    async def apply_measures(self, event: DeliveredEvent[DebtorListed]) -> None:
        listing = event.payload
        await self.desk.answer(event, lambda c: self.punishment.listed(c, listing, self.clock()))

    async def correct_measures(self, event: DeliveredEvent[DebtorCorrected]) -> None:
        fix = event.payload
        await self.desk.answer(event, lambda c: self.punishment.corrected(c, fix, self.clock()))

    async def lift_measures(self, event: DeliveredEvent[DebtorDelisted]) -> None:
        gone = event.payload
        await self.desk.answer(event, lambda c: self.punishment.delisted(c, gone, self.clock()))

    async def note_bankruptcy(
        self,
        event: DeliveredEvent[BankruptcyAccepted]
        | DeliveredEvent[BankruptcyDeclared]
        | DeliveredEvent[BankruptcyReorganizationApproved],
    ) -> None:
        """Note the stage on the registration: changes now need the court's consent."""
        stage, case_no, uscc = _STAGES[event.type], event.payload.case_no, event.payload.debtor.uscc

        async def mark(connection: AsyncConnection) -> None:
            if not await registry.mark_bankruptcy(connection, uscc, case_no, stage):
                log.info("bankruptcy debtor %s is not registered here", mask_id(uscc))

        await self.desk.answer(event, mark)

    async def deregister(self, event: DeliveredEvent[BankruptcyTerminated]) -> None:
        await self.desk.answer(event, partial(self._deregistration, event.payload))

    # --- bankruptcy follow-up ---

    async def release_measures(
        self, event: DeliveredEvent[BankruptcyMeasuresReleaseRequested]
    ) -> None:
        """Release the freezes on the bankrupt debtor's equity (企业破产法 art 19)."""
        await self.desk.answer(event, partial(self._release, event.payload))

    async def _release(
        self, request: BankruptcyMeasuresReleaseRequested, connection: AsyncConnection
    ) -> BankruptcyMeasuresReleased:
        today = self.today()
        released = await release.release_debtor_freezes(connection, request, today)
        return bankruptcy_answers.release_results(request, released, today)

    async def knows_enterprise(self, connection: AsyncConnection, uscc: str) -> bool:
        return await registry.registration(connection, uscc) is not None

    # --- work on the database ----------------------------------------------------------------

    async def _query_answer(
        self, request: EnforcementQueryRequested, connection: AsyncConnection
    ) -> EnforcementQueryAnswered:
        today = self.today()
        results = [
            await self._query_result(connection, subject, request) for subject in request.subjects
        ]
        return EnforcementQueryAnswered(
            request_no=request.request_no,
            case_no=request.case_no,
            answered_on=today,
            results=tuple(results),
        )

    async def _query_result(
        self, connection: AsyncConnection, subject: Subject, request: EnforcementQueryRequested
    ) -> QueryResult:
        own = (
            await registry.registration(connection, subject.id_no)
            if subject.id_type is IdType.USCC
            else None
        )
        represented = await registry.represented_by(connection, subject.id_no)
        return answers.query_result(
            subject,
            request.categories,
            await registry.holdings_of(connection, subject.id_no),
            (own, *represented) if own else represented,
            self.today(),
        )

    async def _control_answer(
        self, request: EnforcementControlRequested, connection: AsyncConnection
    ) -> EnforcementControlAnswered:
        today, asset = self.today(), request.asset
        uscc = asset.identifier.strip().upper()
        is_equity = asset.kind is AssetKind.EQUITY
        found = await registry.registration(connection, uscc) if is_equity else None
        holding = await registry.holding(connection, uscc, asset.owner.id_no) if found else None
        decision = answers.decide_control(request, found, holding, today)
        number = None
        if decision.controlled and holding is not None:
            number = await registry.apply_control(connection, request, holding, decision, today)
        return answers.control_answer(request, decision, today, number)

    async def _deregistration(
        self, terminated: BankruptcyTerminated, connection: AsyncConnection
    ) -> BankruptcyDeregistrationReported | None:
        found = await registry.registration(connection, terminated.debtor.uscc)
        if found is None:
            # Registered elsewhere: the administrator deregisters it there (art. 121).
            log.warning(
                "terminated debtor %s is not registered here", mask_id(terminated.debtor.uscc)
            )
            return None
        day = await registry.deregister(connection, found, terminated, self.today(), self.clock())
        return answers.deregistration_report(terminated, found, self.officials.name, day)

    async def _sanctions_for(
        self, connection: AsyncConnection, debtor: Debtor
    ) -> Sequence[Sanction] | NoMeasure:
        if debtor.id_no is None:
            return answers.sanctions(debtor, None, ())
        if debtor.kind == "legal" or debtor.id_type == IdType.USCC:
            return answers.sanctions(
                debtor, await registry.registration(connection, debtor.id_no), ()
            )
        represented = await registry.represented_by(connection, debtor.id_no)
        return answers.sanctions(debtor, None, represented)
