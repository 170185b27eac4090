"""The hub's log filters: a repeated warning once per window with a count, partition lists at
DEBUG (pure: records made by hand, the clock passed in), ID numbers masked, and the drivers'
debug lines kept out when the hub logs at DEBUG."""

from __future__ import annotations

import io
import logging
import sys
from typing import TYPE_CHECKING

import pytest

from hub.observability.logs import (
    ASSIGNMENT_LISTS,
    FASTSTREAM_LOGGER,
    FORMAT,
    QUIET_LOGGERS,
    DemoteFilter,
    MaskingFilter,
    MaskingFormatter,
    RepeatFilter,
    RepeatLimiter,
    configure_logging,
    quiet_level,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


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


# --- ID numbers never reach the log --------------------------------------------------------------

ID_NO = "411121199001011234"
MASKED = "411121********1234"


def test_the_masking_filter_masks_an_id_number_in_the_message_and_its_arguments() -> None:
    in_args = record("fetched subject %s for %s", ID_NO, "tax.411121", level=logging.INFO)
    in_message = record(f"statement failed for {ID_NO}", level=logging.ERROR)

    assert MaskingFilter().filter(in_args)
    assert MaskingFilter().filter(in_message)

    assert in_args.getMessage() == f"fetched subject {MASKED} for tax.411121"
    assert in_message.getMessage() == f"statement failed for {MASKED}"


def test_the_masking_filter_survives_arguments_that_do_not_fit() -> None:
    odd = record("%d rows", ID_NO, level=logging.INFO)

    assert MaskingFilter().filter(odd)

    assert ID_NO not in odd.getMessage()
    assert MASKED in odd.getMessage()


def test_event_ids_and_case_numbers_are_left_as_they_are() -> None:
    line = record("event 01HQ0000000000000000000001 of （2024）豫1121执123号", level=logging.INFO)

    MaskingFilter().filter(line)

    assert line.getMessage() == "event 01HQ0000000000000000000001 of （2024）豫1121执123号"


def test_the_formatter_masks_a_traceback_too() -> None:
    def refuse() -> None:
        raise ValueError(f"bad id_no {ID_NO}")

    try:
        refuse()
    except ValueError:
        failed = logging.LogRecord("hub", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = MaskingFormatter(FORMAT).format(failed)

    assert "ValueError: bad id_no" in line
    assert ID_NO not in line
    assert MASKED in line


@pytest.fixture
def hub_log_at_debug() -> Iterator[io.StringIO]:
    """What the hub's handler writes after `configure_logging(DEBUG)`; the logging as it was
    afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    faststream = logging.getLogger(FASTSTREAM_LOGGER)
    filters = list(faststream.filters)
    written = io.StringIO()
    configure_logging(logging.DEBUG, stream=written)
    try:
        yield written
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, before in levels.items():
            logging.getLogger(name).setLevel(before)
        faststream.filters[:] = filters


def test_at_debug_the_drivers_debug_lines_stay_out_and_id_numbers_masked(
    hub_log_at_debug: io.StringIO,
) -> None:
    logging.getLogger("aiokafka.consumer.fetcher").debug("fetched record subject=%s", ID_NO)
    logging.getLogger("aiosqlite").debug("executing %r with (%r,)", "SELECT ?", ID_NO)
    logging.getLogger("sqlalchemy.engine.Engine").debug("[parameters] (%r,)", ID_NO)
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT events.subject FROM events")
    logging.getLogger("asyncpg").debug("bind %s", ID_NO)
    logging.getLogger("uvicorn.access").debug("GET /trace?q=%s", ID_NO)
    logging.getLogger("hub.router").debug("routing the subject %s", ID_NO)
    logging.getLogger("aiosqlite").info("connection for %s closed", ID_NO)

    shown = hub_log_at_debug.getvalue()

    assert ID_NO not in shown
    assert "fetched record" not in shown
    assert "executing" not in shown
    assert "[parameters]" not in shown
    assert "SELECT" not in shown
    assert "bind" not in shown
    assert "GET /trace" not in shown
    # the hub's own debug lines and the drivers' INFO lines are there, masked
    assert f"DEBUG hub.router: routing the subject {MASKED}" in shown
    assert f"INFO aiosqlite: connection for {MASKED} closed" in shown


def test_every_quiet_logger_stays_at_info_or_above_when_the_hub_logs_at_debug() -> None:
    assert {name: quiet_level(name, logging.DEBUG) for name in QUIET_LOGGERS} == {
        "aiokafka": logging.WARNING,
        "aiosqlite": logging.INFO,
        "asyncpg": logging.INFO,
        "sqlalchemy": logging.WARNING,
        "faststream": logging.INFO,
        "uvicorn.access": logging.INFO,
        "alembic": logging.WARNING,
    }
    assert quiet_level("aiosqlite", logging.ERROR) == logging.ERROR
