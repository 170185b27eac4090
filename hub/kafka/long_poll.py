"""A FastStream batch subscriber that waits for records in the consumer's own long poll, never
in a sleep.

FastStream 0.7.8's `BatchSubscriber.get_msg` calls `consumer.getmany(timeout_ms=batch_timeout_ms)`
and, when that returns nothing, sleeps `batch_timeout_ms` more
(`faststream/kafka/subscriber/usecase.py`, `BatchSubscriber.get_msg`). No subscriber option turns
the sleep off: a record that arrives during it waits up to `batch_timeout_ms` (200 ms by default),
half the time at a low rate. aiokafka's `getmany` already waits for data and returns as soon as a
record is fetched (`Fetcher.fetched_records`), so the sleep only adds latency; an empty return
after a whole long poll simply starts the next one, which is no busy loop.

`long_poll` turns a subscriber FastStream made into one without the sleep. It refuses any other
class than the one it was written against, so that a FastStream upgrade that renames or reshapes
the subscriber fails the start rather than silently bringing the sleep back.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, Any, cast

from faststream.kafka.subscriber.usecase import BatchSubscriber

if TYPE_CHECKING:
    from aiokafka import AIOKafkaConsumer, ConsumerRecord


class LongPollBatchSubscriber(BatchSubscriber):
    """FastStream's batch subscriber, its fetch the consumer's long poll alone."""

    __slots__ = ()  # the same layout as BatchSubscriber, so that an instance can become one

    async def get_msg(self, consumer: AIOKafkaConsumer) -> tuple[ConsumerRecord[Any, Any], ...]:
        fetched = await consumer.getmany(
            timeout_ms=self.batch_timeout_ms, max_records=self.max_records
        )
        return tuple(chain.from_iterable(fetched.values()))


def long_poll(subscriber: object) -> LongPollBatchSubscriber:
    """`subscriber`, as returned by `broker.subscriber(..., batch=True)`, made to fetch without
    sleeping; call it before the handler is attached and the broker started."""
    if type(subscriber) is not BatchSubscriber:
        msg = (
            f"expected FastStream's BatchSubscriber, got {type(subscriber).__qualname__}: "
            "hub.kafka.long_poll was written against FastStream 0.7.8's get_msg"
        )
        raise TypeError(msg)
    subscriber.__class__ = LongPollBatchSubscriber
    return cast("LongPollBatchSubscriber", subscriber)  # its class was just changed
