"""Which outbox partitions the router cannot get past, and since when. Pure: times come in.

A batch whose writes fail is read again from its first records; while that keeps happening the
partitions in it make no progress. The router service marks a batch's partitions `failed` when its
writes fail and `written` when they succeed; `/healthz` reports the partitions that have been stuck
longer than a bound (`hub.observability.health.stuck_partitions_probe`), so that a record the hub
cannot get past is seen, not only retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime, timedelta

    from hub.kafka.records import InboundRecord

Partition = tuple[str, int]


@dataclass
class PartitionProgress:
    _stuck_since: dict[Partition, datetime] = field(default_factory=dict)

    def failed(self, records: Iterable[InboundRecord], at: datetime) -> None:
        """The writes of a batch holding `records` failed at `at`."""
        for record in records:
            self._stuck_since.setdefault((record.topic, record.partition), at)

    def written(self, records: Iterable[InboundRecord]) -> None:
        """A batch holding `records` was written: their partitions moved on."""
        for record in records:
            self._stuck_since.pop((record.topic, record.partition), None)

    def stuck(self, now: datetime, longer_than: timedelta) -> list[tuple[Partition, timedelta]]:
        """Partitions failing since longer than `longer_than` before `now`, longest first."""
        late = [(part, now - since) for part, since in self._stuck_since.items()]
        return sorted(
            ((part, spent) for part, spent in late if spent > longer_than),
            key=lambda item: (-item[1], item[0]),
        )
