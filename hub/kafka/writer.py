"""A durable writer for the hub's output: an idempotent `acks=all` aiokafka producer (the
router's copies, journal entries and dead letters; the tracker's notices and entries).

The router consumes through FastStream (its subscriber, ack policy and middlewares), but writes its
copies, journal entries and dead letters through this plain producer: FastStream's per-message
publish path costs about as much as routing an event, and the router writes several records per
event. Durability is the same: idempotent, acks from every in-sync replica.

A record refused as too large, by the producer (over its `max_request_size`) or by the broker
(over the topic's `max.message.bytes`), would fail its batch on every retry; one that carries a
smaller stand-in (`Outbound.shrunk`: dead letters and notices) is written as that instead.

A batch that fails for any other reason (a broker restarting, a leader moving) is raised to the
caller, which retries it; but an idempotent producer has numbered the failed batch's records
already, so every later batch to those partitions would be refused `OutOfOrderSequenceNumber`
for ever. After a failed write the producer is therefore replaced by a new one, with a new
producer id, before the error is raised: the retry starts a fresh sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError

from hub.kafka.partitioner import CachedKeyPartitioner
from hub.kafka.records import refuse_unsealed

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hub.kafka.access import KafkaAccess
    from hub.kafka.records import Outbound

log = logging.getLogger(__name__)

_TOO_LARGE = (MessageSizeTooLargeError, RecordTooLargeError)
_STOP_TIMEOUT_S = 10.0


class RecordWriter:
    def __init__(
        self,
        access: KafkaAccess,
        *,
        client_id: str,
        max_request_size: int,
        linger_ms: int = 0,
        max_batch_size: int = 262_144,
        new_producer: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        self._access, self._client_id = access, client_id
        self._max_request_size = max_request_size
        self._linger_ms, self._max_batch_size = linger_ms, max_batch_size
        self._new_producer = new_producer or self._durable_producer
        self._started: AIOKafkaProducer | None = None
        self._failed = False
        """A write failed and dropped the producer: the next write makes a new one."""
        self._restarting = asyncio.Lock()
        """Writes awaited side by side (the tracker's jobs) that all find the producer dropped
        make one new producer between them, not one each."""

    def _durable_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            **self._access.client_options(),
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._linger_ms,
            max_batch_size=self._max_batch_size,
            max_request_size=self._max_request_size,
            partitioner=CachedKeyPartitioner(),  # a broadcast writes 20 records of one key
        )

    async def start(self) -> None:
        # aiokafka binds a producer to the running loop, so it is made here, not in __init__
        # (the composition root builds services before `asyncio.run` starts the loop).
        producer = self._new_producer()
        await producer.start()
        self._started, self._failed = producer, False

    async def stop(self) -> None:
        self._failed = False
        if self._started is not None:
            await self._started.stop()
            self._started = None

    async def ping(self, timeout_s: float) -> str | None:
        """None while the brokers answer this writer's producer (a metadata request); else why
        not, for its service's `/healthz`."""
        producer = self._started
        if producer is None:
            return "no producer: the last write failed, the next one makes a new producer"
        try:
            async with asyncio.timeout(timeout_s):
                await producer.client.fetch_all_metadata()
        except Exception as error:
            return f"Kafka did not answer within {timeout_s:g} s ({type(error).__name__})"
        return None

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._started is None:
            msg = "RecordWriter.start() has not been awaited"
            raise RuntimeError(msg)
        return self._started

    async def write_all(self, records: Sequence[Outbound]) -> None:
        """Hand every record to the producer, then wait until the broker acknowledged them all;
        on a failure, raise it, the producer dropped so that the retry gets a new one."""
        await (await self.send_all(records))

    async def send_all(self, records: Sequence[Outbound]) -> asyncio.Task[None]:
        """Hand every record to the producer, in order; the task returned ends when the broker
        has acknowledged them all, or raises what failed (the producer dropped then, as by
        `write_all`). A failure to hand them over is raised here. The router sends its next
        batch while this one's acknowledgements are awaited (`hub.router.pipeline`)."""
        if self._started is None and self._failed:
            async with self._restarting:
                if self._started is None and self._failed:
                    await self.start()  # may raise while the brokers are away: the caller retries
        producer = self._producer
        sent: list[tuple[Outbound, asyncio.Future[Any]]] = []
        try:
            for out in records:
                sent.append((out, await self._send(producer, out)))  # noqa: PERF401 - kept one by one: a failed send leaves the earlier ones here to be seen
        except Exception as error:
            await self._failed_with(error, producer, sent)
            raise
        return asyncio.create_task(self._acknowledged(producer, sent))

    async def _acknowledged(
        self, producer: AIOKafkaProducer, sent: list[tuple[Outbound, asyncio.Future[Any]]]
    ) -> None:
        try:
            for out, acknowledged in sent:
                try:
                    await acknowledged
                except _TOO_LARGE:
                    if out.shrunk is None:
                        raise
                    await (await self._send(producer, out.shrunk))
        except Exception as error:
            await self._failed_with(error, producer, sent)
            raise

    async def _failed_with(
        self,
        error: Exception,
        producer: AIOKafkaProducer,
        sent: list[tuple[Outbound, asyncio.Future[Any]]],
    ) -> None:
        for _, acknowledged in sent:  # the batch's other outcomes: known, and not logged
            acknowledged.add_done_callback(_outcome_seen)
        await self._drop(error, producer)

    async def _drop(self, error: Exception, producer: AIOKafkaProducer) -> None:
        if not self._is_current(producer):
            return  # another write failed on it first and replaced it: the new one is sound
        log.warning(
            "a write failed (%s); the next write gets a new producer, with a new sequence",
            type(error).__name__,
        )
        self._started, self._failed = None, True
        # its failed batches are the caller's to retry; waiting for them is pointless
        with contextlib.suppress(Exception):
            await asyncio.wait_for(producer.stop(), _STOP_TIMEOUT_S)

    def _is_current(self, producer: AIOKafkaProducer) -> bool:
        return self._started is producer

    async def _send(self, producer: AIOKafkaProducer, out: Outbound) -> asyncio.Future[Any]:
        refuse_unsealed(out)
        try:
            sent: asyncio.Future[Any] = await producer.send(
                out.topic, out.value, key=out.key, headers=list(out.headers)
            )
        except _TOO_LARGE:
            if out.shrunk is None:
                raise
            return await self._send(producer, out.shrunk)
        return sent


def _outcome_seen(acknowledged: asyncio.Future[Any]) -> None:
    if not acknowledged.cancelled():
        acknowledged.exception()
