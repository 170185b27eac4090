"""The inbox loop on a plain aiokafka consumer: read, process durably, then commit.

Auto-commit is off. Records of one partition are processed in order (`InboxProcessor.process`
returns only once its SQLite transaction is durable), and the partition's offset is committed
after the last of them. If processing itself breaks (the disk, say, not a handler: handlers are
contained by `connectors.sdk.dispatch`), the offset is committed up to the record that broke, the
consumer seeks back to it, and the loop tries again after a backoff. A commit that fails (a
rebalance took the partition) only means those records are read again, and found processed.

A plain consumer rather than FastStream's subscriber: the commit point is the SDK's own SQLite
transaction, per partition, and a unit's connector should not need a broker framework.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from connectors.sdk.dispatch import describe

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aiokafka import ConsumerRecord

    from connectors.sdk.backoff import Backoff
    from connectors.sdk.inbox import InboxProcessor

log = logging.getLogger(__name__)


class InboxConsumer:
    """Consumes one unit's inbox topic in a consumer group; `run` until cancelled."""

    def __init__(
        self,
        *,
        processor: InboxProcessor,
        topic: str,
        group_id: str,
        bootstrap: str,
        options: Mapping[str, Any],
        backoff: Backoff,
        max_records: int = 100,
    ) -> None:
        self._processor = processor
        self._topic = topic
        self._backoff = backoff
        self._max_records = max_records
        self._config = {
            "bootstrap_servers": bootstrap,
            "group_id": group_id,
            "enable_auto_commit": False,
            # A new group starts from the first copy the hub ever delivered to this unit.
            "auto_offset_reset": "earliest",
            **options,
        }

    async def run(self) -> None:
        consumer = await self._started()
        try:
            failures = 0
            while True:
                try:
                    await self._poll(consumer)
                except KafkaError as error:
                    log.warning("inbox: %s; trying again", error)
                except _ProcessingError as error:
                    cause = describe(error.__cause__ or error, stack=True)
                    # No traceback: exception messages may quote event values (names, ID numbers).
                    log.error("inbox: processing a record failed (%s); trying it again", cause)  # noqa: TRY400
                else:
                    failures = 0
                    continue
                failures += 1
                await asyncio.sleep(self._backoff.delay(failures))
        finally:
            await consumer.stop()

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        batches = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
        for partition, records in batches.items():
            await self._process(consumer, partition, records)

    async def _started(self) -> AIOKafkaConsumer:
        failures = 0
        while True:
            consumer = AIOKafkaConsumer(self._topic, **self._config)
            try:
                await consumer.start()
            except KafkaError as error:
                await consumer.stop()
                failures += 1
                delay = self._backoff.delay(failures)
                log.warning("inbox: cannot reach Kafka (%s); next try in %.1f s", error, delay)
                await asyncio.sleep(delay)
            except BaseException:
                await consumer.stop()
                raise
            else:
                return consumer

    async def _process(
        self,
        consumer: AIOKafkaConsumer,
        partition: TopicPartition,
        records: Sequence[ConsumerRecord[bytes, bytes]],
    ) -> None:
        for index, record in enumerate(records):
            try:
                await self._processor.process(record.value or b"")
            except Exception as error:
                if index:
                    await self._commit(consumer, partition, record.offset)
                consumer.seek(partition, record.offset)
                raise _ProcessingError from error
        await self._commit(consumer, partition, records[-1].offset + 1)

    async def _commit(
        self, consumer: AIOKafkaConsumer, partition: TopicPartition, next_offset: int
    ) -> None:
        try:
            await consumer.commit({partition: next_offset})
        except KafkaError as error:
            log.warning("inbox: offset commit failed (%s); those records will be read again", error)


class _ProcessingError(Exception):
    """Processing a record failed for a reason of the connector's own (not its handler)."""
