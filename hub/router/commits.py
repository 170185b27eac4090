"""Which outbox offsets the router may commit while batches are written side by side.

The router decides the next batch while the previous one's writes are still being acknowledged
(`hub.router.pipeline`). A batch's offsets may then be committed only once its own writes and
those of every batch read before it are acknowledged: `written` hands out, in reading order,
the offsets that have become safe. A failed write means the batch and everything read after it
is read again: `failed` says where to rewind each partition, and the batches read after it are
abandoned (their writes may still land: recipients dedupe by id; they are never committed).

After a rewind the consumer may still hand over a batch it fetched before the rewind: its records
lie past the rewound position. aiokafka's `seek` drops what it had buffered for the partition, so
a fetch that returns after the rewind holds only records from the rewound position on; a batch is
therefore told apart by when it was fetched, not by its offsets. Each rewind starts a new `epoch`;
the caller notes the epoch at each fetch (`hub.router.pipeline`), and `open` refuses a batch
fetched before a later rewind of one of its partitions as `Stale`, with the rewind its other
partitions need (its records are dropped, so they are read again too). Offsets are never expected
exactly: a rewound record the broker no longer holds (retention) or a transaction marker's gap
cannot make every later batch look stale.

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
    _epoch: int = 0
    """Rewinds so far."""
    _rewound: dict[Partition, int] = field(default_factory=dict)
    """The epoch of each partition's latest rewind."""

    @property
    def epoch(self) -> int:
        """To be noted when a fetch returns, and given to `open` with what it fetched."""
        return self._epoch

    @property
    def has_room(self) -> bool:
        return len(self._unsettled) < self.depth

    @property
    def idle(self) -> bool:
        """No write is unsettled (every batch read is committed, or given up for re-reading)."""
        return not self._unsettled

    def open(self, read: Positions, fetched_at: int) -> InFlight | Stale:
        """The batch just read (fetched at epoch `fetched_at`), to be written; or `Stale` if
        one of its partitions was rewound after it was fetched."""
        behind = {p for p in read.first if self._rewound.get(p, -1) > fetched_at}
        if behind:
            # its other partitions must be rewound now, since its records are dropped; those
            # rewound after the fetch are already where they must be read again from
            rewind = {p: first for p, first in read.first.items() if p not in behind}
            self._mark(rewind)
            return Stale(rewind)
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
        self._mark(rewind)
        return rewind

    def forget(self, partitions: Iterable[Partition]) -> None:
        """Partitions taken away by a rebalance: the consumer dropped what it had fetched of
        them, so their rewinds need not be remembered."""
        for p in partitions:
            self._rewound.pop(p, None)

    def _mark(self, rewind: dict[Partition, int]) -> None:
        if rewind:
            self._epoch += 1
            self._rewound.update(dict.fromkeys(rewind, self._epoch))

    @staticmethod
    def _abandon(batch: InFlight, rewind: dict[Partition, int]) -> None:
        batch.abandoned = True
        for p, first in batch.positions.first.items():
            rewind[p] = min(rewind.get(p, first), first)
