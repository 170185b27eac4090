"""The tracker on the real broker and both stores: overdue notices once per stage and addressee,
redelivery of the same copy at its interval, escalation once, each journalled and recorded by the
auditor with an audit fact (the tracker itself only reads the store).

Each test gets a fresh region, so the inboxes (`fy.unit.<unit>.in`) are its own, and an auditor of
its own that reads the journal from where it ended when the test began; the deliveries are
written into a migrated store directly, as the auditor would have written them.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.deliveries.overdue import notice_event_id
from hub.deliveries.redelivery import RedeliveryPolicy
from hub.deliveries.state import is_overdue
from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.router.copies import delivered_copies
from hub.store.audit_repository import SqlAuditLog
from hub.store.delivery_rows import delivery_from_row
from hub.store.migrate import upgrade, upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow, EventRow
from hub.tracker.service import SweepReport, Tracker
from schemas.hub_proof import check_hub_signature, copy_bytes
from schemas.units import JOURNAL_TOPIC, inbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, random_region, signed_by
from tests.integration.rig import hub_settings, journal_auditor

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.settings import Settings

pytestmark = [pytest.mark.kafka]

ROUTED_AT = datetime(2026, 3, 2, 1, 30, 0, 250000, tzinfo=UTC)  # Monday 09:30 in China
EVENT_TYPE = "enforcement.query.requested.v1"


class Hub:
    """One test's region, settings, topics and store, and the tracker over them."""

    def __init__(
        self, settings: Settings, region: str, store: AsyncEngine, kafka: KafkaAccess
    ) -> None:
        self.settings, self.region, self.store, self.kafka = settings, region, store, kafka
        self.ctx = bootstrap.build_router_context(settings, bootstrap.load_contracts(settings))
        self.hub_keys = {self.ctx.hub_key_id: self.ctx.hub_key.public_key()}
        self.office = f"justice.{region}"
        self.tax = f"tax.{region}"
        self.court = f"court.{region}"

    def query(self) -> dict[str, Any]:
        event = as_region(fresh_id(corpus_event(EVENT_TYPE)), self.region)
        return signed_by(event | {"to": self.tax}, self.court)

    async def routed(self, event: dict[str, Any], **due: datetime | None) -> Any:
        """The event routed to tax at ROUTED_AT as the auditor stores it; `due` shortens the
        deadlines. Returns the router's copy."""
        route = self.ctx.table.route(EVENT_TYPE)
        assert route is not None
        copies, (decision,) = delivered_copies(
            event, self.court, [self.tax], route, self.ctx, ROUTED_AT
        )
        values = {"receipt_due": decision.receipt_by, "reply_due": decision.reply_by} | due
        async with async_sessionmaker(self.store)() as session, session.begin():
            session.add(event_row(event))
            await session.flush()
            session.add(
                DeliveryRow(
                    event_source=event["source"],
                    event_id=event["id"],
                    recipient=self.tax,
                    routed_at=ROUTED_AT,
                    fields=["*"] if decision.fields == "all" else decision.fields,
                    status="routed",
                    **values,
                )
            )
        return copies[0]

    async def delivery(self, event: dict[str, Any]) -> Any:
        async with async_sessionmaker(self.store)() as session:
            row = await session.get(DeliveryRow, (event["source"], event["id"], self.tax))
            assert row is not None
            return delivery_from_row(row, event_type=EVENT_TYPE, subject=event["subject"])

    async def audit_kinds(self, count: int) -> list[str]:
        """The audit log's kinds once the auditor has applied at least `count` facts."""
        await wait_for_audit(self.store, count)
        async with async_sessionmaker(self.store)() as session:
            assert await SqlAuditLog(session).verify() is None
            return list(await session.scalars(select(AuditLogRow.kind).order_by(AuditLogRow.seq)))

    async def journal_entries(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The tracker's journal entries about `event`, in journal order."""
        values = await read_to_end(self.kafka, JOURNAL_TOPIC)
        entries = [json.loads(value) for value in values]
        return [e for e in entries if e.get("event_id") == event["id"]]

    async def inbox(self, unit: str) -> list[dict[str, Any]]:
        events = [json.loads(value) for value in await read_to_end(self.kafka, inbox_topic(unit))]
        for event in events:
            check_hub_signature(event, self.hub_keys)
        return events


def event_row(event: dict[str, Any]) -> EventRow:
    return EventRow(
        source=event["source"],
        event_id=event["id"],
        type=event["type"],
        subject=event["subject"],
        case_no=event["data"]["case_no"],
        time=datetime.fromisoformat(event["time"]),
        received_at=ROUTED_AT,
        envelope=event,
        signature=event["sig"],
        signing_key=event["sigkey"],
    )


async def wait_for_audit(store: AsyncEngine, count: int) -> None:
    async with asyncio.timeout(30):
        while True:
            async with store.connect() as connection:
                rows = await connection.scalar(select(func.count()).select_from(AuditLogRow))
            if rows is not None and rows >= count:
                return
            await asyncio.sleep(0.1)


async def read_to_end(kafka: KafkaAccess, topic: str) -> list[bytes]:
    """Every record value of `topic`, from its beginning to its end as of now."""
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        assert partitions, f"topic {topic} does not exist"
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        async with asyncio.timeout(30):
            while any([await consumer.position(tp) < end for tp, end in ends.items()]):
                for batch in (await consumer.getmany(*partitions, timeout_ms=500)).values():
                    values += [record.value for record in batch]
    finally:
        await consumer.stop()
    return values


async def apply_hub_topics(kafka: KafkaAccess, settings: Settings, region: str) -> None:
    """The journal, and the inboxes of the units the tests' notices go to."""
    names = {JOURNAL_TOPIC} | {inbox_topic(f"{dept}.{region}") for dept in ("tax", "justice")}
    specs = planned_topics(bootstrap.load_contracts(settings).registry.units, settings.kafka)
    await apply_topics(kafka, [spec for spec in specs if spec.name in names])


@pytest.fixture
async def hub(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> AsyncIterator[Hub]:
    region = random_region()
    settings = hub_settings(tmp_path, kafka_access, region)
    await apply_hub_topics(kafka_access, settings, region)
    await upgrade_engine(store_engine)
    auditor = await journal_auditor(settings, store_engine, region)
    await auditor.start()
    try:
        yield Hub(settings, region, store_engine, kafka_access)
    finally:
        await auditor.stop()


@pytest.fixture
async def tracker_for(hub: Hub) -> Any:
    """Builds a tracker over the test's hub, its producer connected, for explicit sweeps."""
    writers = []

    async def build(policy: RedeliveryPolicy) -> Tracker:
        writer = bootstrap.build_record_writer(hub.settings, client_id="test-tracker")
        await writer.start()
        writers.append(writer)
        return Tracker(
            writer=writer,
            store=hub.store,
            ctx=hub.ctx,
            policy=policy,
            interval=timedelta(minutes=1),
        )

    yield build
    for writer in writers:
        await writer.stop()


NO_REDELIVERY = RedeliveryPolicy(interval=timedelta(days=30), max_attempts=1)


async def test_each_late_stage_is_notified_once_to_the_unit_and_the_office(
    hub: Hub, tracker_for: Any
) -> None:
    event = hub.query()
    receipt_due, reply_due = ROUTED_AT + timedelta(seconds=30), ROUTED_AT + timedelta(seconds=60)
    await hub.routed(event, receipt_due=receipt_due, reply_due=reply_due)
    tracker = await tracker_for(NO_REDELIVERY)

    assert (await tracker.sweep(ROUTED_AT + timedelta(seconds=30))).overdue == ()
    first = await tracker.sweep(ROUTED_AT + timedelta(seconds=45))
    assert [n.stage for n in first.overdue] == ["receipt"]
    second = await tracker.sweep(ROUTED_AT + timedelta(seconds=90))
    assert [n.stage for n in second.overdue] == ["reply"]
    assert await tracker.sweep(ROUTED_AT + timedelta(seconds=150)) == SweepReport()

    notices = first.overdue + second.overdue
    for unit in (hub.tax, hub.office):
        inbox = await hub.inbox(unit)
        assert [e["id"] for e in inbox] == [notice_event_id(n, unit) for n in notices]
        assert [e["data"]["stage"] for e in inbox] == ["receipt", "reply"]
        assert {e["type"] for e in inbox} == {"hub.overdue.v1"}
        assert {e["data"]["event_id"] for e in inbox} == {event["id"]}
        assert [e["data"]["overdue_by"] for e in inbox] == ["PT15S", "PT30S"]
    assert await hub.audit_kinds(2) == ["delivery.overdue", "delivery.overdue"]
    entries = await hub.journal_entries(event)
    assert [(e["kind"], e["stage"], e["at"]) for e in entries] == [
        ("delivery.overdue", "receipt", "2026-03-02T01:30:45.250000Z"),
        ("delivery.overdue", "reply", "2026-03-02T01:31:30.250000Z"),
    ]
    d = await hub.delivery(event)
    assert d.receipt_overdue_at == ROUTED_AT + timedelta(seconds=45)
    assert d.reply_overdue_at == ROUTED_AT + timedelta(seconds=90)


async def test_a_reply_recorded_later_ends_the_overdue(hub: Hub, tracker_for: Any) -> None:
    event = hub.query()
    receipt_due, reply_due = ROUTED_AT + timedelta(seconds=30), ROUTED_AT + timedelta(seconds=60)
    await hub.routed(event, receipt_due=receipt_due, reply_due=reply_due)
    tracker = await tracker_for(NO_REDELIVERY)
    await tracker.sweep(ROUTED_AT + timedelta(seconds=45))
    # The reply comes after the auditor recorded the overdue mark (as it would in the journal).
    assert await hub.audit_kinds(1) == ["delivery.overdue"]

    replied = ROUTED_AT + timedelta(seconds=50)
    async with async_sessionmaker(hub.store)() as session, session.begin():
        await session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.event_id == event["id"])
            .values(
                receipt_at=replied,
                replied_at=replied,
                reply_event_id="0190f7a8-0000-7000-8000-000000000001",
                status="replied",
            )
        )
    later = ROUTED_AT + timedelta(seconds=120)
    assert await tracker.sweep(later) == SweepReport()

    d = await hub.delivery(event)
    assert not is_overdue(d, later)
    assert d.receipt_overdue_at == ROUTED_AT + timedelta(seconds=45)  # the mark stays, for scoring
    assert d.reply_overdue_at is None
    assert [e["data"]["stage"] for e in await hub.inbox(hub.tax)] == ["receipt"]
    assert [e["data"]["stage"] for e in await hub.inbox(hub.office)] == ["receipt"]


async def test_an_unreceipted_copy_is_redelivered_then_escalated_once(
    hub: Hub, tracker_for: Any
) -> None:
    event = hub.query()
    original = await hub.routed(event)  # due as routed: receipt 1 working day, reply 03-05
    receipt_due = (await hub.delivery(event)).receipt_due
    assert receipt_due == datetime(2026, 3, 3, 15, 59, 59, tzinfo=UTC)
    hourly = RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=3)
    tracker = await tracker_for(hourly)
    hour = timedelta(hours=1)

    assert (await tracker.sweep(ROUTED_AT + hour / 2)).redelivered == ()
    assert [a.attempt for a in (await tracker.sweep(ROUTED_AT + hour)).redelivered] == [2]
    assert (await tracker.sweep(ROUTED_AT + hour * 1.5)).redelivered == ()
    assert [a.attempt for a in (await tracker.sweep(ROUTED_AT + hour * 2)).redelivered] == [3]
    quiet = await tracker.sweep(ROUTED_AT + hour * 5)  # out of attempts, the receipt not yet due
    assert (quiet.redelivered, quiet.escalated, quiet.overdue) == ((), (), ())
    late = await tracker.sweep(receipt_due + timedelta(seconds=1))
    assert [n.stage for n in late.overdue] == ["receipt"]
    assert [a.attempts for a in late.escalated] == [3]
    assert await tracker.sweep(receipt_due + hour * 3) == SweepReport()

    copies = [e for e in await hub.inbox(hub.tax) if e["type"] == EVENT_TYPE]
    # The router's copy again, each time under a signature of its own (`inbox` checks it).
    assert [copy_bytes(copy) for copy in copies] == [original.value] * 2
    office = await hub.inbox(hub.office)
    assert [(e["type"], e["data"]["stage"]) for e in office] == [("hub.overdue.v1", "receipt")]
    assert await hub.audit_kinds(4) == [
        "delivery.redelivered",
        "delivery.redelivered",
        "delivery.overdue",
        "delivery.escalated",
    ]
    d = await hub.delivery(event)
    assert (d.attempts, d.last_attempt_at) == (3, ROUTED_AT + hour * 2)
    assert d.escalated_at == receipt_due + timedelta(seconds=1)


async def test_the_built_tracker_sweeps_by_itself_until_stopped(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    region = random_region()
    settings = hub_settings(tmp_path, kafka_access, region, tracker={"interval_s": 0.2})
    await upgrade(settings.db.url)
    store = bootstrap.build_engine(settings)
    hub = Hub(settings, region, store, kafka_access)
    await apply_hub_topics(kafka_access, settings, region)
    auditor = await journal_auditor(settings, store, region)
    event = hub.query()
    now = datetime.now(UTC)
    await hub.routed(
        event, receipt_due=now - timedelta(minutes=1), reply_due=now + timedelta(days=1)
    )

    tracker = bootstrap.build_tracker(settings)
    await auditor.start()
    await tracker.start()
    try:
        async with asyncio.timeout(30):
            while (await hub.delivery(event)).receipt_overdue_at is None:
                await asyncio.sleep(0.2)
    finally:
        await tracker.stop()
        await auditor.stop()
        await store.dispose()
    # Routed long ago: the copy was redelivered too, in the first sweep.
    inbox = await hub.inbox(hub.tax)
    assert sorted(e["type"] for e in inbox) == [EVENT_TYPE, "hub.overdue.v1"]
    (notice,) = [e for e in inbox if e["type"] == "hub.overdue.v1"]
    assert notice["data"]["stage"] == "receipt"
