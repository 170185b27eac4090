"""A durable writer for the router's output: an idempotent `acks=all` aiokafka producer.

The router consumes through FastStream (its subscriber, ack policy and middlewares), but writes its
copies, journal entries and dead letters through this plain producer: FastStream's per-message
publish path costs about as much as routing an event, and the router writes several records per
event. Durability is the same: idempotent, acks from every in-sync replica.

A record refused as too large, by the producer (over its `max_request_size`) or by the broker
(over the topic's `max.message.bytes`), would fail its batch on every retry; one that carries a
smaller stand-in (`Outbound.shrunk`: dead letters and notices) is written as that instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Sequence

    from hub.kafka.access import KafkaAccess
    from hub.kafka.records import Outbound

_TOO_LARGE = (MessageSizeTooLargeError, RecordTooLargeError)


class RecordWriter:
    def __init__(self, access: KafkaAccess, *, client_id: str, max_request_size: int) -> None:
        self._access, self._client_id = access, client_id
        self._max_request_size = max_request_size
        self._started: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # aiokafka binds a producer to the running loop, so it is made here, not in __init__
        # (the composition root builds services before `asyncio.run` starts the loop).
        producer = AIOKafkaProducer(
            **self._access.client_options(),
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_request_size=self._max_request_size,
        )
        await producer.start()
        self._started = producer

    async def stop(self) -> None:
        if self._started is not None:
            await self._started.stop()
            self._started = None

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._started is None:
            msg = "RecordWriter.start() has not been awaited"
            raise RuntimeError(msg)
        return self._started

    async def write_all(self, records: Sequence[Outbound]) -> None:
        """Hand every record to the producer, then wait until the broker acknowledged them all."""
        pending = [(out, await self._send(out)) for out in records]
        for out, acknowledged in pending:
            try:
                await acknowledged
            except _TOO_LARGE:
                if out.shrunk is None:
                    raise
                await (await self._send(out.shrunk))

    async def _send(self, out: Outbound) -> asyncio.Future[Any]:
        try:
            sent: asyncio.Future[Any] = await self._producer.send(
                out.topic, out.value, key=out.key, headers=list(out.headers)
            )
        except _TOO_LARGE:
            if out.shrunk is None:
                raise
            return await self._send(out.shrunk)
        return sent
