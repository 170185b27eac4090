"""Journal entries the store cannot hold, on real SQLite and PostgreSQL: each becomes an
`unreadable_entries` row and is skipped, the entries after it are applied, and a store that is
only passingly unavailable still gets the batch retried (issue 9)."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.failures import is_transient, reason
from hub.auditor.service import write_batch
from hub.journal.reading import JournalRecord, UnreadableRecord
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, EventRow, RejectionRow, UnreadableEntryRow
from hub.supervision.text import show_time
from tests.fixtures.journal import ID_NO, Journal, event_id

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

GOOD, BAD = event_id(1), event_id(2)


@pytest.fixture
async def store(store_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(store_engine)
    return store_engine


@dataclasses.dataclass
class _Raw:
    """What the auditor reads of a journal record besides its parsed entry."""

    partition: int
    offset: int
    timestamp: int
    value: bytes


def raw_of(journal: Journal, *entries: Any) -> list[_Raw]:
    start = journal.next_offset - len(entries)
    return [
        _Raw(journal.partition, start + i, 1_700_000_000_000, entry.model_dump_json().encode())
        for i, entry in enumerate(entries)
    ]


async def rows(store: AsyncEngine, model: type[Any]) -> list[Any]:
    async with async_sessionmaker(store)() as session:
        return list((await session.execute(select(model))).scalars())


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"time": "0001-01-01T00:00:00+08:00"}, "event.time: a time out of the store's range"),
        ({"time": "9999-12-31T23:59:59Z"}, "event.time: a time out of the store's range"),
        ({"subject": "（2024）豫1121执123号\x00"}, "text the store cannot hold"),
    ],
)
async def test_an_entry_the_store_cannot_hold_is_unreadable_and_the_next_one_stored(
    store: AsyncEngine, changes: dict[str, str], problem: str
) -> None:
    journal = Journal()
    poison, valid = journal.routed(BAD, **changes), journal.routed(GOOD)
    records = journal.records(poison, valid)
    assert isinstance(records[0], UnreadableRecord)

    outcome = await write_batch(async_sessionmaker(store), records, raw_of(journal, poison, valid))

    assert (outcome.applied, outcome.unreadable) == (1, 1)
    assert [row.event_id for row in await rows(store, EventRow)] == [GOOD]
    (skipped,) = await rows(store, UnreadableEntryRow)
    assert (skipped.journal_partition, skipped.journal_offset) == (0, 0)
    assert skipped.sha256 == hashlib.sha256(poison.model_dump_json().encode()).hexdigest()
    assert any(problem in text for text in skipped.problems)
    kinds = [row.kind for row in await rows(store, AuditLogRow)]
    assert "journal.unreadable" in kinds


async def test_a_refused_record_with_nul_text_is_stored_with_its_text_made_storable(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    refused = journal.rejected(eid=BAD).model_copy(
        update={"subject": "（2024）豫1121执123号\x00", "detail": "bad\x00 detail"}
    )
    outcome = await write_batch(async_sessionmaker(store), journal.records(refused))
    assert outcome.applied == 1
    (row,) = await rows(store, RejectionRow)
    assert "\x00" not in row.subject
    assert row.detail == "bad\ufffd detail"


async def test_an_entry_the_database_refuses_on_its_own_is_skipped_and_the_rest_applied(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    first, poison, last = journal.routed(event_id(3)), journal.routed(BAD), journal.routed(GOOD)
    records = journal.records(first, poison, last)
    # As an older hub's reader let it through: a time with no UTC equivalent reaches the store.
    readable = records[1]
    assert isinstance(readable, JournalRecord)
    assert readable.event is not None
    year_one = datetime.fromisoformat("0001-01-01T00:00:00+08:00")
    records[1] = dataclasses.replace(
        readable, event=dataclasses.replace(readable.event, time=year_one)
    )

    outcome = await write_batch(
        async_sessionmaker(store), records, raw_of(journal, first, poison, last)
    )

    assert (outcome.applied, outcome.unreadable) == (2, 1)
    stored = sorted(row.event_id for row in await rows(store, EventRow))
    assert stored == sorted([event_id(3), GOOD])
    (skipped,) = await rows(store, UnreadableEntryRow)
    assert skipped.journal_offset == 1
    assert skipped.problems[0].startswith("store: ")
    assert ID_NO not in " ".join(skipped.problems)

    again = await write_batch(async_sessionmaker(store), records)  # redelivered: a no-op
    assert again.already_applied == len(records)


def test_passing_failures_are_retried_and_others_are_not() -> None:
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    unique = IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert is_transient(locked)
    assert is_transient(ConnectionRefusedError())
    assert is_transient(_with_sqlstate("57P01"))  # admin shutdown
    assert is_transient(_with_sqlstate("40P01"))  # deadlock
    assert not is_transient(_with_sqlstate("22021"))  # NUL in text
    assert not is_transient(unique)
    assert not is_transient(OverflowError("date value out of range"))
    assert reason(locked) == "OperationalError: database is locked"


def _with_sqlstate(state: str) -> DBAPIError:
    class DriverError(Exception):
        sqlstate = state

    return DBAPIError("INSERT", {}, DriverError("said the server"))


def test_edge_of_calendar_times_are_shown_not_failed() -> None:
    assert show_time(datetime.fromisoformat("9999-12-31T23:59:59+00:00")) == (
        "9999-12-31T23:59:59+00:00"
    )
    assert show_time(datetime.fromisoformat("2026-03-02T01:30:00+00:00")) == "2026-03-02 09:30:00"
