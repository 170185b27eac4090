"""The router's pipeline between its handler, the writer and the consumer: a batch is committed,
with its own offsets and in reading order, only once its writes are acknowledged; a failed write
seeks its batch and every later one back; draining waits for every write in flight.

The writer and the consumer are stand-ins that record what they are asked and acknowledge when
the test says (the glue's order of events is what is tested; the router on a real broker is
tested in tests/integration/test_router_*.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from hub.kafka.records import InboundRecord, Outbound
from hub.router.pipeline import CommitPipeline

OUTBOX = "fy.court.411121.outbox"


@dataclass
class HeldWriter:
    """`send_all` takes the records; each batch's acknowledgement waits for the test."""

    acks: list[asyncio.Future[None]] = field(default_factory=list)
    refuse_sends: bool = False

    async def send_all(self, records: list[Outbound]) -> asyncio.Future[None]:
        if self.refuse_sends:
            msg = "no producer"
            raise RuntimeError(msg)
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append(acknowledged)
        return acknowledged


@dataclass
class SeenConsumer:
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)
    seeks: list[tuple[TopicPartition, int]] = field(default_factory=list)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets)

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))


def records(*offsets: int, partition: int = 0) -> list[InboundRecord]:
    return [InboundRecord(OUTBOX, partition, offset, None, b"{}") for offset in offsets]


def pipeline(depth: int = 2) -> tuple[CommitPipeline, HeldWriter, SeenConsumer]:
    writer, consumer = HeldWriter(), SeenConsumer()
    made = CommitPipeline(writer, lambda: consumer, depth=depth)  # type: ignore[arg-type]
    return made, writer, consumer


async def turns(n: int = 10) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def route(made: CommitPipeline, read: list[InboundRecord], log: list[str]) -> None:
    batch = await made.open(read)
    assert batch is not None
    first = read[0].offset
    await made.write(
        batch,
        [],
        on_written=lambda: log.append(f"written {first}"),
        on_failed=lambda: log.append(f"failed {first}"),
    )


async def test_the_next_batch_is_handed_over_while_the_first_is_unacknowledged() -> None:
    made, writer, consumer = pipeline()
    log: list[str] = []

    await route(made, records(0, 1), log)
    await route(made, records(2, 3), log)

    assert len(writer.acks) == 2
    assert consumer.commits == []  # nothing acknowledged, nothing committed


async def test_offsets_are_committed_in_order_once_acknowledged() -> None:
    made, writer, consumer = pipeline()
    log: list[str] = []
    await route(made, records(0, 1), log)
    await route(made, records(2, 3), log)

    writer.acks[1].set_result(None)
    await turns()
    assert consumer.commits == []  # the second waits for the first

    writer.acks[0].set_result(None)
    await made.drain()
    assert consumer.commits == [{TopicPartition(OUTBOX, 0): 4}]
    assert log == ["written 2", "written 0"]


async def test_a_third_batch_waits_while_two_are_in_flight() -> None:
    made, writer, _ = pipeline(depth=2)
    log: list[str] = []
    await route(made, records(0), log)
    await route(made, records(1), log)

    third = asyncio.create_task(route(made, records(2), log))
    await turns()
    assert not third.done()

    writer.acks[0].set_result(None)
    await turns()
    assert third.done()


@dataclass
class SlowCommits(SeenConsumer):
    """A group coordinator that answers each commit when the test says."""

    answers: list[asyncio.Future[None]] = field(default_factory=list)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.answers.append(answered)
        await answered
        self.commits.append(offsets)


async def test_the_next_batch_is_opened_while_an_earlier_commit_is_on_its_way() -> None:
    writer, consumer = HeldWriter(), SlowCommits()
    made = CommitPipeline(writer, lambda: consumer, depth=1)  # type: ignore[arg-type]
    log: list[str] = []
    await route(made, records(0), log)
    second = asyncio.create_task(route(made, records(1), log))
    await turns()
    assert not second.done()  # no room: the first batch is in flight

    writer.acks[0].set_result(None)
    await turns()
    assert len(consumer.answers) == 1  # the commit is asked for, not yet answered
    assert second.done()  # a settled batch leaves room at once, before its commit returns

    writer.acks[1].set_result(None)
    await turns()
    assert len(consumer.answers) == 1  # commits go one at a time, in reading order
    consumer.answers[0].set_result(None)
    await turns()
    consumer.answers[1].set_result(None)
    await made.drain()
    assert consumer.commits == [{TopicPartition(OUTBOX, 0): 1}, {TopicPartition(OUTBOX, 0): 2}]


async def test_a_failed_write_seeks_its_batch_and_every_later_one_back() -> None:
    made, writer, consumer = pipeline()
    log: list[str] = []
    await route(made, records(0, 1), log)
    await route(made, records(2, 3), log)

    writer.acks[0].set_exception(RuntimeError("leader moved"))
    writer.acks[1].set_result(None)
    await made.drain()

    assert consumer.seeks == [(TopicPartition(OUTBOX, 0), 0)]
    assert consumer.commits == []
    assert log == ["failed 0"]  # the abandoned second batch is counted when routed again


async def test_a_batch_fetched_before_the_rewind_is_dropped() -> None:
    made, writer, _ = pipeline()
    log: list[str] = []
    await route(made, records(0, 1), log)
    made.fetched()  # the next batch came while the write was failing
    writer.acks[0].set_exception(RuntimeError("leader moved"))
    await made.drain()

    assert await made.open(records(2, 3)) is None
    made.fetched()  # fetched again, after the rewind
    assert await made.open(records(0, 1, 2, 3)) is not None


async def test_a_batch_the_writer_cannot_take_is_rewound_at_once() -> None:
    made, writer, consumer = pipeline()
    writer.refuse_sends = True
    log: list[str] = []

    await route(made, records(5, 6), log)

    assert consumer.seeks == [(TopicPartition(OUTBOX, 0), 5)]
    assert log == ["failed 5"]
    await made.drain()  # nothing left in flight


async def test_closing_waits_for_the_writes_in_flight_and_opens_no_more() -> None:
    made, writer, consumer = pipeline()
    log: list[str] = []
    await route(made, records(0, 1), log)

    closing = asyncio.create_task(made.close())
    await turns()
    assert not closing.done()
    assert await made.open(records(2)) is None

    writer.acks[0].set_result(None)
    await closing
    assert consumer.commits == [{TopicPartition(OUTBOX, 0): 2}]


def test_nothing_is_committed_through_a_consumer_that_is_gone() -> None:
    writer: Any = HeldWriter()
    made = CommitPipeline(writer, lambda: None, depth=1)

    async def run() -> None:
        await route(made, records(0), [])
        writer.acks[0].set_result(None)
        await made.drain()

    asyncio.run(run())
