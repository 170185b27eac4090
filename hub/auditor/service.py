"""The auditor on FastStream: a batch subscriber on the journal that writes the store.

Commit path (effectively once): a batch of journal records is read and parsed, applied in one
database transaction (`hub.auditor.apply`), and the handler returns only after that transaction
has committed. Only then does FastStream commit the batch's offsets (`AckPolicy.NACK_ON_ERROR`).
If the store cannot be written the handler logs one line, waits a moment and nacks; the consumer
seeks back and the batch comes again, and the `processed` keys make the parts already applied a
no-op.

Every record is checked first (`hub.journal.trust`): sealed by the hub, its event signed by its
unit. One that is not is refused: recorded as a `journal.refused` audit row and an
`unreadable_entries` row with its `refusal`, counted, logged, and never applied.

A journal record that cannot be parsed (or whose event the store could not hold) does not block
the auditor: it is logged by position with the field paths at fault (no values, which may be
personal data), counted in `AuditorStats`, recorded as a `journal.unreadable` audit row and an
`unreadable_entries` row (position, SHA-256, reason), and skipped for good. The raw record stays
in the journal for whoever fixes the cause.

The store may still refuse a batch. For a passing reason (`hub.auditor.failures.is_transient`:
down, locked, restarting) the batch is read again after a pause, as often as it takes. For any
other reason the batch is applied entry by entry, each in its own transaction; an entry that
fails on its own, while the store still answers, is recorded unreadable with the store's reason
and skipped, and the entries after it are applied.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import (
    KafkaBroker,
    KafkaMessage,
    Topic,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hub.auditor.apply import BatchOutcome, apply_journal_batch
from hub.auditor.failures import is_transient, reason
from hub.journal.reading import (
    JournalRecord,
    UnreadableRecord,
    read_record,
    record_time,
    unreadable,
)
from hub.kafka.batches import batch_read, parse_ignoring_headers, raw_values
from hub.observability.hooks import NO_AUDITOR_METRICS
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aiokafka import ConsumerRecord
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from hub.journal.trust import JournalTrust
    from hub.kafka.batches import ConsumerPositions
    from hub.observability.hooks import AuditorHooks

log = logging.getLogger(__name__)

AUDITOR_GROUP: Final = "fyhub.auditor"
RETRY_PAUSE_S: Final = 1.0
"""How long a batch the store refused waits before it is read again (FastStream's nack
redelivers at once, which would spin on a store that is down)."""


@dataclass
class AuditorStats:
    """Running totals since start, for logs and metrics."""

    batches: int = 0
    applied: int = 0
    already_applied: int = 0
    redeliveries: int = 0
    unreadable: int = 0
    refused: int = 0
    failed_batches: int = 0

    def add(self, outcome: BatchOutcome) -> None:
        self.batches += 1
        self.applied += outcome.applied
        self.already_applied += outcome.already_applied
        self.redeliveries += outcome.redeliveries
        self.unreadable += outcome.unreadable
        self.refused += outcome.refused


@dataclass
class AuditorService:
    """The running auditor: its broker, and the store engine it writes through."""

    broker: KafkaBroker
    engine: AsyncEngine
    stats: AuditorStats
    owns_engine: bool = True
    """Dispose of the engine on stop (False when the caller lent it)."""

    async def start(self) -> None:
        await self.broker.start()

    async def stop(self) -> None:
        # The broker first: its last batch commits through the engine before the engine goes.
        await self.broker.stop()
        if self.owns_engine:
            await self.engine.dispose()


def register_auditor(  # noqa: PLR0913 - all but the first two are keyword-only options
    broker: KafkaBroker,
    sessions: async_sessionmaker[AsyncSession],
    *,
    trust: JournalTrust,
    topic: str = JOURNAL_TOPIC,
    group_id: str = AUDITOR_GROUP,
    max_records: int = 500,
    retry_pause_s: float = RETRY_PAUSE_S,
    metrics: AuditorHooks = NO_AUDITOR_METRICS,
) -> AuditorStats:
    """Subscribe the auditor to the journal `topic` on `broker`; returns its live totals. Each
    record is checked with `trust` before it is applied. `metrics` hears of each batch once it
    is committed, or refused by the store."""
    stats = AuditorStats()

    @broker.subscriber(
        Topic(topic, declare=False),  # made by `fyhub topics apply`; the auditor may not create it
        batch=True,
        group_id=group_id,
        max_records=max_records,
        # A new auditor (or a new store) must see the journal from its first record.
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        parser=parse_ignoring_headers,
        decoder=raw_values,
    )
    async def record_journal_entries(
        bodies: list[bytes],  # noqa: ARG001 - the records, with positions, are in `message`
        message: KafkaMessage,
    ) -> None:
        records = [read_consumer_record(raw, trust) for raw in message.raw_message]
        try:
            outcome = await write_batch(sessions, records, message.raw_message)
        except Exception as error:
            stats.failed_batches += 1
            log_failed_batch(records[0], error)
            _report_read(metrics, message, applied=False)
            await asyncio.sleep(retry_pause_s)
            # Nacked, not re-raised: FastStream would log the exception again with its
            # traceback, for every retry; the line above is the one a retried batch logs.
            raise NackMessage from error
        stats.add(outcome)
        _report_read(metrics, message, applied=True)
        metrics.batch_committed(outcome)

    return stats


def _report_read(metrics: AuditorHooks, message: KafkaMessage, *, applied: bool) -> None:
    # FastStream types the consumer by what it commits and seeks; it is aiokafka's consumer,
    # which knows the partitions' ends and its assignment.
    consumer = cast("ConsumerPositions", message.consumer)
    try:
        read = batch_read(message.raw_message, consumer, applied=applied)
    except Exception:
        # The batch's fate is settled; a lag not measured is not worth failing it for.
        log.exception("journal lag not measured")
        return
    metrics.journal_read(read)


async def write_batch(
    sessions: async_sessionmaker[AsyncSession],
    records: Sequence[JournalRecord | UnreadableRecord],
    raw: Sequence[ConsumerRecord[Any, Any]] = (),
) -> BatchOutcome:
    """Apply `records` in one transaction; returns once it has committed. When the store refuses
    them for no passing reason, apply them one by one and skip, as unreadable, each it refuses on
    its own (`raw`, the records as read, gives their digests and Kafka times)."""
    try:
        outcome = await _apply(sessions, records)
    except Exception as error:
        if is_transient(error):
            raise
        log_failed_batch(records[0], error, one_by_one=True)
        outcome = await _apply_one_by_one(sessions, records, raw)
    for record in records:
        if isinstance(record, UnreadableRecord):
            log_unreadable(record)
    return outcome


async def _apply(
    sessions: async_sessionmaker[AsyncSession],
    records: Sequence[JournalRecord | UnreadableRecord],
) -> BatchOutcome:
    async with sessions() as session, session.begin():
        return await apply_journal_batch(session, records)


async def _apply_one_by_one(
    sessions: async_sessionmaker[AsyncSession],
    records: Sequence[JournalRecord | UnreadableRecord],
    raw: Sequence[ConsumerRecord[Any, Any]],
) -> BatchOutcome:
    values = {(r.partition, r.offset): (r.timestamp, r.value) for r in raw}
    total = BatchOutcome()
    for record in records:
        try:
            outcome = await _apply(sessions, [record])
        except Exception as error:
            if is_transient(error):
                raise
            await _store_answers(sessions)  # a store that went away is no fault of the entry
            timestamp, value = values.get((record.partition, record.offset), (0, None))
            skipped = unreadable(
                record.partition, record.offset, timestamp, value, (f"store: {reason(error)}",)
            )
            log_unreadable(skipped)
            outcome = await _apply(sessions, [skipped])
        total = total.plus(outcome)
    return total


async def _store_answers(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


def log_failed_batch(
    first: JournalRecord | UnreadableRecord, error: Exception, *, one_by_one: bool = False
) -> None:
    where = f"{first.partition}:{first.offset}"
    then = "its entries are applied one by one" if one_by_one else "it will be read again"
    if isinstance(error, SQLAlchemyError) or one_by_one:
        # The statement's parameters (envelopes with ID numbers) must stay out of the log: only
        # the database's own first line, which names constraints and columns, not values.
        log.error(
            "auditor could not write the journal batch from %s (%s); %s", where, reason(error), then
        )
        return
    log.error(
        "auditor failed on the journal batch from %s; %s",
        where,
        then,
        exc_info=error,
    )


def log_unreadable(record: UnreadableRecord) -> None:
    log.error(
        "journal record %s:%s (%d bytes) is %s and was skipped: %s",
        record.partition,
        record.offset,
        record.size,
        "unreadable" if record.refusal is None else f"refused ({record.refusal})",
        "; ".join(record.problems),
    )


def read_consumer_record(
    raw: ConsumerRecord[Any, Any], trust: JournalTrust
) -> JournalRecord | UnreadableRecord:
    """The record read, once `trust` finds it sealed by the hub and its event signed by its
    unit; else a refused record (an `UnreadableRecord` with its `refusal`)."""
    headers = [(name, bytes(value or b"")) for name, value in raw.headers or ()]
    at = record_time(raw.timestamp)
    refused = trust.seal_refusal(raw.topic, raw.key, raw.value, headers, at)
    if refused is None:
        record = read_record(raw.partition, raw.offset, raw.timestamp, raw.value)
        if not isinstance(record, JournalRecord):
            return record
        refused = trust.event_refusal(record)
        if refused is None:
            return record
    return unreadable(
        raw.partition,
        raw.offset,
        raw.timestamp,
        raw.value,
        (refused.detail,),
        refusal=refused.refusal.value,
    )
