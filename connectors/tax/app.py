"""`TaxApp`: the tax office's handlers on the connector SDK, over its own database.

    enforcement.query.requested.v1   → enforcement.query.answered.v1: registration, refunds due,
                                       arrears with late fees
    debtor.listed.v1, .corrected.v1, .delisted.v1
                                     → debtor.sanction.reported.v1: measures applied / lifted
    bankruptcy.accepted.v1           → bankruptcy.claim.declared.v1: tax and ordinary claims
    admincase.filed.v1               → admincase.defence.submitted.v1
    admincase.hearing.scheduled.v1   → admincase.appearance.reported.v1
    judicial.suggestion.issued.v1    → judicial.suggestion.replied.v1
    linkage.task.assigned.v1         → linkage.task.reported.v1: accepted, under way
    other notices (bankruptcy stages, judgments, liaison changes): recorded and receipted

Every request is handled once, by its event id, in one transaction with its effect
(`connectors.department.desk`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.department.punishment import JointPunishment
from connectors.sdk.outgoing import china_now
from connectors.tax import answers, ledger
from connectors.tax.refund_control import refund_control
from connectors.tax.store import handled_requests, punishment_flags
from schemas.bankruptcy import (
    BankruptcyAccepted,
    BankruptcyDeclared,
    BankruptcyReorganizationApproved,
    BankruptcyTerminated,
)
from schemas.common import Official
from schemas.control import EnforcementControlAnswered, EnforcementControlRequested
from schemas.debtor import DebtorCorrected, DebtorDelisted, DebtorListed
from schemas.enforcement import EnforcementQueryAnswered, EnforcementQueryRequested, QueryCategory

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.department.punishment import Debtor, Sanction
    from connectors.sdk import Connector, DeliveredEvent
    from schemas.bankruptcy import BankruptcyClaimDeclared
    from schemas.debtor import NoMeasure

TAX_OFFICIALS = AgencyOfficials(
    name="国家税务总局舞阳县税务局",
    principal=Official(name="周建华", post="局长"),
    deputy=Official(name="刘振国", post="分管法制工作副局长"),
    staff=(Official(name="许文", post="法制股股长"), Official(name="陈静", post="法制股科员")),
)
"""The demo county's tax office (its liaison officer as in deploy/units)."""


class TaxApp(DepartmentApp):
    """The tax office on `connector`, answering from its database `engine` (the tables of
    `connectors.tax.store`, made by `create_tax_schema`).

    `answer_delay_s` > 0 sends each reply that much later; `late_every` = N > 0 sends every N-th
    reply `late_by_s` seconds after its deadline. Neither holds up the inbox. The caller starts
    and stops the connector; `start` / `stop` here run the deferred replies.
    """

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        answer_delay_s: float = 0.0,
        late_every: int = 0,
        late_by_s: float = 30.0,
        officials: AgencyOfficials = TAX_OFFICIALS,
        clock: Callable[[], dt.datetime] = china_now,
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
        self.punishment = JointPunishment(punishment_flags, self._sanctions_for)
        self.register(
            {
                EnforcementQueryRequested: self.answer_query,
                EnforcementControlRequested: self.control_refund,
                DebtorListed: self.apply_measures,
                DebtorCorrected: self.correct_measures,
                DebtorDelisted: self.lift_measures,
                BankruptcyAccepted: self.declare_claims,
                BankruptcyDeclared: self.note,
                BankruptcyReorganizationApproved: self.note,
                BankruptcyTerminated: self.note,
            }
        )

    async def answer_query(self, event: DeliveredEvent[EnforcementQueryRequested]) -> None:
        await self.desk.answer(event, partial(self._query_answer, event.payload))

    async def control_refund(self, event: DeliveredEvent[EnforcementControlRequested]) -> None:
        request = event.payload

        async def answer(connection: AsyncConnection) -> EnforcementControlAnswered:
            refunds = await ledger.refunds_of(connection, request.asset.owner.id_no)
            return refund_control(request, refunds, self.today())

        await self.desk.answer(event, answer)

    async def apply_measures(self, event: DeliveredEvent[DebtorListed]) -> None:
        listing = event.payload
        await self.desk.answer(event, lambda c: self.punishment.listed(c, listing, self.clock()))

    async def correct_measures(self, event: DeliveredEvent[DebtorCorrected]) -> None:
        fix = event.payload
        await self.desk.answer(event, lambda c: self.punishment.corrected(c, fix, self.clock()))

    async def lift_measures(self, event: DeliveredEvent[DebtorDelisted]) -> None:
        gone = event.payload
        await self.desk.answer(event, lambda c: self.punishment.delisted(c, gone, self.clock()))

    async def declare_claims(self, event: DeliveredEvent[BankruptcyAccepted]) -> None:
        await self.desk.answer(event, partial(self._claims, event.payload))

    async def _query_answer(
        self, request: EnforcementQueryRequested, connection: AsyncConnection
    ) -> EnforcementQueryAnswered:
        today = self.today()
        asked = QueryCategory.TAX in request.categories
        results = [
            answers.query_result(
                subject,
                await ledger.tax_file(connection, subject.id_no) if asked else None,
                today,
            )
            for subject in request.subjects
        ]
        return EnforcementQueryAnswered(
            request_no=request.request_no,
            case_no=request.case_no,
            answered_on=today,
            results=tuple(results),
        )

    async def _claims(
        self, accepted: BankruptcyAccepted, connection: AsyncConnection
    ) -> BankruptcyClaimDeclared:
        debtor = accepted.debtor.uscc
        declaration = answers.claim_declaration(
            case_no=accepted.case_no,
            creditor=self.officials.name,
            accepted_on=accepted.accepted_on,
            declared_on=self.today(),
            arrears=await ledger.arrears_of(connection, debtor),
        )
        await ledger.record_claims(connection, declaration, debtor, self.clock())
        return declaration

    async def _sanctions_for(
        self, connection: AsyncConnection, debtor: Debtor
    ) -> Sequence[Sanction] | NoMeasure:
        found = await ledger.taxpayer(connection, debtor.id_no) if debtor.id_no else None
        return answers.sanctions(found)
