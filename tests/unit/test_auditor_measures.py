"""The auditor keeps the `measures` table from the journal (`hub.auditor.measures`): a seal or
freeze answered controlled is in force, a continuation moves its end, an unfreeze ends it, a
reminder records the end reminded of; a replay changes nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.measures.book import Measure, MeasureState, measure_from_row
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, MeasureRow
from tests.fixtures.journal import COURT, Journal
from tests.fixtures.measures import (
    CONTINUATION,
    CONTINUE_DATA,
    FREEZE,
    FREEZE_DATA,
    SAMR,
    UNFREEZE,
    UNFREEZE_DATA,
    answered,
    reminded,
    routed,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.journal.reading import JournalRecord, UnreadableRecord


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    return sqlite_engine


async def apply(engine: AsyncEngine, records: Sequence[JournalRecord | UnreadableRecord]) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        await apply_journal_batch(session, list(records))


async def measures(engine: AsyncEngine) -> dict[str, Measure]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(*MeasureRow.__table__.columns))).mappings()
        return {row["event_id"]: measure_from_row(row) for row in rows}


async def test_a_freeze_request_opens_its_row_and_the_answer_puts_it_in_force(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    await apply(store, journal.records(routed(journal, FREEZE, FREEZE_DATA)))
    [row] = (await measures(store)).values()
    assert (row.court, row.unit, row.request_no, row.state) == (
        COURT,
        SAMR,
        "KZ1",
        MeasureState.REQUESTED,
    )
    assert (row.asset_kind, row.end) == ("equity", date(2027, 1, 8))
    await apply(store, journal.records(answered(journal, 10, FREEZE, "KZ1", end="2027-01-07")))
    row = (await measures(store))[FREEZE]
    assert (row.state, row.end) == (MeasureState.IN_FORCE, date(2027, 1, 7))


async def test_not_controlled_is_kept_as_such(store: AsyncEngine) -> None:
    journal = Journal()
    answer = answered(journal, 10, FREEZE, "KZ1", result="not_controlled", reason="已被轮候冻结")
    await apply(store, journal.records(routed(journal, FREEZE, FREEZE_DATA), answer))
    assert (await measures(store))[FREEZE].state is MeasureState.NOT_CONTROLLED


async def test_a_continuation_moves_the_end_and_a_reminder_records_the_end_reminded_of(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    await apply(
        store,
        journal.records(
            routed(journal, FREEZE, FREEZE_DATA),
            answered(journal, 10, FREEZE, "KZ1"),
            reminded(date(2027, 1, 8)),
        ),
    )
    assert (await measures(store))[FREEZE].reminded_for_end == date(2027, 1, 8)
    await apply(
        store,
        journal.records(
            routed(journal, CONTINUATION, CONTINUE_DATA),
            answered(journal, 11, CONTINUATION, "KZ2"),
        ),
    )
    rows = await measures(store)
    assert (rows[FREEZE].state, rows[FREEZE].end) == (MeasureState.IN_FORCE, date(2027, 6, 30))
    assert rows[FREEZE].reminded_for_end == date(2027, 1, 8)
    assert rows[CONTINUATION].state is MeasureState.APPLIED
    async with engine_session(store) as session:
        kinds = (await session.execute(select(AuditLogRow.kind, AuditLogRow.unit))).all()
    assert ("measure.reminded", COURT) in [tuple(k) for k in kinds]


async def test_an_unfreeze_of_a_continuation_releases_the_measure_first_imposed(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    await apply(
        store,
        journal.records(
            routed(journal, FREEZE, FREEZE_DATA),
            answered(journal, 10, FREEZE, "KZ1"),
            routed(journal, CONTINUATION, CONTINUE_DATA),
            answered(journal, 11, CONTINUATION, "KZ2"),
            routed(journal, UNFREEZE, UNFREEZE_DATA),
            answered(journal, 12, UNFREEZE, "KZ3"),
        ),
    )
    rows = await measures(store)
    assert rows[FREEZE].state is MeasureState.RELEASED
    assert rows[UNFREEZE].state is MeasureState.APPLIED


async def test_applying_the_journal_again_changes_nothing(store: AsyncEngine) -> None:
    journal = Journal()
    records = journal.records(
        routed(journal, FREEZE, FREEZE_DATA),
        answered(journal, 10, FREEZE, "KZ1"),
        reminded(date(2027, 1, 8)),
        routed(journal, CONTINUATION, CONTINUE_DATA),
        answered(journal, 11, CONTINUATION, "KZ2"),
    )
    await apply(store, records)
    before = await measures(store)
    await apply(store, records)
    assert await measures(store) == before


def engine_session(engine: AsyncEngine) -> Any:
    return async_sessionmaker(engine)()
