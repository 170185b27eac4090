"""The events the router has routed within the freshness window, by (source, id). Pure.

`decide` refuses an event as `duplicate` when the same (source, id) was routed from another outbox
position: a unit (or someone holding its signed bytes) published it again. The same position read
again is not a duplicate but the router's own redelivery (at-least-once: a batch written but not
committed before a crash or a failed write is read again), and is routed again exactly as the
first time, so that nothing is lost when the first writes did not all land.

Memory is bounded by the window: an event whose `time` is older than the window's start is
refused as `stale` before it is looked up, so it need not be remembered (`forget_older_than`).
After a restart the set is rebuilt from the journal (`hub.router.recall`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

EventKey = tuple[str, str]
"""An event's identity: (source, id)."""
Place = tuple[str, int, int]
"""Where an outbox record was read: topic, partition, offset."""


@dataclass(frozen=True, slots=True)
class Sighting:
    """An event routed: its identity, its `time`, and the outbox position it was read at."""

    source: str
    event_id: str
    time: datetime
    topic: str
    partition: int
    offset: int

    @property
    def key(self) -> EventKey:
        return (self.source, self.event_id)

    @property
    def place(self) -> Place:
        return (self.topic, self.partition, self.offset)


@dataclass
class SeenEvents:
    """Each routed event's first position and `time`, with the times in a heap for eviction."""

    _first: dict[EventKey, tuple[Place, datetime]] = field(default_factory=dict)
    _by_time: list[tuple[datetime, EventKey]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self._first)

    def first_place(self, source: str, event_id: str) -> Place | None:
        """Where the event was first routed from; None when it was not (in the window)."""
        known = self._first.get((source, event_id))
        return None if known is None else known[0]

    def routed_elsewhere(self, sighting: Sighting) -> Place | None:
        """The earlier position of an event routed before from another position; None when it
        is new or this is that very position read again."""
        place = self.first_place(sighting.source, sighting.event_id)
        return place if place is not None and place != sighting.place else None

    def remember(self, sighting: Sighting) -> None:
        """Note a routed event; the first position routed is the one kept."""
        if sighting.key in self._first:
            return
        self._first[sighting.key] = (sighting.place, sighting.time)
        heapq.heappush(self._by_time, (sighting.time, sighting.key))

    def forget_older_than(self, oldest: datetime) -> int:
        """Drop the events whose `time` is before `oldest`; how many were dropped."""
        dropped = 0
        while self._by_time and self._by_time[0][0] < oldest:
            _, key = heapq.heappop(self._by_time)
            del self._first[key]
            dropped += 1
        return dropped
