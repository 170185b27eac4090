"""The journal is the only way into the store: on the real broker, a hub routes two queries of
one case to tax, tax receipts one, and the tracker (swept at chosen times) redelivers the other
twice, finds it late and escalates it, then finds both replies late. The auditor writes all of it
from the journal; replaying that journal into an empty store gives the same store, row for row in
every table, with the same audit chain, on SQLite and on PostgreSQL.

One case, so every journal entry of the story shares its key and its partition: the live auditor
and the replay then apply them in the same order, and the chains agree hash for hash (with
several partitions a replay applies one after the other; see `hub.auditor.replay`).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.auditor.replay import JournalReplay
from hub.deliveries.redelivery import RedeliveryPolicy
from hub.routing.deadlines import CHINA_TZ
from hub.store.audit_repository import SqlAuditLog
from hub.store.migrate import upgrade_engine
from hub.store.tables import CONSOLE_TABLES, AuditLogRow, Base, DeliveryRow
from hub.tracker.service import Tracker
from schemas.units import JOURNAL_TOPIC, inbox_topic, outbox_topic, source_uri
from tests.fixtures.journal import dump_store
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import Rig, read_matching, running_rig, start_group_at_end, wait_for_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka]

QUERY = "enforcement.query.requested.v1"
HOURLY = RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=3)
TRACKER_FACTS = 6
"""2 redeliveries, the receipt overdue, the escalation, and both replies overdue."""


@pytest.fixture
async def rig(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access, store=store_engine) as running:
        yield running


def query(rig: Rig, reply_by: date) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event(QUERY)), rig.region) | {"to": rig.unit("tax")}
    event["data"]["reply_by"] = reply_by.isoformat()
    return signed_by(event, rig.unit("court"))


def receipt_of(rig: Rig, copy: dict[str, Any]) -> dict[str, Any]:
    """Tax's receipt of the delivered `copy`, echoing its delivery token."""
    tax = rig.unit("tax")
    receipt = as_region(fresh_id(corpus_event("hub.receipt.v1")), rig.region) | {
        "source": source_uri(tax),
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    return signed_by(receipt, tax)


async def stored(store: AsyncEngine, event: dict[str, Any]) -> DeliveryRow:
    async with async_sessionmaker(store)() as session:
        query = select(DeliveryRow).where(DeliveryRow.event_id == event["id"])
        return (await session.execute(query)).scalar_one()


async def audit_head(store: AsyncEngine) -> tuple[int, str]:
    async with async_sessionmaker(store)() as session:
        log = SqlAuditLog(session)
        assert await log.verify() is None
        head = await log.head()
    return head.seq, head.row_hash


@pytest.fixture
async def tracker(rig: Rig, store_engine: AsyncEngine) -> AsyncIterator[Tracker]:
    """A tracker over the live store, its producer connected, for sweeps at chosen times."""
    writer = bootstrap.build_record_writer(rig.settings, client_id="test-tracker")
    await writer.start()
    try:
        yield Tracker(
            writer=writer,
            store=store_engine,
            ctx=bootstrap.build_router_context(
                rig.settings, bootstrap.load_contracts(rig.settings)
            ),
            policy=HOURLY,
            interval=timedelta(minutes=1),
        )
    finally:
        await writer.stop()


async def test_a_replayed_journal_restores_the_trackers_marks_row_for_row(
    rig: Rig, tracker: Tracker, store_engine: AsyncEngine, other_store_engine: AsyncEngine
) -> None:
    replay_group = f"fyhub.replay.{rig.region}"
    await start_group_at_end(rig.kafka, JOURNAL_TOPIC, replay_group)
    # The reply is due after the receipt (the court names the day; the router's clock is real).
    reply_by = datetime.now(CHINA_TZ).date() + timedelta(days=10)
    ignored, receipted = query(rig, reply_by), query(rig, reply_by)
    assert ignored["subject"] == receipted["subject"]  # one case: one journal partition
    court_outbox = outbox_topic(rig.unit("court"))
    await rig.send_event(court_outbox, ignored)
    await rig.send_event(court_outbox, receipted)

    def is_receipted_copy(record: Any) -> bool:
        return bool(json.loads(record.value)["id"] == receipted["id"])

    (copy,) = await read_matching(rig.kafka, inbox_topic(rig.unit("tax")), is_receipted_copy)
    await rig.send_event(outbox_topic(rig.unit("tax")), receipt_of(rig, json.loads(copy.value)))
    received = select(DeliveryRow).where(DeliveryRow.receipt_at.is_not(None))
    await wait_for_rows(store_engine, received, 1)

    first = await stored(store_engine, ignored)
    second = await stored(store_engine, receipted)
    assert first.receipt_due is not None
    assert first.reply_due is not None
    assert second.reply_due is not None
    hour = timedelta(hours=1)
    again = await tracker.sweep(first.routed_at + hour)
    assert ([a.attempt for a in again.redelivered], again.overdue) == ([2], ())
    assert [a.attempt for a in (await tracker.sweep(first.routed_at + hour * 2)).redelivered] == [3]
    late = await tracker.sweep(first.receipt_due + timedelta(seconds=1))
    assert ([n.stage for n in late.overdue], len(late.escalated)) == (["receipt"], 1)
    replies = await tracker.sweep(max(first.reply_due, second.reply_due) + hour)
    assert sorted(n.key.event_id for n in replies.overdue) == sorted(
        [ignored["id"], receipted["id"]]
    )

    tracker_rows = select(AuditLogRow).where(AuditLogRow.kind.like("delivery.%"))
    assert await wait_for_rows(store_engine, tracker_rows, TRACKER_FACTS) == TRACKER_FACTS
    marked = await stored(store_engine, ignored)
    assert (marked.attempts, marked.last_attempt_at) == (3, first.routed_at + hour * 2)
    assert marked.receipt_overdue_at == first.receipt_due + timedelta(seconds=1)
    assert marked.escalated_at == marked.receipt_overdue_at
    assert marked.reply_overdue_at is not None
    assert (await stored(store_engine, receipted)).reply_overdue_at is not None

    await upgrade_engine(other_store_engine)
    sessions = async_sessionmaker(other_store_engine, expire_on_commit=False)
    trust = bootstrap.build_journal_trust(rig.settings)
    replay = JournalReplay(rig.kafka, sessions, group_id=replay_group, trust=trust)
    report = await replay.run(from_beginning=False)
    assert (report.unreadable, report.redeliveries, report.refused) == (0, 0, 0)

    live, replayed = await dump_store(store_engine), await dump_store(other_store_engine)
    # every table compared, but the console's accounts and record of views: not the journal's
    assert set(live) == set(Base.metadata.tables) - set(CONSOLE_TABLES)
    assert replayed == live
    assert await audit_head(other_store_engine) == await audit_head(store_engine)
