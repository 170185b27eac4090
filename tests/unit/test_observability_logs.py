"""The hub's log filters: a repeated warning once per window with a count, partition lists at
DEBUG (pure: records made by hand, the clock passed in)."""

from __future__ import annotations

import logging

from hub.observability.logs import (
    ASSIGNMENT_LISTS,
    DemoteFilter,
    RepeatFilter,
    RepeatLimiter,
)


def record(
    msg: str, *args: object, level: int = logging.WARNING, name: str = "aiokafka"
) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_the_first_occurrence_passes_and_repeats_within_the_window_are_held() -> None:
    limiter = RepeatLimiter(window_s=60)
    assert limiter.admit(("k",), now=0.0) == 0
    assert limiter.admit(("k",), now=1.0) is None
    assert limiter.admit(("k",), now=59.9) is None
    assert limiter.admit(("k",), now=60.0) == 2
    assert limiter.admit(("k",), now=61.0) is None


def test_different_messages_are_limited_apart() -> None:
    limiter = RepeatLimiter(window_s=60)
    assert limiter.admit(("a",), now=0.0) == 0
    assert limiter.admit(("b",), now=0.5) == 0


def test_the_filter_says_how_many_were_held_back_whatever_their_arguments() -> None:
    now = [0.0]
    repeats = RepeatFilter(RepeatLimiter(window_s=60), clock=lambda: now[0])
    assert repeats.filter(record("debtor %s is not registered here", "A1"))
    held = [repeats.filter(record("debtor %s is not registered here", f"B{n}")) for n in range(83)]
    assert not any(held)
    now[0] = 61.0
    passed = record("debtor %s is not registered here", "C9")
    assert repeats.filter(passed)
    assert passed.getMessage() == (
        "debtor C9 is not registered here (83 more like this in the last 60 s)"
    )


def test_info_records_are_never_held() -> None:
    repeats = RepeatFilter(clock=lambda: 0.0)
    assert all(repeats.filter(record("joined", level=logging.INFO)) for _ in range(5))


def test_the_same_template_from_two_loggers_is_limited_apart() -> None:
    repeats = RepeatFilter(clock=lambda: 0.0)
    assert repeats.filter(record("Heartbeat session expired", name="a"))
    assert repeats.filter(record("Heartbeat session expired", name="b"))
    assert not repeats.filter(record("Heartbeat session expired", name="a"))


def test_partition_lists_are_lowered_to_debug_and_dropped_at_info() -> None:
    demote = DemoteFilter(ASSIGNMENT_LISTS, threshold=logging.INFO)
    listed = record(
        "Consumer fyhub-router-1 assigned to partitions: (TopicPartition(topic='x', partition=0))",
        level=logging.INFO,
        name="faststream.access.kafka",
    )
    assert not demote.filter(listed)
    assert listed.levelno == logging.DEBUG
    assert listed.levelname == "DEBUG"


def test_partition_lists_are_kept_when_the_hub_logs_at_debug() -> None:
    demote = DemoteFilter(ASSIGNMENT_LISTS, threshold=logging.DEBUG)
    assert demote.filter(record("Setting newly assigned partitions {x}", level=logging.INFO))


def test_other_records_keep_their_level() -> None:
    demote = DemoteFilter(ASSIGNMENT_LISTS, threshold=logging.INFO)
    kept = record("auditor could not write the journal batch", level=logging.ERROR)
    assert demote.filter(kept)
    assert kept.levelno == logging.ERROR
