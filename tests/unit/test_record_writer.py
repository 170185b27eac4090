"""The router's writer after a failed write: the producer, whose idempotent sequence now has a
gap, is dropped, and the caller's retry writes through a new one (`hub.kafka.writer`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import LeaderNotAvailableError, OutOfOrderSequenceNumber

from hub.kafka.access import KafkaAccess
from hub.kafka.records import Outbound
from hub.kafka.writer import RecordWriter

RECORDS = [Outbound("fy.unit.tax.411121.in", b"k", b"v1"), Outbound("fy.hub.journal", b"k", b"v2")]


class FakeProducer:
    """Acknowledges every record, or fails each with `error`; remembers what it was sent."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[tuple[str, bytes]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send(self, topic: str, value: bytes, **_: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.error is None:
            self.sent.append((topic, value))
            future.set_result(None)
        else:
            future.set_exception(self.error)
        return future


def _writer(producers: list[FakeProducer]) -> RecordWriter:
    made = iter(producers)
    return RecordWriter(
        KafkaAccess("b:9092", protocol="PLAINTEXT"),
        client_id="test",
        max_request_size=1_000_000,
        new_producer=lambda: next(made),
    )


@pytest.mark.parametrize("error", [LeaderNotAvailableError(), OutOfOrderSequenceNumber()])
async def test_a_failed_write_is_raised_and_the_retry_goes_through_a_new_producer(
    error: Exception,
) -> None:
    broken, fresh = FakeProducer(error), FakeProducer()
    writer = _writer([broken, fresh])
    await writer.start()

    with pytest.raises(type(error)):
        await writer.write_all(RECORDS)
    await writer.write_all(RECORDS)

    assert broken.stopped
    assert fresh.started
    assert fresh.sent == [("fy.unit.tax.411121.in", b"v1"), ("fy.hub.journal", b"v2")]


async def test_writes_that_succeed_keep_their_producer() -> None:
    only = FakeProducer()
    writer = _writer([only])
    await writer.start()

    await writer.write_all(RECORDS)
    await writer.write_all(RECORDS)

    assert len(only.sent) == 4
    assert not only.stopped


async def test_a_stopped_writer_does_not_come_back_after_a_failure() -> None:
    writer = _writer([FakeProducer(LeaderNotAvailableError())])
    await writer.start()
    with pytest.raises(LeaderNotAvailableError):
        await writer.write_all(RECORDS)
    await writer.stop()

    with pytest.raises(RuntimeError, match="start"):
        await writer.write_all(RECORDS)


class SlowStartingProducer(FakeProducer):
    async def start(self) -> None:
        await asyncio.sleep(0.01)  # writers waiting side by side all see no producer meanwhile
        await super().start()


async def test_writes_side_by_side_after_a_failure_share_one_new_producer() -> None:
    # The tracker awaits its jobs' writes together: each finding the producer dropped must not
    # start one of its own (the others would be left running, never stopped).
    broken, fresh, spare = (
        FakeProducer(LeaderNotAvailableError()),
        SlowStartingProducer(),
        FakeProducer(),
    )
    writer = _writer([broken, fresh, spare])
    await writer.start()
    with pytest.raises(LeaderNotAvailableError):
        await writer.write_all(RECORDS)

    await asyncio.gather(*(writer.write_all(RECORDS) for _ in range(3)))

    assert fresh.started
    assert len(fresh.sent) == 6
    assert not spare.started
