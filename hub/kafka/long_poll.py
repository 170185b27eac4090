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
the subscriber fails the start rather than silently bringing the sleep back. With `on_fetched`, it
is told each time a fetch returns records, before they are handed to the handler (the router's
pipeline notes when a batch was fetched: `hub.router.pipeline`).
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar, cast

from faststream.kafka.subscriber.usecase import BatchSubscriber

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiokafka import AIOKafkaConsumer, ConsumerRecord


class LongPollBatchSubscriber(BatchSubscriber):
    """FastStream's batch subscriber, its fetch the consumer's long poll alone."""

    __slots__ = ()  # the same layout as BatchSubscriber, so that an instance can become one
    on_fetched: ClassVar[Callable[[], object] | None] = None
    """A class attribute (instances have no room for one): `long_poll` makes a class per hook."""

    async def get_msg(self, consumer: AIOKafkaConsumer) -> tuple[ConsumerRecord[Any, Any], ...]:
        fetched = await consumer.getmany(
            timeout_ms=self.batch_timeout_ms, max_records=self.max_records
        )
        hook = type(self).on_fetched
        if fetched and hook is not None:
            hook()
        return tuple(chain.from_iterable(fetched.values()))


def long_poll(
    subscriber: object, *, on_fetched: Callable[[], object] | None = None
) -> LongPollBatchSubscriber:
    """`subscriber`, as returned by `broker.subscriber(..., batch=True)`, made to fetch without
    sleeping, `on_fetched` called as each fetch returns records; call it before the handler is
    attached and the broker started."""
    if type(subscriber) is not BatchSubscriber:
        msg = (
            f"expected FastStream's BatchSubscriber, got {type(subscriber).__qualname__}: "
            "hub.kafka.long_poll was written against FastStream 0.7.8's get_msg"
        )
        raise TypeError(msg)
    polling: type[LongPollBatchSubscriber] = LongPollBatchSubscriber
    if on_fetched is not None:
        hooked = {"__slots__": (), "on_fetched": staticmethod(on_fetched)}
        polling = type("HookedLongPollBatchSubscriber", (LongPollBatchSubscriber,), hooked)
    subscriber.__class__ = polling
    return cast("LongPollBatchSubscriber", subscriber)  # its class was just changed
