"""Before the router consumes: the events it routed within the freshness window, from the journal.

The journal holds an `event.routed` or `answer.routed` entry for every event the router routed,
with the event as received and its outbox position: exactly what `hub.router.seen` remembers. At
start the router reads the journal (with its own access, joining no group and committing nothing)
from the first record written since `now − max_age − max_ahead` up to the end offsets found then,
and remembers each routed event whose `time` is still within the window. An event routed earlier
had a `time` older than the window's start (it was accepted at most `max_ahead` before it), so a
replay of it is refused as `stale` without being looked up.

Only the router writes routed entries and it recalls before it consumes, so nothing routed is
missed between the recall and the first batch. Several routers in one group each recall the
whole journal, but each remembers live only what it routes itself: a replay on a partition another
router holds is refused there only after that router's next start (docs/security.md). The
journal is trusted as far as the broker's ACLs go (only the hub's services write it): a record
written past them could make the router refuse an event as a duplicate, never route one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, TypeGuard

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hub.journal.entries import AnswerRouted, EventRouted
from hub.router.seen import Sighting
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from collections.abc import Callable

    from hub.kafka.access import KafkaAccess
    from hub.router.freshness import FreshnessWindow
    from hub.router.seen import SeenEvents

log = logging.getLogger(__name__)

STALL_TIMEOUT_S: Final = 60.0
METADATA_WAIT_S: Final = 30.0
_ROUTED: Final = frozenset(
    entry.model_fields["kind"].default for entry in (EventRouted, AnswerRouted)
)


class RecallError(Exception):
    """The journal cannot be read: the router must not route without knowing what it routed."""


def sighting_of(value: bytes | None) -> Sighting | None:
    """The event a journal record says was routed; None for any other (or unreadable) entry.

    Read as plain JSON, not through the journal's models: a router start may read a whole
    window of the journal, and only five fields of each entry matter here."""
    try:
        entry = json.loads(value or b"")
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("kind") not in _ROUTED:
        return None
    event, position = entry.get("event"), entry.get("position")
    if not isinstance(event, dict) or not isinstance(position, dict):
        return None
    source, event_id, at = event.get("source"), event.get("id"), _time(event.get("time"))
    topic, partition, offset = (position.get(name) for name in ("topic", "partition", "offset"))
    if not (
        isinstance(source, str)
        and isinstance(event_id, str)
        and at is not None
        and isinstance(topic, str)
        and _is_int(partition)
        and _is_int(offset)
    ):
        return None
    return Sighting(source, event_id, at, topic, partition, offset)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class JournalRecall:
    """Fills `seen` from the journal (see the module docstring); built by the composition root."""

    access: KafkaAccess
    window: FreshnessWindow
    seen: SeenEvents
    clock: Callable[[], datetime]
    topic: str = JOURNAL_TOPIC
    batch_size: int = 2000

    async def run(self) -> int:
        """Read the journal's window into `seen`; how many events it remembered."""
        now = self.clock()
        since = self.window.oldest(now) - self.window.max_ahead
        partitions = await self._partitions()
        consumer = AIOKafkaConsumer(
            **self.access.client_options(),
            group_id=None,
            enable_auto_commit=False,
            client_id="fyhub-router-recall",
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
            # Kafka reads a negative timestamp as "latest" or "earliest": never send one.
            since_ms = max(0, int(since.timestamp() * 1000))
            starts = await consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
            for tp in partitions:
                found = starts.get(tp)
                consumer.seek(tp, ends[tp] if found is None else found.offset)
            read = await self._remember_until(consumer, ends, self.window.oldest(now))
        finally:
            await consumer.stop()
        log.info(
            "router: %d events routed since %s recalled from %d journal records",
            len(self.seen),
            since.isoformat(),
            read,
        )
        return len(self.seen)

    async def _partitions(self) -> list[TopicPartition]:
        # A topic just created shows only once its partitions have leaders: wait a little.
        admin = AIOKafkaAdminClient(**self.access.client_options(), client_id="fyhub-router-recall")
        await admin.start()
        try:
            waited_since = time.monotonic()
            while not (numbers := await _partitions_of(admin, self.topic)):
                if time.monotonic() - waited_since > METADATA_WAIT_S:
                    raise RecallError(
                        f"the broker at {self.access.bootstrap} shows no topic {self.topic} to "
                        "this principal: create the hub's topics (`fyhub topics apply`) or grant "
                        "it DESCRIBE and READ"
                    )
                await asyncio.sleep(0.5)
        finally:
            await admin.close()
        return [TopicPartition(self.topic, n) for n in numbers]

    async def _remember_until(
        self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], oldest: datetime
    ) -> int:
        read = 0
        for tp in sorted(ends, key=lambda tp: tp.partition):
            progress_at = time.monotonic()
            while await consumer.position(tp) < ends[tp]:
                fetched = await consumer.getmany(tp, timeout_ms=1000, max_records=self.batch_size)
                batch = [r for r in fetched.get(tp, []) if r.offset < ends[tp]]
                for record in batch:
                    sighting = sighting_of(record.value)
                    if sighting is not None and sighting.time >= oldest:
                        self.seen.remember(sighting)
                read += len(batch)
                if batch:
                    progress_at = time.monotonic()
                elif time.monotonic() - progress_at > STALL_TIMEOUT_S:
                    raise RecallError(
                        f"{tp.topic}:{tp.partition}: no records for {STALL_TIMEOUT_S:.0f} s"
                    )
        return read


async def _partitions_of(admin: AIOKafkaAdminClient, topic: str) -> list[int]:
    (description,) = await admin.describe_topics([topic])
    if description["error_code"] != 0:
        return []
    return sorted(p["partition"] for p in description["partitions"])


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None
