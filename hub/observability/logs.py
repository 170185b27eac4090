"""The hub's logging: one line per record on stderr, framework chatter at DEBUG, and a warning
that repeats said once a minute with a count instead of on every occurrence.

`configure_logging` is called by the entry points that run services (`fyhub up`, `fyhub run`);
the rest are pure filters, tested on their own with the clock passed in.

- `RepeatLimiter`/`RepeatFilter`: a warning (or worse) whose message template was already let
  through from the same logger in the last `window_s` seconds is held back and counted; the
  first one after the window passes with "(N more like this in the last 60 s)". Different
  arguments (a unit, an offset) count as the same warning: it is the template that repeats.
- `DemoteFilter`: records whose message matches a pattern are lowered to DEBUG, so FastStream's
  "Consumer … assigned to partitions: (…)" (kilobytes per subscriber, once per rebalance) and
  aiokafka's assignment lists leave the operator's console.
- `MaskingFilter`: every identifier-like run in a record's message and arguments is masked
  (`schemas.identifiers.mask_identifiers`), and `MaskingFormatter` masks the whole line, a
  traceback's too: a log line never carries an ID number.
- The drivers and frameworks (`QUIET_LOGGERS`) stay at INFO or above (some at WARNING) even when
  the hub runs at DEBUG: their debug lines print fetched records, SQL statements and parameters
  and request lines, where ID numbers are.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from schemas.identifiers import mask_identifiers

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

REPEAT_WINDOW_S: Final = 60.0
FASTSTREAM_LOGGER: Final = "faststream.access.kafka"
ASSIGNMENT_LISTS: Final = re.compile(
    r"assigned to partitions|newly assigned partitions|Updated partition assignment"
)
"""FastStream's and aiokafka's per-rebalance partition lists."""
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS: Final = (
    "aiokafka",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "faststream",
    "uvicorn.access",
    "alembic",
)
"""Loggers kept at INFO or above whatever the hub's level (`_WARNING_ONLY` at WARNING)."""
_WARNING_ONLY: Final = frozenset({"aiokafka", "alembic", "sqlalchemy"})
"""aiokafka says every join and sync at INFO; SQLAlchemy logs every statement at INFO, and keeps
itself at WARNING until told otherwise (an engine's `echo`, `FYHUB_DB__ECHO`, still is)."""


@dataclass
class RepeatLimiter:
    """Which occurrences of a repeated message to let through (pure; `now` in seconds)."""

    window_s: float = REPEAT_WINDOW_S
    _opened: dict[tuple[str, ...], float] = field(default_factory=dict)
    _held: dict[tuple[str, ...], int] = field(default_factory=dict)

    def admit(self, key: tuple[str, ...], now: float) -> int | None:
        """None to hold this occurrence back; otherwise how many were held back before it."""
        opened = self._opened.get(key)
        if opened is not None and now - opened < self.window_s:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._opened[key] = now
        return self._held.pop(key, 0)


class RepeatFilter(logging.Filter):
    """Lets a repeated warning through once per window, with the count of those held back."""

    def __init__(
        self,
        limiter: RepeatLimiter | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.WARNING,
    ) -> None:
        super().__init__()
        self.limiter = limiter or RepeatLimiter()
        self.clock = clock
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level:
            return True
        key = (record.name, str(record.levelno), str(record.msg))
        held = self.limiter.admit(key, self.clock())
        if held is None:
            return False
        if held:
            window = f"{self.limiter.window_s:.0f} s"
            record.msg = f"{record.getMessage()} ({held} more like this in the last {window})"
            record.args = None
        return True


class DemoteFilter(logging.Filter):
    """Lowers records whose message matches `pattern` to DEBUG; drops them below `threshold`."""

    def __init__(self, pattern: re.Pattern[str], *, threshold: int = logging.INFO) -> None:
        super().__init__()
        self.pattern = pattern
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and self.pattern.search(str(record.msg)):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self.threshold


class MaskingFilter(logging.Filter):
    """Masks identifier-like runs in a record's message, with its arguments merged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the template
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_identifiers(message), None
        return True


class MaskingFormatter(logging.Formatter):
    """The line as `logging.Formatter` makes it, identifier-like runs masked (a traceback's
    too, whose exception messages may quote a value)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_identifiers(super().format(record))


def quiet_level(name: str, level: int) -> int:
    """The level of a driver's or framework's logger when the hub logs at `level`."""
    floor = logging.WARNING if name in _WARNING_ONLY else logging.INFO
    return max(level, floor)


def configure_logging(level: int = logging.INFO, *, stream: TextIO | None = None) -> None:
    """Install the hub's handler on the root logger, and the filters on FastStream's own logger
    (which does not propagate). Calling it again replaces what an earlier call installed."""
    repeats = RepeatFilter()
    demote = DemoteFilter(ASSIGNMENT_LISTS, threshold=level)
    masking = MaskingFilter()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(MaskingFormatter(FORMAT))
    handler.addFilter(demote)
    handler.addFilter(repeats)
    # last: the repeat filter keys on the message template, which masking merges away
    handler.addFilter(masking)
    handler.set_name("fyhub")
    root = logging.getLogger()
    for handler_before in [h for h in root.handlers if h.get_name() == "fyhub"]:
        root.removeHandler(handler_before)
    root.addHandler(handler)
    root.setLevel(level)
    # aiokafka says every join, sync and coordinator change at INFO; its warnings are enough.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet_level(name, level))
    faststream = logging.getLogger(FASTSTREAM_LOGGER)
    for filter_before in [
        f for f in faststream.filters if isinstance(f, DemoteFilter | RepeatFilter | MaskingFilter)
    ]:
        faststream.removeFilter(filter_before)
    faststream.addFilter(demote)
    faststream.addFilter(repeats)
    faststream.addFilter(masking)
