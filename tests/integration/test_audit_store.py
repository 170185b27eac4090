"""The hash-chained audit log on real SQLite and PostgreSQL: append, verify, and catch tampering."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.store.audit_chain import GENESIS, AuditEntry, BreakReason, ChainBreak
from hub.store.audit_repository import SqlAuditLog
from hub.store.migrate import upgrade_engine

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 1, 9, 30, 0, 123456, tzinfo=BEIJING)


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(minutes=n),
        kind="routed",
        event_id=f"01HQ{n:022d}",
        unit="tax.411121",
        detail={"n": n, "case_no": "（2024）豫1121执123号", "to": ["tax.411121", "nr.411121"]},
    )


@pytest.fixture
async def store(store_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(store_engine)
    return store_engine


async def append(engine: AsyncEngine, *numbers: int) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        log = SqlAuditLog(session)
        for n in numbers:
            await log.append(entry(n))


async def verify(engine: AsyncEngine) -> ChainBreak | None:
    async with async_sessionmaker(engine)() as session, session.begin():
        return await SqlAuditLog(session).verify(batch_size=2)


async def tamper(engine: AsyncEngine, *statements: str) -> None:
    async with engine.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)


async def test_appended_rows_read_back_as_written_and_verify(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3)
    await append(store, 4, 5)
    async with async_sessionmaker(store)() as session, session.begin():
        log = SqlAuditLog(session)
        rows = await log.rows()
        head = await log.head()
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert [row.entry for row in rows] == [entry(n) for n in range(1, 6)]
    assert all(row.unreadable is None for row in rows)
    assert rows[0].prev_hash == GENESIS.row_hash
    assert head == rows[-1].link
    assert await verify(store) is None


async def test_times_come_back_in_utc_to_the_microsecond(store: AsyncEngine) -> None:
    await append(store, 1)
    async with async_sessionmaker(store)() as session, session.begin():
        (row,) = await SqlAuditLog(session).rows()
    assert row.entry.at == entry(1).at
    assert row.entry.at.tzinfo is UTC
    assert row.entry.at.microsecond == 123456


async def test_personal_identifiers_are_stored_as_given(store: AsyncEngine) -> None:
    personal = AuditEntry(
        at=T0, kind="routed", event_id="e1", unit="police.411121",
        detail={"id_no": "411121199001011234", "name": "张三"},
    )  # fmt: skip
    async with async_sessionmaker(store)() as session, session.begin():
        await SqlAuditLog(session).append(personal)
    async with async_sessionmaker(store)() as session, session.begin():
        (row,) = await SqlAuditLog(session).rows()
    assert row.entry.detail == {"id_no": "411121199001011234", "name": "张三"}


async def test_an_empty_log_verifies_and_starts_at_genesis(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session, session.begin():
        assert await SqlAuditLog(session).head() == GENESIS
    assert await verify(store) is None


async def test_a_rolled_back_append_leaves_the_chain_as_it_was(store: AsyncEngine) -> None:
    await append(store, 1, 2)
    async with async_sessionmaker(store)() as session:
        await SqlAuditLog(session).append(entry(3))
        await session.rollback()
    await append(store, 3)
    async with async_sessionmaker(store)() as session, session.begin():
        rows = await SqlAuditLog(session).rows()
    assert [row.seq for row in rows] == [1, 2, 3]
    assert await verify(store) is None


async def test_concurrent_appenders_never_fork_the_chain(store: AsyncEngine) -> None:
    async def appender(first: int) -> None:
        for n in range(first, first + 8):
            await append(store, n)

    await asyncio.gather(appender(100), appender(200), appender(300))
    async with async_sessionmaker(store)() as session, session.begin():
        rows = await SqlAuditLog(session).rows()
    assert [row.seq for row in rows] == list(range(1, 25))
    assert await verify(store) is None


async def test_a_row_edited_with_sql_is_named(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3, 4, 5)
    await tamper(store, "UPDATE audit_log SET unit = 'samr.411121' WHERE seq = 3")
    assert await verify(store) == ChainBreak(
        3, BreakReason.EDITED, "the stored hash does not match the row"
    )


async def test_a_detail_edited_with_sql_is_named(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3, 4, 5)
    await tamper(store, """UPDATE audit_log SET detail = '{"n": 2}' WHERE seq = 2""")
    broken = await verify(store)
    assert broken is not None
    assert (broken.seq, broken.reason) == (2, BreakReason.EDITED)


async def test_a_detail_replaced_by_a_non_object_is_named(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3)
    await tamper(store, "UPDATE audit_log SET detail = '[1, 2]' WHERE seq = 2")
    assert await verify(store) == ChainBreak(2, BreakReason.EDITED, "detail is not a JSON object")


async def test_a_row_deleted_with_sql_is_named(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3, 4, 5)
    await tamper(store, "DELETE FROM audit_log WHERE seq = 3")
    assert await verify(store) == ChainBreak(4, BreakReason.DELETED, "seq 3 missing before seq 4")


async def test_two_rows_swapped_with_sql_are_named(store: AsyncEngine) -> None:
    await append(store, 1, 2, 3, 4, 5, 6)
    await tamper(
        store,
        "UPDATE audit_log SET seq = -2 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = -2",
    )
    assert await verify(store) == ChainBreak(
        2, BreakReason.REORDERED, "seq 2 holds the row that follows the one stored at seq 4"
    )


async def test_sqlite_garbage_in_a_time_is_named(sqlite_engine: AsyncEngine) -> None:
    # Only SQLite lets a column hold text that is not a time; PostgreSQL refuses the UPDATE.
    await upgrade_engine(sqlite_engine)
    await append(sqlite_engine, 1, 2, 3)
    await tamper(sqlite_engine, "UPDATE audit_log SET at = 'yesterday' WHERE seq = 2")
    assert await verify(sqlite_engine) == ChainBreak(
        2, BreakReason.EDITED, "time 'yesterday' is not a time"
    )
