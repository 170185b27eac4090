"""Is an event recent enough to route? Pure: the event's `time`, the window and `now` in.

An authentic event recorded long ago and put on an outbox again (a replay) would be routed as if
it were new, with fresh delivery tokens and deadlines. The router therefore accepts an event only
while its `time` (signed with the rest of the event) lies within `max_age` before its `now`, and
no more than `max_ahead` after it (the clock skew between a unit's system and the hub). Within
that window the router remembers every event it routed (`hub.router.seen`), so a replay is either
stale or a duplicate; the window bounds what it must remember.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from schemas.errors import ErrorCode, Rejection

if TYPE_CHECKING:
    from datetime import datetime

DEFAULT_MAX_AGE: Final = timedelta(days=7)
DEFAULT_MAX_AHEAD: Final = timedelta(seconds=900)


@dataclass(frozen=True, slots=True)
class FreshnessWindow:
    """How far an event's `time` may lie before and after the router's `now`."""

    max_age: timedelta = DEFAULT_MAX_AGE
    max_ahead: timedelta = DEFAULT_MAX_AHEAD

    def oldest(self, now: datetime) -> datetime:
        """The earliest `time` accepted at `now`."""
        return now - self.max_age

    def latest(self, now: datetime) -> datetime:
        """The latest `time` accepted at `now`."""
        return now + self.max_ahead


def staleness(event_time: datetime, window: FreshnessWindow, now: datetime) -> Rejection | None:
    """`stale` when `event_time` lies outside `window` around `now`; None when it is fresh."""
    if event_time < window.oldest(now):
        return Rejection(
            ErrorCode.STALE,
            f"time {event_time.isoformat()} is more than {_span(window.max_age)} before the "
            f"hub's clock ({now.isoformat()}); publish a new event instead",
        )
    if event_time > window.latest(now):
        return Rejection(
            ErrorCode.STALE,
            f"time {event_time.isoformat()} is more than {_span(window.max_ahead)} after the "
            f"hub's clock ({now.isoformat()}); check the sending system's clock",
        )
    return None


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 86_400 == 0:
        return f"{seconds // 86_400} days"
    return f"{seconds} s"
