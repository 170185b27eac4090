"""The router's batches, written side by side and committed in order (`hub.router.commits`).

The handler opens a batch (waiting while `depth` batches are unsettled), decides it, and hands
its records to the writer; it returns as soon as they are handed over, so that FastStream fetches
and the handler decides the next batch while this one's acknowledgements are awaited. A task per
batch awaits them, then commits the offsets that have become safe (`consumer.commit(offsets)`,
explicit offsets, under a lock so that commits go out in reading order) or, on a failure, seeks
the partitions back so that the batch and everything after it are read again.

The subscriber runs with `AckPolicy.MANUAL` and the message is never acked: FastStream's
`KafkaMessage.ack()` commits the consumer's whole position (`consumer.commit()` without offsets),
which covers the batches still being written.

On a rebalance (partitions revoked) and on stop the pipeline is drained first: every write in
flight settles and its offsets are committed while the partitions are still this router's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiokafka import ConsumerRebalanceListener, TopicPartition

from hub.router.commits import InFlight, InOrderCommits, Partition, Stale, positions

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aiokafka import AIOKafkaConsumer

    from hub.kafka.records import InboundRecord, Outbound
    from hub.kafka.writer import RecordWriter

log = logging.getLogger(__name__)


class CommitPipeline:
    def __init__(
        self,
        writer: RecordWriter,
        consumer: Callable[[], AIOKafkaConsumer | None],
        *,
        depth: int,
    ) -> None:
        self._writer, self._consumer = writer, consumer
        self._commits = InOrderCommits(depth)
        self._changed = asyncio.Condition()
        self._committing = asyncio.Lock()
        self._settling: set[asyncio.Task[None]] = set()
        self._fetched_at = 0
        self.closing = False
        """Stopping: no batch is opened any more (its records are read again by the next
        router, since nothing past them is committed)."""

    def fetched(self) -> None:
        """A fetch returned (`hub.kafka.long_poll` says so): the batch handed over next is the
        one it fetched, as the subscriber fetches again only after the handler returns."""
        self._fetched_at = self._commits.epoch

    async def open(self, records: Sequence[InboundRecord]) -> InFlight | None:
        """The batch, once there is room for it; None if it is to be dropped (stopping, or
        fetched before a rewind: then its partitions are rewound too)."""
        fetched_at = self._fetched_at
        async with self._changed:
            await self._changed.wait_for(lambda: self.closing or self._commits.has_room)
        if self.closing:
            return None
        read = positions((r.topic, r.partition, r.offset) for r in records)
        opened = self._commits.open(read, fetched_at)
        if isinstance(opened, Stale):
            self._seek(opened.rewind)
            return None
        return opened

    async def write(
        self,
        batch: InFlight,
        outgoing: Sequence[Outbound],
        *,
        on_written: Callable[[], object],
        on_failed: Callable[[], object],
    ) -> None:
        """Hand `outgoing` to the writer; a task settles `batch` once they are acknowledged."""
        try:
            acknowledged = await self._writer.send_all(outgoing)
        except Exception:
            log.warning("the router could not hand a batch to the producer", exc_info=True)
            await self._failed(batch, on_failed)
            return
        task = asyncio.create_task(self._settle(batch, acknowledged, on_written, on_failed))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def drain(self) -> None:
        """Wait until every write in flight has settled (committed, or rewound)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._commits.idle)
        async with self._committing:
            pass  # the last batch settled may still be committing its offsets

    async def close(self) -> None:
        """Open no more batches, and drain."""
        self.closing = True
        async with self._changed:
            self._changed.notify_all()
        await self.drain()

    def forget(self, partitions: Sequence[Partition]) -> None:
        self._commits.forget(partitions)

    async def _settle(
        self,
        batch: InFlight,
        acknowledged: asyncio.Task[None],
        on_written: Callable[[], object],
        on_failed: Callable[[], object],
    ) -> None:
        try:
            await acknowledged
        except Exception as error:
            log.warning("a batch's writes failed (%s); it is read again", type(error).__name__)
            await self._failed(batch, on_failed)
            return
        if not batch.abandoned:  # an abandoned batch is read again, and counted then
            on_written()
        async with self._committing:
            # under the lock: the offsets come out in reading order, and are committed in it
            safe = self._commits.written(batch)
            # the batch is settled: the next one may be opened while this commit is on its way
            await self._notify()
            await self._commit(safe)

    async def _failed(self, batch: InFlight, on_failed: Callable[[], object]) -> None:
        if not batch.abandoned:
            on_failed()
        self._seek(self._commits.failed(batch))
        await self._notify()

    async def _commit(self, offsets: dict[Partition, int]) -> None:
        consumer = self._consumer()
        if not offsets or consumer is None:
            return
        try:
            await consumer.commit({TopicPartition(t, p): off for (t, p), off in offsets.items()})
        except Exception as error:
            # A rebalance took the partitions away before the commit reached the group: whoever
            # holds them now reads these records again (recipients dedupe by id).
            log.warning("the router could not commit %s (%s)", offsets, type(error).__name__)

    def _seek(self, rewind: dict[Partition, int]) -> None:
        consumer = self._consumer()
        if consumer is None:
            return
        for (topic, partition), offset in rewind.items():
            # a partition no longer assigned is read from the group's commit by its next owner
            with contextlib.suppress(Exception):
                consumer.seek(TopicPartition(topic, partition), offset)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


class DrainOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Before partitions go to another router: every write in flight settles and is committed."""

    def __init__(self, pipeline: CommitPipeline) -> None:
        self._pipeline = pipeline

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._pipeline.drain()
        self._pipeline.forget([(tp.topic, tp.partition) for tp in revoked])

    async def on_partitions_assigned(self, assigned: Any) -> None:
        pass
