"""`DepartmentApp`: what every department connector does alike, on top of its own handlers.

It answers as a possible defendant agency (defence, appearance), replies to judicial suggestions
and to the joint-meeting office's tasks, receipts the notices it only has to acknowledge, and logs
the hub's refusals and overdue notices. Subclasses register their own request types with
`register`.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from connectors.department import agency, bankruptcy, notices
from connectors.department.desk import AnswerDesk
from connectors.sdk.outgoing import china_now
from schemas.admincase import AdmincaseFiled, AdmincaseHearingScheduled, AdmincaseJudged
from schemas.bankruptcy_followup import (  # --- bankruptcy follow-up ---
    BankruptcyCreditRepairRequested,
    BankruptcyZombieListShared,
)
from schemas.dates import CHINA_TIME
from schemas.judicial import JudicialSuggestionIssued
from schemas.linkage import LinkageTaskAssigned, UnitLiaisonChanged
from schemas.notice import (  # --- notices (通报) ---
    NoticeFinancialRiskIssued,
    NoticeHousingProjectIssued,
    NoticeMajorCaseIssued,
    NoticePetitionReferred,
    NoticePrejudgmentIssued,
    NoticePublicDebtorNotified,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.common import Payload
    from schemas.hubevents import HubOverdue, HubRejected

    Handler = Callable[[DeliveredEvent[Any]], Any]

log = logging.getLogger(__name__)


class DepartmentApp:
    """A department on `connector`, answering from its database `engine`; `handled` is the
    database's `handled_requests_table`. See `AnswerDesk` for the timing knobs."""

    def __init__(  # noqa: PLR0913 - every knob is keyword-only
        self,
        connector: Connector,
        engine: AsyncEngine,
        handled: Table,
        *,
        officials: agency.AgencyOfficials,
        answer_delay_s: float = 0.0,
        late_every: int = 0,
        late_by_s: float = 30.0,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        self.connector = connector
        self.officials = officials
        self.clock = clock
        self.desk = AnswerDesk(
            connector,
            engine,
            handled,
            answer_delay_s=answer_delay_s,
            late_every=late_every,
            late_by_s=late_by_s,
            clock=clock,
        )
        self.register(
            {
                AdmincaseFiled: self.submit_defence,
                AdmincaseHearingScheduled: self.report_appearance,
                JudicialSuggestionIssued: self.reply_to_suggestion,
                LinkageTaskAssigned: self.report_task,
                AdmincaseJudged: self.note,
                UnitLiaisonChanged: self.note,
            }
        )
        # --- notices (通报) ---
        self.register(
            {
                NoticeMajorCaseIssued: self.respond_to_risk,
                NoticeFinancialRiskIssued: self.respond_to_risk,
                NoticeHousingProjectIssued: self.respond_to_risk,
                NoticePrejudgmentIssued: self.acknowledge_prejudgment,
                NoticePublicDebtorNotified: self.report_public_debtor,
                NoticePetitionReferred: self.handle_petition,
            }
        )
        # --- bankruptcy follow-up ---
        self.register(
            {
                BankruptcyCreditRepairRequested: self.report_credit_repair,
                BankruptcyZombieListShared: self.note,
            }
        )
        connector.on_rejected(self.refused)
        connector.on_overdue(self.overdue)

    def register(self, handlers: Mapping[type[Payload], Handler]) -> None:
        for event_type, handler in handlers.items():
            self.connector.handles(event_type)(handler)

    async def start(self) -> None:
        """Start the background work (deferred replies); the caller starts the connector."""
        await self.desk.start()

    async def stop(self) -> None:
        await self.desk.stop()

    def today(self) -> dt.date:
        return self.clock().astimezone(CHINA_TIME).date()

    async def submit_defence(self, event: DeliveredEvent[AdmincaseFiled]) -> None:
        await self.reply_with(event, agency.defence(event.payload, self.today(), self.officials))

    async def report_appearance(self, event: DeliveredEvent[AdmincaseHearingScheduled]) -> None:
        await self.reply_with(event, agency.appearance_report(event.payload, self.officials))

    async def reply_to_suggestion(self, event: DeliveredEvent[JudicialSuggestionIssued]) -> None:
        reply = agency.suggestion_reply(event.payload, self.today(), self.officials)
        await self.reply_with(event, reply)

    async def report_task(self, event: DeliveredEvent[LinkageTaskAssigned]) -> None:
        await self.reply_with(event, agency.task_report(event.payload, self.today()))

    async def note(self, event: DeliveredEvent[Any]) -> None:
        """Record a notice that owes only the receipt."""
        await self.reply_with(event, None)

    async def reply_with(self, event: DeliveredEvent[Any], reply: Payload | None) -> None:
        """Answer `event` with a reply that needs nothing from the database."""
        await self.desk.answer(event, partial(_just, reply))

    async def refused(self, event: DeliveredEvent[HubRejected]) -> None:
        notice = event.payload
        log.error(
            "the hub refused %s (%s): %s", notice.rejected_id, notice.rejected_type, notice.code
        )

    async def overdue(self, event: DeliveredEvent[HubOverdue]) -> None:
        notice = event.payload
        log.warning("the %s of %s is overdue since %s", notice.stage, notice.event_id, notice.due)

    # --- notices (通报) ---
    # A notice is answered only by a unit that owes the answer: the hub stamps `hubreplyby` on
    # the copies of named recipients and not on the joint-meeting office's copy, which is
    # receipted only.

    async def respond_to_risk(self, event: DeliveredEvent[Any]) -> None:
        owed = event.envelope.hubreplyby is not None
        reply = notices.risk_response(event.payload, self.today(), self.officials) if owed else None
        await self.reply_with(event, reply)

    async def acknowledge_prejudgment(self, event: DeliveredEvent[NoticePrejudgmentIssued]) -> None:
        reply = notices.prejudgment_acknowledgement(
            event.payload, self.today(), reserve_fen=self.litigation_reserve_fen
        )
        await self.reply_with(event, reply)

    async def report_public_debtor(self, event: DeliveredEvent[NoticePublicDebtorNotified]) -> None:
        await self.reply_with(event, notices.public_debtor_measures(event.payload, self.today()))

    async def handle_petition(self, event: DeliveredEvent[NoticePetitionReferred]) -> None:
        await self.reply_with(event, notices.petition_handling(event.payload, self.today()))

    # --- bankruptcy follow-up ---
    # pboc, tax and samr each repair the one credit record they keep; the unit's records say
    # whether it knows the enterprise (`knows_enterprise`, every enterprise unless overridden).

    async def report_credit_repair(
        self, event: DeliveredEvent[BankruptcyCreditRepairRequested]
    ) -> None:
        request, dept = event.payload, self.connector.unit.split(".", 1)[0]

        async def work(connection: AsyncConnection) -> Payload | None:
            known = await self.knows_enterprise(connection, request.debtor.uscc)
            return bankruptcy.credit_repair_report(request, dept, known=known, today=self.today())

        await self.desk.answer(event, work)

    async def knows_enterprise(self, connection: AsyncConnection, uscc: str) -> bool:  # noqa: ARG002 - a hook
        """Whether the unit's records hold the enterprise `uscc`."""
        return True

    litigation_reserve_fen: int = 50_000_000
    """The budget line for litigation payments the demo agencies keep (500 000 yuan)."""


async def _just(reply: Payload | None, _connection: AsyncConnection) -> Payload | None:
    return reply
