"""The connector's SQLite state: outbox order per subject, persistence across a restart, the
processed-event (dedupe) table, and the outbox inside an application's own transaction."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from connectors.sdk.errors import NotStarted
from connectors.sdk.outgoing import OutboxRecord
from connectors.sdk.state import LocalState
from connectors.sdk.store import Outbox

CASE_A, CASE_B, CASE_C = "（2026）豫1121执1号", "（2026）豫1121执2号", "（2026）豫1121执3号"


def row(subject: str, n: int) -> OutboxRecord:
    return OutboxRecord(str(uuid.uuid4()), subject, "debtor.listed.v1", f"{subject}#{n}".encode())


@pytest.fixture
async def state(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = LocalState(tmp_path / "state.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


async def test_unsent_rows_come_oldest_first_and_one_per_subject(state: LocalState) -> None:
    a1, b1, a2, c1, b2 = (
        row(CASE_A, 1),
        row(CASE_B, 1),
        row(CASE_A, 2),
        row(CASE_C, 1),
        row(CASE_B, 2),
    )
    await state.add([a1, b1])
    await state.add([a2, c1, b2])
    first = await state.unsent(10)
    assert [r.record for r in first] == [a1, b1, c1]
    await state.mark_sent([first[0].seq, first[1].seq])
    second = await state.unsent(10)
    assert [r.record for r in second] == [a2, c1, b2]


async def test_the_limit_counts_subjects(state: LocalState) -> None:
    await state.add([row(CASE_A, 1), row(CASE_B, 1), row(CASE_C, 1)])
    assert [r.record.subject for r in await state.unsent(2)] == [CASE_A, CASE_B]


async def test_draining_the_outbox_yields_each_subject_in_order(state: LocalState) -> None:
    added = [row(subject, n) for n in range(5) for subject in (CASE_A, CASE_B)]
    await state.add(added)
    drained: list[OutboxRecord] = []
    while rows := await state.unsent(1):
        drained.extend(r.record for r in rows)
        await state.mark_sent([r.seq for r in rows])
    assert drained == added
    assert await state.unsent_count() == 0


async def test_unsent_rows_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    first = LocalState(path)
    await first.open()
    rows = [row(CASE_A, 1), row(CASE_A, 2), row(CASE_B, 1)]
    await first.add(rows)
    await first.mark_sent([(await first.unsent(1))[0].seq])
    await first.close()

    again = LocalState(path)
    await again.open()
    try:
        assert await again.unsent_count() == 2
        assert [r.record for r in await again.unsent(10)] == [rows[1], rows[2]]
    finally:
        await again.close()


async def test_an_event_id_is_queued_once(state: LocalState) -> None:
    record = row(CASE_A, 1)
    await state.add([record])
    await state.add([OutboxRecord(record.event_id, CASE_A, record.type, b"other bytes")])
    assert [r.record for r in await state.unsent(10)] == [record]


async def test_processed_events_are_remembered_by_source_and_id(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    event_id = str(uuid.uuid4())
    first = LocalState(path)
    await first.open()
    assert not await first.is_processed("fy:unit:court.411121", event_id)
    receipt = row(CASE_A, 1)
    await first.record_processed("fy:unit:court.411121", event_id, "debtor.listed.v1", [receipt])
    await first.close()

    again = LocalState(path)
    await again.open()
    try:
        assert await again.is_processed("fy:unit:court.411121", event_id)
        assert not await again.is_processed("fy:hub", event_id)
        assert [r.record for r in await again.unsent(10)] == [receipt]
    finally:
        await again.close()


async def test_marking_processed_twice_changes_nothing(state: LocalState) -> None:
    event_id = str(uuid.uuid4())
    await state.record_processed("fy:hub", event_id, "hub.overdue.v1", [row(CASE_A, 1)])
    with pytest.raises(sqlite3.IntegrityError):
        await state.record_processed("fy:hub", event_id, "hub.overdue.v1", [row(CASE_A, 2)])
    assert await state.unsent_count() == 1


async def test_the_outbox_joins_the_application_transaction(state: LocalState) -> None:
    outbox = Outbox(state.path, notify=lambda: None)
    kept, dropped = row(CASE_A, 1), row(CASE_A, 2)
    with sqlite3.connect(state.path) as db:
        db.execute("CREATE TABLE listings (id TEXT PRIMARY KEY)")
        db.execute("INSERT INTO listings VALUES ('SX1')")
        outbox.add(kept, connection=db)
    db.close()
    db = sqlite3.connect(state.path)
    with pytest.raises(RuntimeError):
        write_then_fail(db, outbox, dropped)
    db.close()
    assert [r.record for r in await state.unsent(10)] == [kept]


def write_then_fail(db: sqlite3.Connection, outbox: Outbox, record: OutboxRecord) -> None:
    with db:  # rolls back when the block raises
        db.execute("INSERT INTO listings VALUES ('SX2')")
        outbox.add(record, connection=db)
        raise RuntimeError("the application's own write failed")


async def test_a_closed_state_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotStarted):
        await LocalState(tmp_path / "state.sqlite3").unsent(1)
