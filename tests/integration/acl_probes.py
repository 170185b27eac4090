"""What a plain Kafka client with one principal's credentials manages to do on the brokers.

Each probe tries one thing the way any client would (aiokafka's producer, consumer and admin
client) and says whether the brokers allowed or refused it; anything but an authorization error
is raised, so a probe never mistakes a broken broker for a refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hub.kafka.access import KafkaAccess

_AUTHORIZATION_FAILED = {29, 30, 31}  # topic, group, cluster
_PROBE_TIMEOUT_S = 30.0


class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"


@dataclass
class Tally:
    """Outcomes per operation, and every probe whose outcome was not the expected one."""

    counts: Counter[tuple[str, Outcome]] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def record(self, operation: str, what: str, outcome: Outcome, expected: Outcome) -> None:
        self.counts[operation, outcome] += 1
        if outcome is not expected:
            self.unexpected.append(f"{operation} {what}: {outcome}, expected {expected}")

    def total(self, outcome: Outcome) -> int:
        return sum(n for (_, seen), n in self.counts.items() if seen is outcome)

    def lines(self) -> list[str]:
        operations = sorted({operation for operation, _ in self.counts})
        return [
            f"  {operation:<22} refused {self.counts[operation, Outcome.REFUSED]:>4}"
            f"  allowed {self.counts[operation, Outcome.ALLOWED]:>3}"
            for operation in operations
        ]


class Client:
    """One principal's producer (kept open) and the consumers and admin calls of its probes."""

    def __init__(self, access: KafkaAccess) -> None:
        self.access = access
        self._producer = AIOKafkaProducer(**access.client_options(), request_timeout_ms=10_000)

    async def __aenter__(self) -> Self:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def write(self, topic: str) -> Outcome:
        try:
            await asyncio.wait_for(
                self._producer.send_and_wait(topic, b"probe", key=b"probe"), _PROBE_TIMEOUT_S
            )
        except TopicAuthorizationFailedError:
            return Outcome.REFUSED
        return Outcome.ALLOWED

    async def read(self, topic: str, group: str) -> Outcome:
        """Subscribe to `topic` in `group` (one the principal may use) and wait to be assigned."""
        return await self._consume(topic, group, TopicAuthorizationFailedError)

    async def join(self, group: str, topic: str) -> Outcome:
        """Join `group` to read `topic` (one the principal may read)."""
        return await self._consume(topic, group, GroupAuthorizationFailedError)

    async def create_topic(self) -> Outcome:
        name = f"test.{uuid.uuid4().hex[:12]}"
        async with self._admin() as admin:
            response = await admin.create_topics([NewTopic(name, 1, 1)])
        (error,) = [code for _, code, _ in response.topic_errors]
        return _outcome(error)

    async def delete_topic(self, topic: str) -> Outcome:
        async with self._admin() as admin:
            response = await admin.delete_topics([topic])
        (error,) = [code for _, code in response.topic_error_codes]
        return _outcome(error)

    async def _consume(self, topic: str, group: str, refusal: type[Exception]) -> Outcome:
        consumer = AIOKafkaConsumer(
            topic,
            **self.access.client_options(),
            group_id=group,
            enable_auto_commit=False,
            request_timeout_ms=10_000,
        )
        try:
            await consumer.start()
            async with asyncio.timeout(_PROBE_TIMEOUT_S):
                while not consumer.assignment():
                    await consumer.getmany(timeout_ms=500)
                # Assigned is not yet allowed to read: a principal that may only write (or
                # describe) a topic sees its metadata and gets partitions; its fetches are
                # what the brokers refuse. A fetch round from the start of every partition.
                await consumer.seek_to_beginning()
                for _ in range(2):
                    await consumer.getmany(timeout_ms=1000)
        except refusal:
            return Outcome.REFUSED
        finally:
            await consumer.stop()
        return Outcome.ALLOWED

    @contextlib.asynccontextmanager
    async def _admin(self) -> AsyncIterator[AIOKafkaAdminClient]:
        admin = AIOKafkaAdminClient(**self.access.client_options())
        await admin.start()
        try:
            yield admin
        finally:
            await admin.close()


def _outcome(error_code: int) -> Outcome:
    if error_code in _AUTHORIZATION_FAILED:
        return Outcome.REFUSED
    if error_code != 0:
        raise AssertionError(f"the brokers answered error {error_code}, not an authorization one")
    return Outcome.ALLOWED
