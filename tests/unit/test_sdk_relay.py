"""The relay against a fake broker: in order per subject whatever fails, one unacknowledged row
per subject at a time, and everything sent once the broker comes back."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from connectors.sdk.backoff import Backoff
from connectors.sdk.inbox import ConnectorStats
from connectors.sdk.outgoing import OutboxRecord
from connectors.sdk.relay import Relay, RelayRoundError
from connectors.sdk.state import LocalState

SUBJECTS = ("（2026）豫1121执1号", "（2026）豫1121执2号", "（2026）豫1121执3号")


class BrokerDownError(Exception):
    pass


class FakeSender:
    """Acknowledges records, except those it is told to fail; records what it was sent."""

    def __init__(self) -> None:
        self.acknowledged: list[OutboxRecord] = []
        self.failing: set[str] = set()
        self.down = False
        self.unreachable = False
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most_in_flight = 0

    async def connect(self) -> None:
        if self.unreachable:
            raise BrokerDownError

    async def send(self, record: OutboxRecord) -> None:
        self.in_flight[record.subject] += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight[record.subject])
        try:
            await asyncio.sleep(0)
            if self.down or record.event_id in self.failing:
                raise BrokerDownError
            self.acknowledged.append(record)
        finally:
            self.in_flight[record.subject] -= 1

    async def close(self) -> None:
        pass


def rows(count: int) -> list[OutboxRecord]:
    return [
        OutboxRecord(str(uuid.uuid4()), SUBJECTS[n % 3], "debtor.listed.v1", b"%d" % n)
        for n in range(count)
    ]


def per_subject(records: list[OutboxRecord]) -> dict[str, list[str]]:
    order: dict[str, list[str]] = defaultdict(list)
    for record in records:
        order[record.subject].append(record.event_id)
    return dict(order)


@pytest.fixture
async def state(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = LocalState(tmp_path / "state.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


def relay(state: LocalState, sender: FakeSender, stats: ConnectorStats | None = None) -> Relay:
    return Relay(
        state=state,
        sender=sender,
        backoff=Backoff(first_s=0.01, max_s=0.05),
        stats=stats or ConnectorStats(),
        poll_s=0.05,
    )


async def test_a_round_sends_the_oldest_row_of_each_subject(state: LocalState) -> None:
    added = rows(7)
    await state.add(added)
    sender = FakeSender()
    assert await relay(state, sender).send_round() == 3
    assert sender.acknowledged == added[:3]


async def test_a_failed_row_is_not_overtaken_by_its_subject(state: LocalState) -> None:
    added = rows(9)
    await state.add(added)
    sender = FakeSender()
    sender.failing = {added[0].event_id}
    relay_ = relay(state, sender)
    for _ in range(3):
        with pytest.raises(RelayRoundError):
            await relay_.send_round()
    assert added[0].subject not in {record.subject for record in sender.acknowledged}
    sender.failing.clear()
    while await relay_.send_round():
        pass
    assert per_subject(sender.acknowledged) == per_subject(added)


async def test_nothing_is_sent_while_the_broker_is_unreachable(state: LocalState) -> None:
    await state.add(rows(3))
    sender = FakeSender()
    sender.unreachable = True
    with pytest.raises(BrokerDownError):
        await relay(state, sender).send_round()
    assert sender.most_in_flight == 0
    assert await state.unsent_count() == 3


async def test_the_loop_backs_off_while_the_broker_is_down_and_sends_all_when_it_returns(
    state: LocalState,
) -> None:
    added = rows(20)
    await state.add(added)
    sender, stats = FakeSender(), ConnectorStats()
    sender.down = True
    task = asyncio.create_task(relay(state, sender, stats).run())
    try:
        await asyncio.sleep(0.2)
        assert sender.acknowledged == []
        sender.down = False
        async with asyncio.timeout(5):
            while await state.unsent_count():
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert per_subject(sender.acknowledged) == per_subject(added)
    assert len(sender.acknowledged) == stats.sent == 20
    assert sender.most_in_flight == 1


async def test_a_notify_starts_a_round_before_the_poll(state: LocalState) -> None:
    sender = FakeSender()
    relay_ = Relay(state=state, sender=sender, backoff=Backoff(), stats=ConnectorStats(), poll_s=60)
    task = asyncio.create_task(relay_.run())
    try:
        await asyncio.sleep(0.05)
        record = rows(1)
        await state.add(record)
        relay_.notify()
        async with asyncio.timeout(2):
            while not sender.acknowledged:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert sender.acknowledged == record


async def test_finish_ends_the_loop_after_the_round_in_flight(state: LocalState) -> None:
    sender = FakeSender()
    relay_ = relay(state, sender)
    task = asyncio.create_task(relay_.run())
    await state.add(rows(3))
    relay_.notify()
    relay_.finish()
    async with asyncio.timeout(2):
        await task  # returns by itself: not cancelled
    assert await state.unsent_count() == 3 - len(sender.acknowledged)


async def test_finish_cuts_a_backoff_short(state: LocalState) -> None:
    await state.add(rows(1))
    sender = FakeSender()
    sender.unreachable = True
    relay_ = Relay(
        state=state, sender=sender, backoff=Backoff(first_s=60, max_s=60), stats=ConnectorStats()
    )
    task = asyncio.create_task(relay_.run())
    await asyncio.sleep(0.05)
    relay_.finish()
    async with asyncio.timeout(2):
        await task
    assert await state.unsent_count() == 1
