"""The court connector: exports what the court files, writes back what the units answer.

    court system ─► business row + export row (one transaction, `connectors.court.filing`)
    ExportDrainer ─► connector.publish (SDK outbox) ─► hub ─► units
    units ─► hub ─► SDK handler ─► answers ledger + family rows (one transaction)

Write-backs are idempotent: the `answers` ledger is keyed by the answer's event id, and a row for
an id already there means the answer is recorded, so a redelivered answer (a crash between this
handler and the SDK's own commit) is applied once. The hub's receipts, rejections and overdue
notices go to `hub_notices`, keyed the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from connectors.court import bankruptcy_followup, key_enterprises, received, writeback
from connectors.court.export import ExportDrainer
from connectors.court.filing import (
    UnknownRecordError,
    accept_bankruptcy,
    correct_listing,
    delist_debtor,
    file_admin_case,
    file_control_request,
    file_enforcement_query,
    issue_judicial_suggestion,
    judge_admin_case,
    list_debtor,
    rule_in_bankruptcy,
    schedule_hearing,
)
from connectors.court.store import (
    answers,
    create_court_schema,
    hub_notices,
    key_enterprise_entries,
    measure_reminders,
    now,
    received_notices,
)
from schemas.bankruptcy_followup import BankruptcyZombieListShared
from schemas.hubevents import EnforcementControlExpiring
from schemas.key_enterprise import (  # --- key enterprises (涉企审慎执行) ---
    EnforcementKeyEnterpriseAdvised,
    LinkageKeyEnterpriseDelisted,
    LinkageKeyEnterpriseListed,
)

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent
    from schemas.common import Payload
    from schemas.hubevents import HubOverdue, HubReceipt, HubRejected

__all__ = [
    "CourtApp",
    "UnknownRecordError",
    "accept_bankruptcy",
    "correct_listing",
    "create_court_schema",
    "delist_debtor",
    "file_admin_case",
    "file_control_request",
    "file_enforcement_query",
    "issue_judicial_suggestion",
    "judge_admin_case",
    "list_debtor",
    "rule_in_bankruptcy",
    "schedule_hearing",
]

log = logging.getLogger(__name__)


class CourtApp:
    """The court's side of the hub on one SDK connector and the court database `engine`.

    The constructor registers the write-back handlers on `connector`; `start` / `stop` run the
    export drainer. The caller starts the connector before `start` and stops it after `stop`.
    """

    def __init__(self, connector: Connector, engine: AsyncEngine, *, poll_s: float = 0.5) -> None:
        self.connector = connector
        self.engine = engine
        self._drainer = ExportDrainer(connector, engine, poll_s=poll_s)
        self._task: asyncio.Task[None] | None = None
        for answer_type in writeback.ANSWER_TYPES:
            connector.handles(answer_type)(self.record_answer)
        # --- key enterprises (涉企审慎执行) ---
        connector.handles(LinkageKeyEnterpriseListed)(self.record_key_enterprise)
        connector.handles(LinkageKeyEnterpriseDelisted)(self.record_key_enterprise)
        connector.on_receipt(self.record_notice)
        connector.on_rejected(self.record_notice)
        connector.on_overdue(self.record_notice)
        # --- measure-expiry watch ---
        connector.handles(EnforcementControlExpiring)(self.record_reminder)
        # --- bankruptcy follow-up ---
        connector.handles(BankruptcyZombieListShared)(self.record_zombie_list)
        # --- notices to the court ---
        for notice_type in received.RECEIVED_TYPES:
            connector.handles(notice_type)(self.record_received)

    async def start(self) -> None:
        """Start draining the export table (the connector must be started)."""
        if self._task is None:
            self._task = asyncio.create_task(self._drainer.run(), name="fyhub-court-export")

    async def stop(self) -> None:
        """Stop draining; an export being published stays pending and is published again, under
        the same event id, by the next start."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def notify(self) -> None:
        """Export new rows now instead of at the next poll."""
        self._drainer.notify()

    async def record_answer(self, event: DeliveredEvent[Any]) -> None:
        """Write a unit's answer back into the court database, once per answer event id."""
        payload: Payload = event.payload
        ledger = writeback.ledger_row(
            event.id,
            event.type,
            sender=event.sender,
            correlationid=event.correlationid,
            subject=event.subject,
            received_at=now(),
        )
        rows = writeback.answer_rows(event.id, payload)
        if not await _insert_once(self.engine, answers, answers.c.answer_event_id, ledger, rows):
            log.info("answer %s was already written back", event.id)
        if isinstance(payload, EnforcementKeyEnterpriseAdvised):
            self.notify()  # the control request the office advised on may go out now

    async def record_key_enterprise(self, event: DeliveredEvent[Any]) -> None:
        """Keep a listing or delisting from the office's key-enterprise list, once per event."""
        row = key_enterprises.entry_values(event.id, event.sender or "", event.payload)
        column = key_enterprise_entries.c.event_id
        await _insert_once(self.engine, key_enterprise_entries, column, row, [])

    async def record_zombie_list(self, event: DeliveredEvent[BankruptcyZombieListShared]) -> None:
        """Keep a zombie-company list samr or ndrc sent, once per event id (receipt only)."""
        if not await bankruptcy_followup.record_zombie_list(
            self.engine, event.id, event.sender, event.payload
        ):
            log.info("zombie list %s was already recorded", event.id)

    async def record_notice(
        self,
        event: DeliveredEvent[HubReceipt]
        | DeliveredEvent[HubRejected]
        | DeliveredEvent[HubOverdue],
    ) -> None:
        """Keep the hub's receipt, rejection or overdue notice, once per notice id."""
        row = writeback.notice_row(
            event.id,
            event.payload,
            correlationid=event.correlationid,
            sender=event.sender,
            received_at=now(),
        )
        await _insert_once(self.engine, hub_notices, hub_notices.c.notice_event_id, row, [])

    # --- measure-expiry watch ---
    async def record_reminder(self, event: DeliveredEvent[EnforcementControlExpiring]) -> None:
        """Keep the hub's reminder that a seal or freeze lapses soon, once per reminder id."""
        row = writeback.reminder_row(event.id, event.payload, received_at=now())
        key = measure_reminders.c.notice_event_id
        await _insert_once(self.engine, measure_reminders, key, row, [])

    # --- notices to the court ---
    async def record_received(self, event: DeliveredEvent[Any]) -> None:
        """Keep a notice or referral sent to the court, once per event id, with the delivered
        envelope its answer will reply to (`connectors.court.answering`)."""
        row = received.received_values(
            event.id,
            event.payload,
            sender=event.sender,
            delivered=event.raw,
            reply_by=event.reply_by,
            received_at=now(),
        )
        if not await _insert_once(
            self.engine, received_notices, received_notices.c.event_id, row, []
        ):
            log.info("notice %s was already received", event.id)


async def _insert_once(
    engine: AsyncEngine,
    table: Table,
    key: Column[str],
    values: dict[str, Any],
    rows: writeback.Rows,
) -> bool:
    """Insert `values` and `rows` in one transaction unless `key` is already recorded; whether
    they were inserted now."""
    try:
        async with engine.begin() as connection:
            known = await connection.scalar(select(key).where(key == values[key.name]))
            if known is not None:
                return False
            await connection.execute(insert(table).values(values))
            for family_table, row in rows:
                await connection.execute(insert(family_table).values(row))
    except IntegrityError:
        # A concurrent write of the same answer won the race; anything else is a real fault.
        async with engine.connect() as connection:
            if await connection.scalar(select(key).where(key == values[key.name])) is None:
                raise
        return False
    return True
