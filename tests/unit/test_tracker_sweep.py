"""A sweep over a real (temp-file SQLite) store, publishing to a fake broker: the units' records
before each journal entry, escalations after the overdue mark they follow, nothing journalled for
what the broker refused, nothing sent twice while the auditor has not applied the marks, and the
store written only by the auditor applying the tracker's entries."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.redelivery import RedeliveryPolicy
from hub.deliveries.state import Delivery
from hub.journal.entries import DeliveryOverdue
from hub.journal.reading import read_record
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow
from hub.tracker.pending import PendingMarks
from hub.tracker.service import SweepReport, Tracker
from hub.tracker.store import open_delivery_pages
from schemas.units import JOURNAL_TOPIC, inbox_topic
from tests.fixtures.journal import CASE, COURT, T0, TAX, Journal, dump_store, event_id
from tests.hubkit import router_context

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.records import Outbound

OFFICE = "justice.411121"
E1 = event_id(1)
RECEIPT_DUE = T0 + timedelta(days=1)
NO_REDELIVERY = RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=1)


class FakeWriter:
    """Records what is written, in order; refuses whatever goes to a topic in `refusing` (the
    records of the call to other topics are written, as a producer's other partitions are)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes | None, bytes]] = []
        self.refusing: set[str] = set()

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def write_all(self, records: Sequence[Outbound]) -> None:
        refused = [out.topic for out in records if out.topic in self.refusing]
        self.published += [(o.topic, o.key, o.value) for o in records if o.topic not in refused]
        if refused:
            raise ConnectionError(f"{refused[0]} is not answering")

    def journal(self) -> list[dict[str, Any]]:
        return [json.loads(value) for topic, _, value in self.published if topic == JOURNAL_TOPIC]

    def topics(self) -> list[str]:
        return [topic for topic, _, _ in self.published]


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """E1 routed to tax, owing a receipt by RECEIPT_DUE and a reply two days after."""
    await upgrade_engine(sqlite_engine)
    j = Journal()
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, j.records(j.routed(E1, to=((TAX, ["case_no"]),))))
    return sqlite_engine


@pytest.fixture
def broker() -> FakeWriter:
    return FakeWriter()


@pytest.fixture
def tracker(store: AsyncEngine, broker: FakeWriter) -> Tracker:
    return Tracker(
        writer=broker,
        store=store,
        ctx=router_context(),
        policy=NO_REDELIVERY,
        interval=timedelta(minutes=1),
    )


async def apply_journalled(store: AsyncEngine, broker: FakeWriter) -> None:
    """What the auditor does with the tracker's journal entries."""
    records = [
        read_record(0, offset, 0, value)
        for offset, (topic, _, value) in enumerate(broker.published)
        if topic == JOURNAL_TOPIC
    ]
    async with async_sessionmaker(store)() as session, session.begin():
        await apply_journal_batch(session, records)


LATE = RECEIPT_DUE + timedelta(seconds=1)


async def test_the_notices_go_first_then_the_overdue_mark_then_the_escalation(
    tracker: Tracker, broker: FakeWriter
) -> None:
    report = await tracker.sweep(LATE)

    assert ([n.stage for n in report.overdue], len(report.escalated)) == (["receipt"], 1)
    assert broker.topics() == [inbox_topic(TAX), inbox_topic(OFFICE), JOURNAL_TOPIC, JOURNAL_TOPIC]
    assert [e["kind"] for e in broker.journal()] == ["delivery.overdue", "delivery.escalated"]
    assert [datetime.fromisoformat(e["at"]) for e in broker.journal()] == [LATE, LATE]
    # Keyed by the case, as the router keyed E1's own entry: the same partition, after it.
    assert {key for topic, key, _ in broker.published if topic == JOURNAL_TOPIC} == {CASE.encode()}


async def test_what_the_broker_refused_is_not_journalled_nor_the_escalation_after_it(
    tracker: Tracker, broker: FakeWriter
) -> None:
    broker.refusing.add(inbox_topic(OFFICE))
    refused = await tracker.sweep(LATE)
    assert refused == SweepReport(failed=1)
    assert broker.journal() == []

    broker.refusing.clear()
    again = await tracker.sweep(LATE + timedelta(minutes=1))
    assert ([n.stage for n in again.overdue], len(again.escalated)) == (["receipt"], 1)
    assert [e["kind"] for e in broker.journal()] == ["delivery.overdue", "delivery.escalated"]


async def test_nothing_is_sent_again_while_the_auditor_has_not_applied_the_marks(
    tracker: Tracker, broker: FakeWriter, store: AsyncEngine
) -> None:
    await tracker.sweep(LATE)
    sent = list(broker.published)
    assert await tracker.sweep(LATE + timedelta(minutes=1)) == SweepReport()
    assert broker.published == sent

    async with store.connect() as connection:  # the tracker wrote nothing
        row = (await connection.execute(select(DeliveryRow))).one()
        assert (row.receipt_overdue_at, row.escalated_at) == (None, None)
        assert (
            await connection.scalar(
                select(AuditLogRow.seq).where(AuditLogRow.kind.like("delivery.%"))
            )
            is None
        )


async def test_once_the_auditor_has_applied_them_the_store_shows_the_marks(
    tracker: Tracker, broker: FakeWriter, store: AsyncEngine
) -> None:
    await tracker.sweep(LATE)
    await apply_journalled(store, broker)
    before = await dump_store(store)
    assert await tracker.sweep(LATE + timedelta(hours=1)) == SweepReport()
    async with store.connect() as connection:
        marked = (await connection.execute(select(DeliveryRow))).one()
    assert (marked.receipt_overdue_at, marked.escalated_at) == (LATE, LATE)
    kinds = [row[2] for row in before["audit_log"]]
    assert kinds[-2:] == ["delivery.overdue", "delivery.escalated"]
    assert await dump_store(store) == before  # the sweep after wrote nothing

    reply_late = T0 + timedelta(days=3, seconds=1)
    report = await tracker.sweep(reply_late)
    assert [n.stage for n in report.overdue] == ["reply"]


class SweptCounts:
    """The tracker's metrics hooks, keeping what the last sweep reported."""

    def __init__(self) -> None:
        self.overdue: dict[tuple[str, str], int] = {}

    def deliveries_swept(self, overdue: Mapping[tuple[str, str], int]) -> None:
        self.overdue = dict(overdue)

    def provisional_counted(self, count: int) -> None:
        pass

    def jobs_written(self, journalled: Mapping[str, int], failed: int) -> None:
        pass


async def test_a_sweep_reads_the_backlog_a_page_at_a_time_and_misses_none(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    j = Journal()
    j.next_offset = 100  # past the store fixture's entries, which the auditor has applied
    more = [
        j.routed(event_id(n), to=((TAX, ["case_no"]),), position=j.position(COURT, 100 + n))
        for n in range(2, 8)
    ]
    async with async_sessionmaker(store)() as session, session.begin():
        await apply_journal_batch(session, j.records(*more))
    async with async_sessionmaker(store)() as session:
        pages = [[d.event_id for d in page] async for page in open_delivery_pages(session, size=3)]
    assert [len(page) for page in pages] == [3, 3, 1]  # 7 open: E1 and six more
    assert sorted(n for page in pages for n in page) == sorted(event_id(n) for n in range(1, 8))

    counts = SweptCounts()
    tracker = Tracker(
        writer=broker,
        store=store,
        ctx=router_context(),
        policy=NO_REDELIVERY,
        interval=timedelta(minutes=1),
        metrics=counts,
        page_size=3,
    )
    report = await tracker.sweep(LATE)
    assert (len(report.overdue), len(report.escalated)) == (7, 7)
    assert counts.overdue == {(TAX, "receipt"): 7}  # added up over the three pages
    # the marks journalled on every page stay pending: the next sweep sends nothing again
    sent = list(broker.published)
    assert await tracker.sweep(LATE + timedelta(minutes=1)) == SweepReport()
    assert broker.published == sent


def test_pending_marks_of_deliveries_no_longer_open_are_forgotten_after_the_last_page() -> None:
    pending = PendingMarks()
    late = Delivery(
        event_source=f"fy:unit:{COURT}",
        event_id=E1,
        recipient=TAX,
        event_type="enforcement.query.requested.v1",
        subject=CASE,
        routed_at=T0,
        receipt_due=RECEIPT_DUE,
        reply_due=None,
    )
    other = replace(late, event_id=event_id(2))
    pending.add([_overdue(late), _overdue(other)])
    # a page without `late`: its mark is kept (it may be on another page)
    assert pending.over_page([other])[0].receipt_overdue_at == LATE
    assert late.key in pending
    pending.forget_all_but({other.key})  # the sweep's last page went by without `late`
    assert late.key not in pending
    assert len(pending) == 1


def _overdue(d: Delivery) -> DeliveryOverdue:
    return DeliveryOverdue(
        at=LATE,
        event_source=d.event_source,
        event_id=d.event_id,
        recipient=d.recipient,
        stage="receipt",
        due=RECEIPT_DUE,
        overdue_by_s=1,
        office=OFFICE,
        notices={},
    )
