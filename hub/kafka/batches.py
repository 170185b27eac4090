"""How the hub's batch subscribers (router, auditor) take their records from FastStream: as raw
values, whatever their headers say; and what a batch tells of the consumer's progress
(`BatchRead`), so that observers are handed that fact rather than the consumer itself."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiokafka import TopicPartition

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from aiokafka import ConsumerRecord
    from faststream.message import StreamMessage

Partition = tuple[str, int]
"""(topic, partition)."""


async def parse_ignoring_headers(
    records: tuple[ConsumerRecord[Any, Any], ...],
    original: Callable[[tuple[ConsumerRecord[Any, Any], ...]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    """The batch as FastStream's message, its records as read. Only the values matter:
    FastStream's own parser decodes every record's headers as UTF-8 (failing on a raw client's
    binary header) into a dict per record, which cost the router a twentieth of its time. So it
    is shown the first record alone, its headers stripped, and the message is given the whole
    batch's values and its records as read, headers and all (`raw_values` reads the values; the
    auditor checks the hub's seal in the headers)."""
    message = await original((dataclasses.replace(records[0], headers=()),))
    message.body = [record.value or b"" for record in records]
    message.raw_message = records
    return message


async def raw_values(message: StreamMessage[Any]) -> list[bytes]:
    return [record.value or b"" for record in message.raw_message]


class ConsumerPositions(Protocol):
    """What `batch_read` asks of an aiokafka consumer."""

    def highwater(self, partition: TopicPartition) -> int | None: ...

    def assignment(self) -> set[TopicPartition]: ...


@dataclass(frozen=True, slots=True)
class PartitionRead:
    """The records a batch held from one partition, and the partition's end as known."""

    topic: str
    partition: int
    first: int
    """The offset of the batch's first record from this partition."""
    last: int
    end: int | None
    """The partition's high watermark as the consumer last heard it; None before it has."""


@dataclass(frozen=True, slots=True)
class BatchRead:
    """What one batch tells of a consumer's progress: the partitions it read from, whether it
    moves on past them (`applied`) or reads them again, and the partitions it holds now."""

    partitions: tuple[PartitionRead, ...]
    applied: bool
    assigned: frozenset[Partition]
    """After a rebalance, the partitions given to another consumer are that one's to report."""

    def lags(self) -> dict[Partition, int]:
        """Records behind the end of each partition of the batch whose end is known: after the
        batch's last record when applied, from its first when the batch is to be read again."""
        return {
            (read.topic, read.partition): max(
                read.end - (read.last + 1 if self.applied else read.first), 0
            )
            for read in self.partitions
            if read.end is not None
        }


def batch_read(
    records: Sequence[ConsumerRecord[Any, Any]], consumer: ConsumerPositions, *, applied: bool
) -> BatchRead:
    """The `BatchRead` of `records`, as read by `consumer` (which knows the partitions' ends)."""
    bounds: dict[Partition, tuple[int, int]] = {}
    for record in records:
        key = (record.topic, record.partition)
        first, last = bounds.get(key, (record.offset, record.offset))
        bounds[key] = (min(first, record.offset), max(last, record.offset))
    reads = tuple(
        PartitionRead(
            topic, partition, first, last, consumer.highwater(TopicPartition(topic, partition))
        )
        for (topic, partition), (first, last) in bounds.items()
    )
    assigned = frozenset((tp.topic, tp.partition) for tp in consumer.assignment())
    return BatchRead(reads, applied, assigned)
