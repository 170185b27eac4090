"""The relay: moves outbox rows to the unit's outbox topic, in order per subject.

Ordering rule: at most one row per subject is unacknowledged at any time. Each round takes, for
up to `batch_subjects` subjects, the oldest unsent row, sends them all at once and waits for the
broker's acknowledgements; rows it acknowledged are marked sent, and the next row of a subject is
sent only in a later round. A failed send therefore can never be overtaken by a later event of the
same case, whatever the producer does on its retries, while different cases still go in parallel.

When a round fails (Kafka unreachable, the producer not started yet), the relay waits with
exponential backoff, capped, and tries again; rows stay in SQLite meanwhile, across restarts.
Kafka may still get a row twice (acknowledgement lost, then resent): the router and the
recipients' connectors deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.sdk.dispatch import describe
from schemas.envelope import CONTENT_TYPE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from connectors.sdk.backoff import Backoff
    from connectors.sdk.inbox import ConnectorStats
    from connectors.sdk.outgoing import OutboxRecord
    from connectors.sdk.state import LocalState

log = logging.getLogger(__name__)

_HEADERS = [("content-type", CONTENT_TYPE.encode())]
_MAX_REQUEST_BYTES = 2 * 1_048_576
_STOP_TIMEOUT_S = 10.0
"""A 1 MiB event (the hub's limit) plus Kafka's framing."""


class RecordSender(Protocol):
    """Where the relay sends records; `send` returns once the broker acknowledged the record."""

    async def connect(self) -> None:
        """Be ready to send, or raise; called before each round."""

    async def send(self, record: OutboxRecord) -> None: ...

    async def close(self) -> None: ...


class KafkaSender:
    """An idempotent `acks=all` aiokafka producer, started on first use (and again after a
    failed start), so a connector can start while Kafka is unreachable.

    A failed send drops the producer: it had numbered the lost record already, so every later
    record to that partition would be refused `OutOfOrderSequenceNumber` for ever; the next round
    starts a new producer, with a new producer id and sequence."""

    def __init__(self, topic: str, bootstrap: str, options: Mapping[str, Any]) -> None:
        self._topic = topic
        self._config = {
            "bootstrap_servers": bootstrap,
            "acks": "all",
            "enable_idempotence": True,
            "max_request_size": _MAX_REQUEST_BYTES,
            "linger_ms": 5,
            **options,
        }
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def connect(self) -> None:
        await self._started()

    async def send(self, record: OutboxRecord) -> None:
        producer = await self._started()
        key = record.subject.encode()
        try:
            await producer.send_and_wait(self._topic, record.value, key=key, headers=_HEADERS)
        except Exception:
            await self._drop(producer)
            raise

    async def _drop(self, producer: AIOKafkaProducer) -> None:
        async with self._starting:
            mine = self._producer is producer  # else another send of the round dropped it
            if mine:
                self._producer = None
        if mine:
            # the round's other records are the relay's to send again; their outcome is not awaited
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), _STOP_TIMEOUT_S)

    async def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def _started(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(**self._config)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer


class Relay:
    """Sends the outbox (see the module docstring); `run` until cancelled."""

    def __init__(
        self,
        *,
        state: LocalState,
        sender: RecordSender,
        backoff: Backoff,
        stats: ConnectorStats,
        batch_subjects: int = 200,
        poll_s: float = 1.0,
    ) -> None:
        self._state = state
        self._sender = sender
        self._backoff = backoff
        self._stats = stats
        self._batch_subjects = batch_subjects
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self._finishing = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def notify(self) -> None:
        """New rows are queued: start a round now. Safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def finish(self) -> None:
        """Return from `run` after the round in flight, so that what Kafka acknowledged is
        marked sent (and not sent again by the next start)."""
        self._finishing.set()
        self._wake.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        failures = 0
        while not self._finishing.is_set():
            self._wake.clear()
            try:
                sent = await self.send_round()
            except Exception as error:
                failures += 1
                delay = self._backoff.delay(failures)
                log.warning(
                    "outbox relay: round failed (%d in a row), next try in %.1f s: %s",
                    failures,
                    delay,
                    _cause(error),
                )
                await _waited(self._finishing, delay)
                continue
            failures = 0
            if sent == 0:
                # Rows added on another connection (Outbox.add) are found by this poll.
                await _waited(self._wake, self._poll_s)

    async def send_round(self) -> int:
        """Send the oldest unsent row of each subject; how many were acknowledged. Raises when
        any send failed (the acknowledged ones are marked sent all the same)."""
        rows = await self._state.unsent(self._batch_subjects)
        if not rows:
            return 0
        await self._sender.connect()
        results = await asyncio.gather(
            *(self._sender.send(row.record) for row in rows), return_exceptions=True
        )
        done = [row.seq for row, result in zip(rows, results, strict=True) if result is None]
        await self._state.mark_sent(done)
        self._stats.sent += len(done)
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise RelayRoundError(len(errors), len(rows)) from errors[0]
        return len(done)


async def _waited(event: asyncio.Event, timeout_s: float) -> None:
    """Wait until `event` is set, at most `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        pass


def _cause(error: Exception) -> str:
    # Kafka errors carry no event content, so their messages can be logged; others are described.
    cause = error.__cause__ or error
    text = str(cause) if isinstance(cause, KafkaError) else describe(cause)
    return f"{error} ({text})" if cause is not error else text


class RelayRoundError(Exception):
    """Some records of a round were not acknowledged; they stay unsent."""

    def __init__(self, failed: int, total: int) -> None:
        super().__init__(f"{failed} of {total} records not acknowledged")
