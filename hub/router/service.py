"""The router on FastStream: a batch subscriber over every unit's outbox.

Commit path (at-least-once): a batch is read, each record is decided (`hub.router.decide`),
every resulting record is handed to the idempotent `acks=all` producer
(`hub.kafka.writer.RecordWriter`) at once, and the handler returns: the next batch is fetched
and decided while this one's acknowledgements are awaited (`hub.router.pipeline`, at most
`pipeline_depth` batches in flight). A batch's offsets are committed only once the broker has
acknowledged its writes and those of every batch read before it (`hub.router.commits`); if any
write fails, the consumer seeks back to the batch's first records, and it and every batch read
after it are routed again. Recipients and the auditor deduplicate.

Replays: the service keeps the events routed within the freshness window (`hub.router.seen`),
recalled from the journal before it consumes (`hub.router.recall`), and passes them to `decide`,
which refuses the same (source, id) from another outbox position as `duplicate`. A record read
again at its own position (the redelivery above) is routed again, not refused.

Outbox records are untrusted: the parser (`hub.kafka.batches`) ignores their headers (FastStream's
default would decode them as UTF-8 and fail on a raw client's binary header, before the router
could dead-letter the record), and the decoder hands the raw value bytes over unparsed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from faststream import AckPolicy
from faststream.kafka import (
    KafkaBroker,
    KafkaMessage,
    Topic,
)

from hub.kafka.batches import parse_ignoring_headers, raw_values
from hub.kafka.long_poll import long_poll
from hub.kafka.records import InboundRecord
from hub.observability.hooks import NO_ROUTER_METRICS
from hub.router.decide import Decision, decision, refusal
from hub.router.pipeline import CommitPipeline, DrainOnRevoke
from hub.router.progress import PartitionProgress
from hub.router.proof import seal_batch
from schemas.errors import ErrorCode, Rejection

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord

    from hub.kafka.writer import RecordWriter
    from hub.observability.hooks import RouterHooks
    from hub.router.context import RouterContext
    from hub.router.seen import SeenEvents

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_LONG_POLL_MS = 1_000


def utc_now() -> datetime:
    return datetime.now(UTC)


class RouterService:
    """The subscribed broker and the writer, started and stopped together; `recall` runs
    before the broker consumes (it fills the events seen from the journal)."""

    def __init__(
        self,
        broker: KafkaBroker,
        writer: RecordWriter,
        *,
        recall: Callable[[], Awaitable[object]] | None = None,
        pipeline: CommitPipeline | None = None,
    ) -> None:
        self.broker = broker
        self.writer = writer
        self._recall = recall
        self._pipeline = pipeline

    async def start(self) -> None:
        await self.writer.start()
        if self._recall is not None:
            await self._recall()
        await self.broker.start()

    async def stop(self) -> None:
        if self._pipeline is not None:
            await self._pipeline.close()  # every write in flight settled, its offsets committed
        await self.broker.stop()  # leaves the group
        await self.writer.stop()


def register_router(  # noqa: PLR0913 - all but the first three are keyword-only options
    broker: KafkaBroker,
    writer: RecordWriter,
    ctx: RouterContext,
    outboxes: Sequence[str],
    *,
    group_id: str,
    max_records: int,
    clock: Clock = utc_now,
    metrics: RouterHooks = NO_ROUTER_METRICS,
    progress: PartitionProgress | None = None,
    seen: SeenEvents | None = None,
    pipeline_depth: int = 2,
) -> CommitPipeline:
    """Subscribe the router to `outboxes` on `broker`; `metrics` hears of each written batch,
    `progress` of each batch written or failed (for `/healthz`); `seen`, the events routed so
    far, is consulted and kept up to date (without it no duplicate is refused). Up to
    `pipeline_depth` batches are written at once; the pipeline returned is to be closed (drained)
    before the broker stops."""
    moving = progress if progress is not None else PartitionProgress()
    pipeline = CommitPipeline(writer, lambda: subscriber.consumer, depth=pipeline_depth)

    subscriber = long_poll(
        broker.subscriber(
            # the topics are the registry's, made by `fyhub topics apply`; the router may not
            # create any
            *(Topic(name, declare=False) for name in outboxes),
            batch=True,
            # How long one fetch waits for a record: it returns as soon as one arrives, so this
            # bounds only how often an idle router wakes (`hub.kafka.long_poll`).
            batch_timeout_ms=_LONG_POLL_MS,
            group_id=group_id,
            max_records=max_records,
            auto_offset_reset="earliest",
            # never `message.ack()`: it commits the consumer's whole position, batches still
            # being written included; the pipeline commits each batch's own offsets in order
            ack_policy=AckPolicy.MANUAL,
            listener=DrainOnRevoke(pipeline),
            parser=parse_ignoring_headers,
            decoder=raw_values,
        ),
        on_fetched=pipeline.fetched,
    )

    @subscriber
    async def route_outbox_records(
        bodies: list[bytes],  # noqa: ARG001 - the records, with positions, are in `message`
        message: KafkaMessage,
    ) -> None:
        records = [_inbound(raw) for raw in message.raw_message]
        batch = await pipeline.open(records)  # waits while `pipeline_depth` batches are in flight
        if batch is None:
            return  # stopping, or fetched before a rewind: read again
        now = clock()
        if seen is not None:
            seen.forget_older_than(ctx.freshness.oldest(now))
        # One after the other: an event routed earlier in the batch is seen by the later ones.
        decided = [decide_or_dead_letter(record, ctx, now, seen) for record in records]
        # One signature for the whole batch: a tree over its copies (`seal_batch`).
        outgoing = seal_batch([out for made in decided for out in made.records], ctx.signer)

        def written() -> None:
            moving.written(records)
            # Counted only now: a batch whose write fails is routed again and counted then.
            metrics.batch_written(decided)

        await pipeline.write(
            batch, outgoing, on_written=written, on_failed=lambda: moving.failed(records, clock())
        )

    return pipeline


def decide_or_dead_letter(
    record: InboundRecord, ctx: RouterContext, now: datetime, seen: SeenEvents | None = None
) -> Decision:
    """`decision`, but a defect in the hub itself dead-letters the record instead of stopping
    the router on it for ever; an event routed is remembered in `seen`.

    Remembered before its records are written: should the write fail, the batch is read again
    from the same positions, which `seen` tells apart from a replay."""
    try:
        made = decision(record, ctx, now, seen)
    except Exception as error:
        log.exception(
            "router could not decide on %s/%s@%s", record.topic, record.partition, record.offset
        )
        detail = f"the hub failed on this record ({type(error).__name__}); operations are alerted"
        return refusal(record, Rejection(ErrorCode.MALFORMED, detail), ctx, now)
    if seen is not None and made.routed is not None:
        seen.remember(made.routed)
    return made


def _inbound(raw: ConsumerRecord[Any, Any]) -> InboundRecord:
    return InboundRecord(raw.topic, raw.partition, raw.offset, raw.key, raw.value or b"")
