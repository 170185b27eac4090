"""The dead-letter topic `fy.hub.dlq` as operations see it: read it to its end, describe each dead
letter without its payload, and put chosen ones back on the outbox they came from.

A dead letter is the raw record the router refused, untouched, with headers naming where it came
from and why (`hub.router.rejections`). Its payload may hold personal data, so nothing here
prints it, and identifier-like runs in the error detail are masked. Resending publishes the raw
bytes, with their key, to the original outbox, where the router reads them again: after a unit
fixed its connector, or the hub's routing table was fixed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from hub.kafka.publish import publish_all
from hub.kafka.records import Outbound
from hub.routing.deadlines import CHINA_TZ
from schemas.identifiers import mask_identifiers
from schemas.units import DLQ_TOPIC, outbox_topic, unit_from_outbox

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
    from faststream.kafka import KafkaBroker

    from hub.kafka.access import KafkaAccess

RESENT_FROM_HEADER: Final = "fy-resent-from"
_READ_TIMEOUT_S: Final = 60.0


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One record of `fy.hub.dlq`: where it sits there, where it came from, and why."""

    partition: int
    offset: int
    written_at: datetime
    original_topic: str
    original_position: str
    code: str
    detail: str
    key: bytes | None
    value: bytes

    @property
    def position(self) -> str:
        """How `fyhub dlq resend` names it: `partition:offset` in the dead-letter topic."""
        return f"{self.partition}:{self.offset}"


def dead_letter(record: ConsumerRecord[Any, Any]) -> DeadLetter:
    headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        written_at=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        original_topic=headers.get("fy-original-topic", "?"),
        original_position=(
            f"{headers.get('fy-original-partition', '?')}@{headers.get('fy-original-offset', '?')}"
        ),
        code=headers.get("fy-error-code", "?"),
        detail=headers.get("fy-error-detail", ""),
        key=record.key,
        value=record.value or b"",
    )


def describe(letter: DeadLetter) -> str:
    """One line for the operator; never the payload."""
    written = letter.written_at.astimezone(CHINA_TZ).isoformat(timespec="seconds")
    origin = f"{letter.original_topic}/{letter.original_position}"
    return "  ".join(
        [
            letter.position,
            written,
            origin,
            letter.code,
            f"{len(letter.value)} B",
            masked(letter.detail),
        ]
    )


def masked(text: str) -> str:
    return mask_identifiers(text)


def matching(
    letters: Iterable[DeadLetter], *, code: str | None = None, unit: str | None = None
) -> list[DeadLetter]:
    """The dead letters with error `code` that came from `unit`'s outbox (either may be None)."""
    topic = outbox_topic(unit) if unit is not None else None
    return [
        letter
        for letter in letters
        if (code is None or letter.code == code)
        and (topic is None or letter.original_topic == topic)
    ]


def at_positions(
    letters: Sequence[DeadLetter], positions: Iterable[str]
) -> tuple[list[DeadLetter], list[str]]:
    """The dead letters named by `partition:offset` (or a bare offset, when only one partition
    has it), and the names that match none or several."""
    found: list[DeadLetter] = []
    unmatched: list[str] = []
    for name in positions:
        hits = [letter for letter in letters if name in (letter.position, str(letter.offset))]
        if len(hits) == 1:
            found.append(hits[0])
        else:
            unmatched.append(name)
    return found, unmatched


def resend_record(letter: DeadLetter) -> Outbound | None:
    """The raw record back on its outbox; None when the dead letter came from no unit outbox."""
    if unit_from_outbox(letter.original_topic) is None:
        return None
    origin = f"{DLQ_TOPIC}/{letter.partition}/{letter.offset}"
    return Outbound(
        letter.original_topic, letter.key, letter.value, ((RESENT_FROM_HEADER, origin.encode()),)
    )


async def read_dead_letters(access: KafkaAccess, topic: str = DLQ_TOPIC) -> list[DeadLetter]:
    """Every dead letter from the beginning of the topic to its end as of now, oldest first."""
    from aiokafka import AIOKafkaConsumer  # noqa: PLC0415

    # Without a group the subscription gets every partition at start, read from the beginning.
    consumer = AIOKafkaConsumer(
        topic, **access.client_options(), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        if not partitions:
            raise LookupError(f"topic {topic} does not exist on {access.bootstrap}")
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[Any, Any]] = []
        async with asyncio.timeout(_READ_TIMEOUT_S):
            while await _behind(consumer, ends):
                batches = await consumer.getmany(*partitions, timeout_ms=500)
                records += [
                    r for tp, batch in batches.items() for r in batch if r.offset < ends[tp]
                ]
    finally:
        await consumer.stop()
    letters = [dead_letter(record) for record in records]
    return sorted(letters, key=lambda letter: (letter.written_at, letter.partition, letter.offset))


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return any([await consumer.position(tp) < end for tp, end in ends.items()])


async def resend(broker: KafkaBroker, letters: Sequence[DeadLetter]) -> list[DeadLetter]:
    """Publish each dead letter back to its outbox and wait for the broker's acknowledgements;
    the ones resent (dead letters from no unit outbox are left where they are)."""
    records = [(letter, resend_record(letter)) for letter in letters]
    await publish_all(broker, [record for _, record in records if record is not None])
    return [letter for letter, record in records if record is not None]
