"""The store's read side (`fyhub trace`, `fyhub overdue`) over a store the auditor wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.state import Stage
from hub.store.migrate import upgrade_engine
from hub.store.tables import DeliveryRow
from hub.supervision.reads import overdue, trace
from hub.supervision.text import overdue_lines, show_duration, trace_lines
from tests.fixtures.journal import CASE, COURT, ID_NO, NR, T0, TAX, Journal, event_id

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

E1, E2, E3, E4 = (event_id(n) for n in (1, 2, 3, 4))
RECEIPT_ID, REPLY_ID = event_id(101), event_id(102)
ESCALATED_AT = T0 + timedelta(days=2)


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """E1 to tax (receipted, then replied) and nr (silent, escalated); E2 of the same case to
    nr; E3 refused; E4 about a person, with no case."""
    await upgrade_engine(sqlite_engine)
    journal = Journal()
    records = journal.records(
        journal.routed(E1),
        journal.answer(RECEIPT_ID, E1, at=T0 + timedelta(hours=1)),
        journal.answer(REPLY_ID, E1, at=T0 + timedelta(days=1), receipt=False),
        journal.routed(E2, at=T0 + timedelta(hours=2), to=((NR, "all"),), reply_in=None),
        journal.rejected(eid=E3, at=T0 + timedelta(hours=3)),
        journal.routed(
            E4,
            subject=ID_NO,
            data={"subjects": [{"id_no": ID_NO}]},
            to=((TAX, ["name"]),),
            receipt_in=None,
            reply_in=None,
        ),
    )
    sessions = async_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        await apply_journal_batch(session, records)
        await session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.event_id == E1, DeliveryRow.recipient == NR)
            .values(receipt_overdue_at=T0 + timedelta(days=1, hours=1), escalated_at=ESCALATED_AT)
        )
    return sqlite_engine


async def test_an_event_trace_holds_its_deliveries_answers_and_timeline(
    store: AsyncEngine,
) -> None:
    async with async_sessionmaker(store)() as session:
        found = await trace(session, E1)

    assert found is not None
    assert found.case_no is None
    assert [(e.event_id, e.answers) for e in found.events] == [
        (E1, None),
        (RECEIPT_ID, E1),
        (REPLY_ID, E1),
    ]
    event = found.events[0]
    assert (event.source, event.case_no, event.received_at) == (f"fy:unit:{COURT}", CASE, T0)
    by_unit = {d.recipient: d for d in event.deliveries}
    assert (by_unit[TAX].status, by_unit[TAX].reply_event_id) == ("replied", REPLY_ID)
    assert by_unit[TAX].fields == ["case_no"]
    assert (by_unit[NR].status, by_unit[NR].escalated_at) == ("routed", ESCALATED_AT)
    kinds = [(entry.kind, entry.event_id) for entry in found.timeline]
    assert kinds[:3] == [("event.received", E1), ("event.routed", E1), ("event.routed", E1)]
    assert ("receipt.received", E1) in kinds
    assert ("reply.received", E1) in kinds
    assert ("event.received", REPLY_ID) in kinds
    assert [entry.seq for entry in found.timeline] == sorted(e.seq for e in found.timeline)


async def test_a_case_trace_covers_every_event_of_the_case_in_any_bracket_spelling(
    store: AsyncEngine,
) -> None:
    async with async_sessionmaker(store)() as session:
        found = await trace(session, "(2024)豫1121执123号")
    assert found is not None
    assert found.case_no == CASE
    assert {e.event_id for e in found.events} == {E1, E2, RECEIPT_ID, REPLY_ID}


async def test_a_refused_record_is_traced_by_its_event_id(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        found = await trace(session, E3)
    assert found is not None
    assert found.events == ()
    (rejection,) = found.rejections
    assert (rejection.code, rejection.source, rejection.field_paths) == (
        "schema_invalid",
        f"fy:unit:{TAX}",
        ["data.subjects[0].id_no"],
    )
    assert [entry.kind for entry in found.timeline] == ["record.rejected"]


async def test_an_unknown_id_traces_to_nothing(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        assert await trace(session, event_id(999)) is None


async def test_overdue_lists_each_late_stage_with_its_marks(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        late = await overdue(session, now=T0 + timedelta(days=1, hours=1))
    assert [(i.event_id, i.recipient, i.stage) for i in late] == [(E1, NR, Stage.RECEIPT)]
    (item,) = late
    assert (item.due, item.overdue_by) == (T0 + timedelta(days=1), timedelta(hours=1))
    assert (item.notified_at, item.escalated_at) == (T0 + timedelta(days=1, hours=1), ESCALATED_AT)
    assert (item.case_no, item.event_type) == (CASE, "enforcement.query.requested.v1")


async def test_overdue_leaves_out_what_is_answered_or_not_yet_due(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        assert await overdue(session, now=T0 + timedelta(hours=12)) == []
        later = await overdue(session, now=T0 + timedelta(days=4))
    # tax replied to E1; E2 asked nr for a receipt only (due T0+2h+1d); E4 owes nothing.
    assert {(i.event_id, i.recipient, i.stage) for i in later} == {
        (E1, NR, Stage.RECEIPT),
        (E1, NR, Stage.REPLY),
        (E2, NR, Stage.RECEIPT),
    }


async def test_overdue_for_one_unit(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        assert await overdue(session, now=T0 + timedelta(days=4), unit=TAX) == []
        assert len(await overdue(session, now=T0 + timedelta(days=4), unit=NR)) == 3


async def test_the_text_trace_masks_a_subject_that_is_a_person(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        found = await trace(session, E4)
    assert found is not None
    text = "\n".join(trace_lines(found))
    assert ID_NO not in text
    assert "411121********1234" in text
    assert f"→ {TAX}  closed  [name]" in text


async def test_the_text_views_name_units_states_and_lateness(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        text = "\n".join(trace_lines(await trace(session, CASE)))  # type: ignore[arg-type]
        late = overdue_lines(await overdue(session, now=T0 + timedelta(days=1, hours=1)))
    assert f"case {CASE}: 4 event(s), 0 rejection(s)" in text
    assert f"published by {COURT} at 2024-03-01 09:29:00" in text
    assert f"→ {TAX}  replied  [case_no]" in text
    assert "escalated 2024-03-03 09:30:00" in text
    assert late[0] == "1 overdue:"
    assert "receipt  due 2024-03-02 09:30:00  late 1h 0m" in late[1]
    assert overdue_lines([]) == ["nothing is overdue"]


def test_durations_read_in_days_and_hours_or_hours_and_minutes() -> None:
    assert show_duration(timedelta(days=2, hours=5, minutes=7)) == "2d 5h"
    assert show_duration(timedelta(hours=5, minutes=7, seconds=59)) == "5h 7m"
