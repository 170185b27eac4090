"""The tracker's journal entries (`delivery.overdue`, `delivery.redelivered`,
`delivery.escalated`): what each changes about its delivery (`hub.journal.marks`), the auditor
applying them to a real (temp-file SQLite) store with the tracker's audit facts, and the tracker's
overlay of marks journalled but not yet in the store (`hub.tracker.pending`)."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import BatchOutcome, apply_journal_batch
from hub.deliveries.state import (
    AlreadyAnsweredError,
    Delivery,
    DeliveryKey,
    Stage,
    marked_overdue,
    receipt_arrived,
    reply_arrived,
)
from hub.journal.entries import DeliveryEscalated, DeliveryOverdue, DeliveryRedelivered
from hub.journal.marks import mark_audit_entry, mark_changes, marked
from hub.journal.reading import JournalRecord, UnreadableRecord
from hub.store.audit_repository import SqlAuditLog
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow
from hub.tracker.pending import PendingMarks
from schemas.hubevents import OverdueStage
from tests.fixtures.journal import CASE, COURT, QUERY, T0, TAX, Journal, dump_store, event_id

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

E1 = event_id(1)
SOURCE = f"fy:unit:{COURT}"
OFFICE = "justice.411121"
KEY = DeliveryKey(SOURCE, E1, TAX)
RECEIPT_DUE = T0 + timedelta(days=1)
REPLY_DUE = T0 + timedelta(days=3)
LATE = RECEIPT_DUE + timedelta(hours=2)


def overdue(at: datetime = LATE, stage: OverdueStage = OverdueStage.RECEIPT) -> DeliveryOverdue:
    due = RECEIPT_DUE if stage is OverdueStage.RECEIPT else REPLY_DUE
    return DeliveryOverdue(
        at=at,
        event_source=SOURCE,
        event_id=E1,
        recipient=TAX,
        stage=stage,
        due=due,
        overdue_by_s=int((at - due).total_seconds()),
        office=OFFICE,
        notices={TAX: "notice-to-tax", OFFICE: "notice-to-office"},
    )


def redelivery(attempt: int, at: datetime) -> DeliveryRedelivered:
    return DeliveryRedelivered(
        at=at, event_source=SOURCE, event_id=E1, recipient=TAX, attempt=attempt
    )


def escalation(at: datetime = LATE, attempts: int = 3) -> DeliveryEscalated:
    return DeliveryEscalated(
        at=at,
        event_source=SOURCE,
        event_id=E1,
        recipient=TAX,
        attempts=attempts,
        receipt_due=RECEIPT_DUE,
        office=OFFICE,
    )


def delivery(**changes: Any) -> Delivery:
    fields: dict[str, Any] = {
        "event_source": SOURCE,
        "event_id": E1,
        "recipient": TAX,
        "event_type": QUERY,
        "subject": CASE,
        "routed_at": T0,
        "receipt_due": RECEIPT_DUE,
        "reply_due": REPLY_DUE,
    }
    return Delivery(**(fields | changes))


# --- what an entry changes -----------------------------------------------------------------------


def test_an_overdue_entry_marks_its_stage_at_the_trackers_time() -> None:
    once = marked(delivery(), overdue())
    assert once.receipt_overdue_at == LATE
    assert marked(once, overdue(at=LATE + timedelta(hours=1))) == once


def test_an_overdue_entry_for_what_came_in_first_is_contradicted() -> None:
    received = receipt_arrived(delivery(), LATE - timedelta(minutes=1))
    with pytest.raises(AlreadyAnsweredError):
        marked(received, overdue())
    assert mark_changes(received, overdue()) is None


def test_a_redelivery_entry_counts_its_attempt_once() -> None:
    once = marked(delivery(), redelivery(2, T0 + timedelta(hours=1)))
    assert (once.attempts, once.last_attempt_at) == (2, T0 + timedelta(hours=1))
    assert mark_changes(once, redelivery(2, T0 + timedelta(hours=2))) is None


def test_an_escalation_entry_needs_the_receipt_marked_overdue() -> None:
    assert mark_changes(delivery(attempts=3), escalation()) is None
    noticed = marked_overdue(delivery(attempts=3), Stage.RECEIPT, LATE)
    assert marked(noticed, escalation()).escalated_at == LATE
    received = receipt_arrived(noticed, LATE)
    assert mark_changes(received, escalation()) is None


def test_each_mark_leaves_the_audit_fact_the_tracker_wrote() -> None:
    china_due = RECEIPT_DUE  # the entry may carry any offset; the fact is in UTC, as stored
    fact = mark_audit_entry(overdue())
    assert (fact.at, fact.kind, fact.event_id, fact.unit) == (LATE, "delivery.overdue", E1, TAX)
    assert fact.detail == {
        "source": SOURCE,
        "stage": "receipt",
        "due": china_due.astimezone(UTC).isoformat(),
        "overdue_by_s": 2 * 3600,
        "notices": {TAX: "notice-to-tax", OFFICE: "notice-to-office"},
    }
    again = mark_audit_entry(redelivery(2, T0))
    assert (again.kind, again.detail) == ("delivery.redelivered", {"source": SOURCE, "attempt": 2})
    up = mark_audit_entry(escalation())
    assert (up.kind, up.detail) == (
        "delivery.escalated",
        {
            "source": SOURCE,
            "attempts": 3,
            "receipt_due": RECEIPT_DUE.astimezone(UTC).isoformat(),
            "office": OFFICE,
        },
    )


# --- the auditor applying them -------------------------------------------------------------------


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    return sqlite_engine


async def apply(engine: AsyncEngine, records: Sequence[Any]) -> BatchOutcome:
    async with async_sessionmaker(engine)() as session, session.begin():
        return await apply_journal_batch(session, list(records))


async def tax_row(engine: AsyncEngine) -> DeliveryRow:
    async with async_sessionmaker(engine)() as session:
        row = await session.get(DeliveryRow, (SOURCE, E1, TAX))
        assert row is not None
        return row


async def audit(engine: AsyncEngine) -> list[tuple[str, str | None, dict[str, Any]]]:
    async with async_sessionmaker(engine)() as session:
        assert await SqlAuditLog(session).verify() is None
        query = select(AuditLogRow.kind, AuditLogRow.unit, AuditLogRow.detail)
        return [tuple(row) for row in await session.execute(query.order_by(AuditLogRow.seq))]


def story(journal: Journal) -> list[JournalRecord | UnreadableRecord]:
    """Routed to tax (and nr); redelivered twice; late; escalated; then replied."""
    hour = timedelta(hours=1)
    return journal.records(
        journal.routed(E1),
        redelivery(2, T0 + hour),
        redelivery(2, T0 + hour * 1.5),  # the same attempt again: a tracker that restarted
        redelivery(3, T0 + hour * 2),
        overdue(),
        escalation(),
        overdue(at=LATE + hour),  # a second sweep's entry for the same stage
        journal.answer(event_id(101), E1, at=LATE + hour * 2, receipt=False),
    )


async def test_the_auditor_writes_the_trackers_columns_and_facts(store: AsyncEngine) -> None:
    routed, *later = story(Journal())
    await apply(store, [routed])
    outcome = await apply(store, later)
    assert outcome.applied == 7
    # the reply answers both the receipt and the reply it was owed, late
    assert {(a.delivery.recipient, a.stage, a.answered_at) for a in outcome.answered} == {
        (TAX, stage, LATE + timedelta(hours=2)) for stage in Stage
    }
    row = await tax_row(store)
    assert (row.attempts, row.last_attempt_at) == (3, T0 + timedelta(hours=2))
    assert (row.receipt_overdue_at, row.escalated_at, row.reply_overdue_at) == (LATE, LATE, None)
    assert row.status == "replied"  # the answer leaves the marks, for scoring
    tracker_facts = [(kind, unit) for kind, unit, _ in await audit(store) if "delivery." in kind]
    assert tracker_facts == [
        ("delivery.redelivered", TAX),
        ("delivery.redelivered", TAX),
        ("delivery.overdue", TAX),
        ("delivery.escalated", TAX),
    ]


async def test_marks_applied_entry_by_entry_or_all_at_once_give_the_same_store(
    store: AsyncEngine, tmp_path: Path
) -> None:
    records = story(Journal())
    await apply(store, records)
    other = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        await upgrade_engine(other)
        for record in records:
            await apply(other, [record])
        assert await dump_store(other) == await dump_store(store)
        again = await apply(other, records)
        assert again == BatchOutcome(already_applied=len(records))
        assert await dump_store(other) == await dump_store(store)
    finally:
        await other.dispose()


async def test_a_mark_the_delivery_has_moved_past_leaves_no_fact(store: AsyncEngine) -> None:
    journal = Journal()
    receipt_at = LATE - timedelta(minutes=5)
    await apply(
        store, journal.records(journal.routed(E1), journal.answer(event_id(101), E1, at=receipt_at))
    )
    before = await audit(store)
    outcome = await apply(store, journal.records(overdue(), redelivery(2, LATE), escalation()))
    assert outcome == BatchOutcome(applied=3)
    row = await tax_row(store)
    assert (row.receipt_overdue_at, row.attempts, row.escalated_at) == (None, 1, None)
    assert await audit(store) == before


async def test_a_mark_for_no_stored_delivery_changes_nothing(store: AsyncEngine) -> None:
    outcome = await apply(store, Journal().records(overdue()))
    assert outcome == BatchOutcome(applied=1)
    assert await audit(store) == []


def test_a_mark_the_store_could_not_hold_is_unreadable() -> None:
    (record,) = Journal().records(redelivery(2, T0).model_copy(update={"recipient": "x" * 300}))
    assert isinstance(record, UnreadableRecord)
    assert record.problems == ("recipient: longer than 64 characters",)


# --- the tracker's overlay -----------------------------------------------------------------------


def test_a_journalled_mark_is_seen_until_the_store_shows_it() -> None:
    pending = PendingMarks()
    pending.add([overdue()])
    (seen,) = pending.over([delivery()])
    assert seen.receipt_overdue_at == LATE
    assert len(pending) == 1
    stored = marked_overdue(delivery(), Stage.RECEIPT, LATE)  # the auditor has applied it
    assert pending.over([stored]) == [stored]
    assert len(pending) == 0


def test_pending_marks_apply_in_order_and_are_forgotten_one_by_one() -> None:
    pending = PendingMarks()
    pending.add([redelivery(2, T0 + timedelta(hours=1)), redelivery(3, T0 + timedelta(hours=2))])
    (seen,) = pending.over([delivery()])
    assert (seen.attempts, seen.last_attempt_at) == (3, T0 + timedelta(hours=2))
    half = marked(delivery(), redelivery(2, T0 + timedelta(hours=1)))
    assert pending.over([half]) == [seen]
    assert len(pending) == 1


def test_an_escalation_after_a_pending_overdue_mark_counts() -> None:
    pending = PendingMarks()
    pending.add([overdue()])
    assert mark_changes(pending.on(delivery(attempts=3)), escalation()) is not None
    assert mark_changes(PendingMarks().on(delivery(attempts=3)), escalation()) is None


def test_a_contradicted_mark_is_forgotten() -> None:
    pending = PendingMarks()
    pending.add([overdue()])
    received = receipt_arrived(delivery(), LATE - timedelta(minutes=1))
    assert pending.over([received]) == [received]
    assert len(pending) == 0


def test_the_marks_of_a_settled_delivery_are_forgotten() -> None:
    pending = PendingMarks()
    pending.add([overdue(stage=OverdueStage.REPLY, at=REPLY_DUE + timedelta(hours=1))])
    assert pending.over([]) == []  # replied: no longer among the open deliveries
    assert len(pending) == 0
    replied = reply_arrived(delivery(), event_id(102), REPLY_DUE)
    assert pending.on(replied) == replied
