"""The router's batch subscriber waits for records in the consumer's long poll alone: after an
empty fetch it fetches again at once, where FastStream's own subscriber sleeps first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import BatchSubscriber

from hub.kafka.long_poll import LongPollBatchSubscriber, long_poll
from hub.router.service import register_router
from tests.hubkit import router_context

# Longer than any test run: a subscriber that sleeps it after an empty fetch never fetches again.
FOR_EVER_MS = 10**9
OUTBOX = "fy.court.411121.outbox"


@dataclass
class FetchesCounted:
    """An aiokafka consumer's `getmany` that counts its calls; it answers from `answers`, as the
    real one does when its long poll ends (empty: nothing arrived in time)."""

    answers: list[dict[TopicPartition, list[str]]]
    timeouts_ms: list[int] = field(default_factory=list)

    async def getmany(
        self, *, timeout_ms: int, max_records: int | None
    ) -> dict[TopicPartition, list[str]]:
        assert max_records == 5
        self.timeouts_ms.append(timeout_ms)
        return self.answers.pop(0) if self.answers else {}


def batch_subscriber(*, batch_timeout_ms: int) -> Any:
    return KafkaBroker("127.0.0.1:1").subscriber(
        OUTBOX, batch=True, batch_timeout_ms=batch_timeout_ms, max_records=5
    )


async def fetch_twice(subscriber: Any, consumer: FetchesCounted) -> asyncio.Task[Any]:
    """Two fetches, the first one empty, as FastStream's consume loop makes them; the task is
    given a few turns of the event loop (no wall-clock time) to finish."""

    async def twice() -> Any:
        assert await subscriber.get_msg(consumer) == ()
        return await subscriber.get_msg(consumer)

    task = asyncio.create_task(twice())
    for _ in range(10):
        await asyncio.sleep(0)
    return task


async def test_after_an_empty_fetch_the_next_fetch_is_made_at_once() -> None:
    first = TopicPartition(OUTBOX, 0)
    consumer = FetchesCounted([{}, {first: ["a", "b"]}])
    subscriber = long_poll(batch_subscriber(batch_timeout_ms=FOR_EVER_MS))

    task = await fetch_twice(subscriber, consumer)

    assert task.done()
    assert task.result() == ("a", "b")
    assert consumer.timeouts_ms == [FOR_EVER_MS, FOR_EVER_MS]  # both waits are long polls


async def test_faststream_s_own_subscriber_sleeps_after_an_empty_fetch() -> None:
    """Why `long_poll` exists: should FastStream stop sleeping, this fails and it can go."""
    consumer = FetchesCounted([{}, {TopicPartition(OUTBOX, 0): ["a"]}])
    subscriber = batch_subscriber(batch_timeout_ms=FOR_EVER_MS)

    task = await fetch_twice(subscriber, consumer)

    assert not task.done()
    assert len(consumer.timeouts_ms) == 1
    task.cancel()


def test_records_of_several_partitions_come_as_one_batch() -> None:
    consumer = FetchesCounted(
        [{TopicPartition(OUTBOX, 0): ["a"], TopicPartition(OUTBOX, 1): ["b", "c"]}]
    )
    subscriber = long_poll(batch_subscriber(batch_timeout_ms=10))

    assert asyncio.run(subscriber.get_msg(consumer)) == ("a", "b", "c")


def test_only_faststream_s_batch_subscriber_is_changed() -> None:
    single = KafkaBroker("127.0.0.1:1").subscriber(OUTBOX)

    with pytest.raises(TypeError, match="BatchSubscriber"):
        long_poll(single)


def test_the_router_subscribes_with_the_long_poll() -> None:
    broker = KafkaBroker("127.0.0.1:1")
    register_router(
        broker, writer=None, ctx=router_context(), outboxes=[OUTBOX], group_id="g", max_records=5
    )  # type: ignore[arg-type] - the writer is not used before the broker starts

    (subscriber,) = broker.subscribers
    assert isinstance(subscriber, LongPollBatchSubscriber)
    assert isinstance(subscriber, BatchSubscriber)
    assert type(subscriber).on_fetched is not None  # the router's pipeline hears of each fetch


def test_the_hook_hears_of_each_fetch_that_returned_records_before_they_are_handed_over() -> None:
    heard: list[str] = []
    consumer = FetchesCounted([{}, {TopicPartition(OUTBOX, 0): ["a"]}])
    subscriber = long_poll(
        batch_subscriber(batch_timeout_ms=10), on_fetched=lambda: heard.append("fetched")
    )

    assert asyncio.run(subscriber.get_msg(consumer)) == ()
    assert heard == []
    assert asyncio.run(subscriber.get_msg(consumer)) == ("a",)
    assert heard == ["fetched"]
    # another subscriber's hook is its own
    assert type(long_poll(batch_subscriber(batch_timeout_ms=10))).on_fetched is None
