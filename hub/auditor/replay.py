"""Rebuild the store from the journal: read it up to its current end, apply it, stop.

The replay reads with a consumer of its own that joins no group and commits nothing, so it never
disturbs the running auditor; both may write the same store, since applying is idempotent. It
starts at each partition's first offset, or where the auditor's group has got to, and stops at the
end offsets it found when it started.

Every record is checked as the auditor checks it (`hub.journal.trust`): one the hub did not seal,
or whose event its unit did not sign, is stored as refused, not applied.

The audit log is chained in the order records are applied. Within a partition that is the
journal's order, so a one-partition journal replayed into an empty store reproduces the live
store hash for hash; with several partitions the replay applies one partition after the other and
rebuilds the same events, deliveries and rejections, but the live auditor may have interleaved
the partitions differently, and then the chain differs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hub.auditor.service import AUDITOR_GROUP, read_consumer_record, write_batch
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hub.auditor.apply import BatchOutcome
    from hub.journal.trust import JournalTrust
    from hub.kafka.access import KafkaAccess

STALL_TIMEOUT_S: Final = 60.0


class ReplayError(Exception):
    """The replay cannot go on: the journal is missing, or the broker stopped answering."""


@dataclass
class ReplayReport:
    """What a replay read (per partition: first offset read, end offset) and what it did."""

    topic: str
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    records: int = 0
    applied: int = 0
    already_applied: int = 0
    redeliveries: int = 0
    unreadable: int = 0
    refused: int = 0

    def add(self, outcome: BatchOutcome, records: int) -> None:
        self.records += records
        self.applied += outcome.applied
        self.already_applied += outcome.already_applied
        self.redeliveries += outcome.redeliveries
        self.unreadable += outcome.unreadable
        self.refused += outcome.refused


@dataclass(frozen=True)
class JournalReplay:
    """Everything a replay needs, built by the composition root."""

    access: KafkaAccess
    sessions: async_sessionmaker[AsyncSession]
    topic: str = JOURNAL_TOPIC
    group_id: str = AUDITOR_GROUP
    batch_size: int = 500
    trust: JournalTrust = field(kw_only=True)
    """What each record is checked with before it is applied, as the auditor does."""

    async def run(self, *, from_beginning: bool = True) -> ReplayReport:
        """Apply the journal up to its end offsets as of now."""
        partitions, committed = await self._layout(with_committed=not from_beginning)
        consumer = AIOKafkaConsumer(
            **self.access.client_options(),
            group_id=None,
            enable_auto_commit=False,
            client_id="fyhub-replay",
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            firsts: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
            ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
            report = ReplayReport(self.topic)
            for tp in partitions:
                start = max(firsts[tp], committed.get(tp, firsts[tp]))
                report.ranges[tp.partition] = (start, ends[tp])
                consumer.seek(tp, start)
            await self._apply_until(consumer, ends, report)
            return report
        finally:
            await consumer.stop()

    async def _layout(
        self, *, with_committed: bool
    ) -> tuple[list[TopicPartition], dict[TopicPartition, int]]:
        """The journal's partitions, and the offsets the auditor's group has committed."""
        admin = AIOKafkaAdminClient(**self.access.client_options(), client_id="fyhub-replay")
        await admin.start()
        try:
            (description,) = await admin.describe_topics([self.topic])
            if description["error_code"] != 0:
                raise ReplayError(
                    f"the broker at {self.access.bootstrap} has no topic {self.topic}"
                )
            numbers = sorted(p["partition"] for p in description["partitions"])
            offsets = (
                await admin.list_consumer_group_offsets(self.group_id) if with_committed else {}
            )
        finally:
            await admin.close()
        committed = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        return [TopicPartition(self.topic, n) for n in numbers], committed

    async def _apply_until(
        self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], report: ReplayReport
    ) -> None:
        # One partition after the other: the same journal always replays in the same order.
        for tp in sorted(ends, key=lambda tp: tp.partition):
            progress_at = time.monotonic()
            while await consumer.position(tp) < ends[tp]:
                fetched = await consumer.getmany(tp, timeout_ms=1000, max_records=self.batch_size)
                batch = [r for r in fetched.get(tp, []) if r.offset < ends[tp]]
                if batch:
                    outcome = await write_batch(
                        self.sessions, [read_consumer_record(r, self.trust) for r in batch]
                    )
                    report.add(outcome, len(batch))
                    progress_at = time.monotonic()
                elif time.monotonic() - progress_at > STALL_TIMEOUT_S:
                    raise ReplayError(
                        f"{tp.topic}:{tp.partition}: no records for {STALL_TIMEOUT_S:.0f} s"
                    )
