"""Which outbox offsets the router may commit while batches are written side by side.

The router decides the next batch while the previous one's writes are still being acknowledged
(`hub.router.pipeline`). A batch's offsets may then be committed only once its own writes and
those of every batch read before it are acknowledged: `written` hands out, in reading order,
the offsets that have become safe. A failed write means the batch and everything read after it
is read again: `failed` says where to rewind each partition, and the batches read after it are
abandoned (their writes may still land: recipients dedupe by id; they are never committed).

After a rewind the consumer may still hand over a batch it fetched before the rewind: its records
lie past the rewound position. `open` tells it apart by its first offset on a rewound partition,
which for a batch fetched after the rewind is the rewound offset itself, and refuses it as
`Stale`, with the rewind its own partitions need (its records are dropped, so they are read
again too). Kafka offsets may have gaps (transaction markers), which is why nothing here expects
the next batch to start one past the last: only a rewound position is expected exactly.

Pure: no I/O, no clock. `depth` bounds the batches whose writes are unsettled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

Partition = tuple[str, int]
"""(topic, partition)."""


@dataclass(frozen=True, slots=True)
class Positions:
    """A batch's place in each of its partitions: its first offset and the one after its last."""

    first: dict[Partition, int]
    after: dict[Partition, int]


def positions(records: Iterable[tuple[str, int, int]]) -> Positions:
    """The positions of records given as (topic, partition, offset)."""
    first: dict[Partition, int] = {}
    after: dict[Partition, int] = {}
    for topic, partition, offset in records:
        key = (topic, partition)
        first[key] = min(first.get(key, offset), offset)
        after[key] = max(after.get(key, offset + 1), offset + 1)
    return Positions(first, after)


@dataclass(eq=False, slots=True)
class InFlight:
    """A batch whose writes are unsettled, or were acknowledged but wait for an earlier one."""

    positions: Positions
    written: bool = False
    abandoned: bool = False
    """An earlier batch failed: this one is read again, and never committed."""


@dataclass(frozen=True, slots=True)
class Stale:
    """A batch fetched before a rewind: drop it, and seek these partitions to these offsets."""

    rewind: dict[Partition, int]


@dataclass
class InOrderCommits:
    depth: int
    _order: deque[InFlight] = field(default_factory=deque)
    """Batches not abandoned whose offsets are not committed yet, in reading order."""
    _unsettled: set[InFlight] = field(default_factory=set)
    """Batches whose writes are neither acknowledged nor failed (abandoned ones too)."""
    _awaited: dict[Partition, int] = field(default_factory=dict)
    """Rewound partitions: the offset the next batch fetched after the rewind starts at."""

    @property
    def has_room(self) -> bool:
        return len(self._unsettled) < self.depth

    @property
    def idle(self) -> bool:
        """No write is unsettled (every batch read is committed, or given up for re-reading)."""
        return not self._unsettled

    def open(self, read: Positions) -> InFlight | Stale:
        """The batch just read, to be written; or `Stale` if it was fetched before a rewind."""
        if any(self._awaited.get(p, first) != first for p, first in read.first.items()):
            # its partitions that were not rewound, or were and are fresh in it, must be rewound
            # now, since its records are dropped
            rewind = {
                p: first for p, first in read.first.items() if self._awaited.get(p, first) == first
            }
            self._awaited.update(rewind)
            return Stale(rewind)
        for p in read.first:
            self._awaited.pop(p, None)
        batch = InFlight(read)
        self._order.append(batch)
        self._unsettled.add(batch)
        return batch

    def written(self, batch: InFlight) -> dict[Partition, int]:
        """`batch`'s writes are acknowledged: the offsets now safe to commit, maybe none."""
        self._unsettled.discard(batch)
        if batch.abandoned:
            return {}
        batch.written = True
        safe: dict[Partition, int] = {}
        while self._order and self._order[0].written:
            safe.update(self._order.popleft().positions.after)
        return safe

    def failed(self, batch: InFlight) -> dict[Partition, int]:
        """`batch`'s writes failed: where to seek each partition so that it and every batch read
        after it are read again."""
        self._unsettled.discard(batch)
        if batch.abandoned:
            return {}  # the failure that abandoned it rewound its partitions already
        rewind: dict[Partition, int] = {}
        while self._order and self._order[-1] is not batch:
            self._abandon(self._order.pop(), rewind)
        self._abandon(self._order.pop(), rewind)
        self._awaited.update(rewind)
        return rewind

    def forget(self, partitions: Iterable[Partition]) -> None:
        """Partitions taken away by a rebalance: whoever reads them next starts where the group
        committed, so no rewound offset is expected of them any more."""
        for p in partitions:
            self._awaited.pop(p, None)

    @staticmethod
    def _abandon(batch: InFlight, rewind: dict[Partition, int]) -> None:
        batch.abandoned = True
        for p, first in batch.positions.first.items():
            rewind[p] = min(rewind.get(p, first), first)
