"""The auditor's apply step on a real (temp-file SQLite) store: what each journal entry writes,
and that applying the journal again, or in other batch sizes, changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import BatchOutcome, apply_journal_batch
from hub.auditor.service import log_failed_batch
from hub.deliveries.state import Stage
from hub.journal.reading import JournalRecord, UnreadableRecord
from hub.store.audit_repository import SqlAuditLog
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import (
    AuditLogRow,
    DeliveryRow,
    EventRow,
    LiaisonChangeRow,
    ProcessedRow,
    RejectionRow,
    UnitLiaisonRow,
)
from tests.fixtures.journal import (
    CASE,
    COURT,
    ID_NO,
    NR,
    T0,
    TAX,
    Journal,
    dump_store,
    event_id,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

Records = list[JournalRecord | UnreadableRecord]
E1, E2 = event_id(1), event_id(2)
RECEIPT_ID, REPLY_ID, REPLY_ID_2 = event_id(101), event_id(102), event_id(103)


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def journal() -> Journal:
    return Journal()


async def apply(engine: AsyncEngine, records: Sequence[Any]) -> BatchOutcome:
    async with async_sessionmaker(engine)() as session, session.begin():
        return await apply_journal_batch(session, list(records))


async def delivery(engine: AsyncEngine, eid: str, recipient: str) -> DeliveryRow:
    async with async_sessionmaker(engine)() as session:
        query = select(DeliveryRow).where(
            DeliveryRow.event_id == eid, DeliveryRow.recipient == recipient
        )
        return (await session.execute(query)).scalar_one()


async def audit_kinds(engine: AsyncEngine) -> list[tuple[str, str | None, str | None]]:
    async with async_sessionmaker(engine)() as session:
        query = select(AuditLogRow.kind, AuditLogRow.event_id, AuditLogRow.unit)
        return [tuple(row) for row in await session.execute(query.order_by(AuditLogRow.seq))]


async def answer_effects(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with async_sessionmaker(engine)() as session:
        query = select(AuditLogRow.kind, AuditLogRow.detail).order_by(AuditLogRow.seq)
        rows = await session.execute(query.where(AuditLogRow.kind.like("%.received")))
        return [(kind, detail["effect"]) for kind, detail in rows if "effect" in detail]


async def chain_is_intact(engine: AsyncEngine) -> bool:
    async with async_sessionmaker(engine)() as session, session.begin():
        return await SqlAuditLog(session).verify() is None


# --- events and deliveries ------------------------------------------------------------------


async def test_a_routed_event_writes_the_event_its_deliveries_and_their_audit_rows(
    store: AsyncEngine, journal: Journal
) -> None:
    outcome = await apply(store, journal.records(journal.routed(E1)))

    assert outcome == BatchOutcome(applied=1)
    async with async_sessionmaker(store)() as session:
        event = (await session.execute(select(EventRow))).scalar_one()
    assert (event.source, event.event_id, event.case_no) == (f"fy:unit:{COURT}", E1, CASE)
    assert event.received_at == T0
    assert (event.signature, event.signing_key) == (event.envelope["sig"], "k1")
    assert event.envelope["data"]["subjects"][0]["id_no"] == ID_NO  # kept exactly as received
    assert event.duplicate_count == 0
    tax, nr = await delivery(store, E1, TAX), await delivery(store, E1, NR)
    assert (tax.fields, nr.fields) == (["case_no"], ["*"])
    assert (tax.status, tax.routed_at, tax.receipt_due) == ("routed", T0, T0 + timedelta(days=1))
    assert tax.reply_due == T0 + timedelta(days=3)
    assert await audit_kinds(store) == [
        ("event.received", E1, COURT),
        ("event.routed", E1, TAX),
        ("event.routed", E1, NR),
    ]
    assert await chain_is_intact(store)


async def test_the_audit_log_is_timed_by_the_journal_not_the_clock(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1, at=T0 - timedelta(days=400))))
    async with async_sessionmaker(store)() as session:
        times = set((await session.execute(select(AuditLogRow.at))).scalars())
    assert times == {T0 - timedelta(days=400)}


async def test_a_delivery_that_owes_nothing_is_closed_at_once(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1, receipt_in=None, reply_in=None)))
    assert (await delivery(store, E1, TAX)).status == "closed"


async def test_the_same_journal_record_applied_twice_changes_nothing(
    store: AsyncEngine, journal: Journal
) -> None:
    records = journal.records(journal.routed(E1), journal.rejected())
    await apply(store, records)
    before = await dump_store(store)

    outcome = await apply(store, records)

    assert outcome == BatchOutcome(already_applied=2)
    assert await dump_store(store) == before


async def test_a_router_redelivery_at_the_same_outbox_position_changes_nothing(
    store: AsyncEngine, journal: Journal
) -> None:
    first = journal.routed(E1)
    await apply(store, journal.records(first))
    rows_before = await dump_store(store)

    again = journal.routed(E1, at=T0 + timedelta(seconds=5), position=first.position)
    outcome = await apply(store, journal.records(again))

    assert outcome == BatchOutcome(redeliveries=1)
    after = await dump_store(store)
    assert {k: v for k, v in after.items() if k != "processed"} == {
        k: v for k, v in rows_before.items() if k != "processed"
    }
    assert len(after["processed"]) == len(rows_before["processed"]) + 1  # its journal key


async def test_a_redelivery_within_one_batch_is_applied_once(
    store: AsyncEngine, journal: Journal
) -> None:
    first = journal.routed(E1)
    outcome = await apply(
        store, journal.records(first, journal.routed(E1, position=first.position))
    )
    assert outcome == BatchOutcome(applied=1, redeliveries=1)
    assert [k for k, _, _ in await audit_kinds(store)].count("event.received") == 1


async def test_the_same_event_at_a_new_outbox_position_only_counts_a_duplicate(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    duplicate = journal.routed(E1, at=T0 + timedelta(hours=1), to=((TAX, "all"),))
    await apply(store, journal.records(duplicate))

    async with async_sessionmaker(store)() as session:
        event = (await session.execute(select(EventRow))).scalar_one()
        deliveries = (await session.execute(select(DeliveryRow))).scalars().all()
    assert (event.duplicate_count, event.received_at) == (1, T0)
    assert {(d.recipient, tuple(d.fields), d.routed_at) for d in deliveries} == {
        (TAX, ("case_no",), T0),
        (NR, ("*",), T0),
    }
    assert (await audit_kinds(store))[-1] == ("event.duplicate", E1, COURT)


async def test_duplicates_within_one_batch_are_all_counted(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1), journal.routed(E1), journal.routed(E1)))
    async with async_sessionmaker(store)() as session:
        counts = (await session.execute(select(EventRow.duplicate_count))).scalars().all()
    assert counts == [2]


# --- receipts and replies --------------------------------------------------------------------


async def test_a_receipt_then_a_reply_move_the_delivery_to_received_then_replied(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    receipt_at, reply_at = T0 + timedelta(hours=2), T0 + timedelta(days=1)

    await apply(store, journal.records(journal.answer(RECEIPT_ID, E1, at=receipt_at)))
    received = await delivery(store, E1, TAX)
    await apply(store, journal.records(journal.answer(REPLY_ID, E1, at=reply_at, receipt=False)))
    replied = await delivery(store, E1, TAX)

    assert (received.status, received.receipt_at) == ("received", receipt_at)
    assert (replied.status, replied.receipt_at, replied.replied_at) == (
        "replied",
        receipt_at,
        reply_at,
    )
    assert replied.reply_event_id == REPLY_ID
    assert (await delivery(store, E1, NR)).status == "routed"
    assert await answer_effects(store) == [
        ("receipt.received", "recorded"),
        ("reply.received", "recorded"),
    ]
    assert await chain_is_intact(store)


async def test_an_answer_is_stored_as_an_event_with_its_delivery_to_the_sender(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1), journal.answer(RECEIPT_ID, E1)))
    to_court = await delivery(store, RECEIPT_ID, COURT)
    assert (to_court.event_source, to_court.status) == (f"fy:unit:{TAX}", "closed")
    kinds = await audit_kinds(store)
    assert kinds[-3:] == [
        ("event.received", RECEIPT_ID, TAX),
        ("event.routed", RECEIPT_ID, COURT),
        ("receipt.received", E1, TAX),
    ]


async def test_a_reply_before_the_receipt_counts_as_both(
    store: AsyncEngine, journal: Journal
) -> None:
    reply_at = T0 + timedelta(hours=3)
    await apply(
        store,
        journal.records(
            journal.routed(E1),
            journal.answer(REPLY_ID, E1, at=reply_at, receipt=False),
            journal.answer(RECEIPT_ID, E1, at=reply_at + timedelta(hours=1)),
        ),
    )
    tax = await delivery(store, E1, TAX)
    assert (tax.status, tax.receipt_at, tax.replied_at) == ("replied", reply_at, reply_at)
    assert await answer_effects(store) == [
        ("reply.received", "recorded"),
        ("receipt.received", "already_received"),
    ]


async def test_a_receipt_closes_a_delivery_that_owes_no_reply(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1, reply_in=None)))
    await apply(store, journal.records(journal.answer(RECEIPT_ID, E1)))
    assert (await delivery(store, E1, TAX)).status == "closed"


async def test_a_second_reply_is_logged_and_the_first_one_stays(
    store: AsyncEngine, journal: Journal
) -> None:
    first_at = T0 + timedelta(hours=1)
    await apply(
        store,
        journal.records(
            journal.routed(E1),
            journal.answer(REPLY_ID, E1, at=first_at, receipt=False),
            journal.answer(REPLY_ID_2, E1, at=first_at + timedelta(hours=1), receipt=False),
        ),
    )
    tax = await delivery(store, E1, TAX)
    assert (tax.reply_event_id, tax.replied_at) == (REPLY_ID, first_at)
    assert (await answer_effects(store))[-1] == ("reply.received", "already_replied")


def liaison_change(old: dict[str, str] | None, new: dict[str, str]) -> dict[str, Any]:
    data = {"unit": TAX, "old": old, "new": new, "effective_on": "2024-03-04"}
    return {"type": "unit.liaison.changed.v1", "source": TAX, "subject": TAX, "data": data}


XU = {"name": "许文", "post": "法制股股长", "phone": "0395-7235325"}
SUN = {"name": "孙丽", "post": "法制股副股长", "phone": "0395-7235326"}


async def test_a_liaison_change_is_kept_in_the_history_and_per_officer(
    store: AsyncEngine, journal: Journal
) -> None:
    first = journal.routed(E1, **liaison_change(XU, SUN))
    back = journal.routed(E2, at=T0 + timedelta(days=1), **liaison_change(SUN, XU))
    await apply(store, journal.records(first))
    await apply(store, journal.records(first, back))  # the first again: applied once

    async with async_sessionmaker(store)() as session:
        history = (await session.execute(select(LiaisonChangeRow))).scalars().all()
        officers = (await session.execute(select(UnitLiaisonRow))).scalars().all()
    assert sorted((r.event_id, r.unit, r.old["name"], r.new["name"]) for r in history) == [
        (E1, TAX, "许文", "孙丽"),
        (E2, TAX, "孙丽", "许文"),
    ]
    assert {r.changed_at for r in history} == {T0, T0 + timedelta(days=1)}
    assert sorted((r.name, r.state, r.event_id) for r in officers) == [
        ("孙丽", "replaced", E2),
        ("许文", "current", E2),
    ]


def task_report(status: str) -> dict[str, Any]:
    data = {
        "task_id": "FY-2026-GOV-07",
        "status": status,
        "progress": "进展",
        "reported_on": "2024-03-02",
    }
    return {"type": "linkage.task.reported.v1", "data": data}


async def test_a_task_progress_report_keeps_the_task_open_until_it_is_reported_done(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1, type_="linkage.task.assigned.v1")))
    progress_at, done_at = T0 + timedelta(hours=2), T0 + timedelta(days=2)

    progress = journal.answer(
        REPLY_ID, E1, at=progress_at, receipt=False, **task_report("progress")
    )
    await apply(store, journal.records(progress))
    in_progress = await delivery(store, E1, TAX)
    done = journal.answer(REPLY_ID_2, E1, at=done_at, receipt=False, **task_report("done"))
    await apply(store, journal.records(done))
    replied = await delivery(store, E1, TAX)

    assert (in_progress.status, in_progress.receipt_at, in_progress.replied_at) == (
        "received",
        progress_at,
        None,
    )
    assert in_progress.reply_event_id is None
    assert (replied.status, replied.replied_at, replied.reply_event_id) == (
        "replied",
        done_at,
        REPLY_ID_2,
    )
    assert await answer_effects(store) == [
        ("reply.received", "progress"),
        ("reply.received", "recorded"),
    ]


async def test_a_reply_to_a_delivery_owing_none_counts_as_its_receipt(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1, reply_in=None)))
    await apply(store, journal.records(journal.answer(REPLY_ID, E1, receipt=False)))
    tax = await delivery(store, E1, TAX)
    assert (tax.status, tax.receipt_at, tax.reply_event_id) == ("closed", T0, None)
    assert await answer_effects(store) == [("reply.received", "reply_not_owed")]


async def test_an_answer_to_an_unknown_delivery_is_logged_only(
    store: AsyncEngine, journal: Journal
) -> None:
    outcome = await apply(store, journal.records(journal.answer(RECEIPT_ID, E2)))
    assert outcome == BatchOutcome(applied=1)
    assert await answer_effects(store) == [("receipt.received", "no_delivery")]


async def test_an_answer_leaves_the_trackers_marks_alone(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    marked = T0 + timedelta(days=2)
    async with async_sessionmaker(store)() as session, session.begin():
        await session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.recipient == TAX)
            .values(receipt_overdue_at=marked, escalated_at=marked, attempts=3)
        )
    await apply(store, journal.records(journal.answer(RECEIPT_ID, E1, at=marked)))
    tax = await delivery(store, E1, TAX)
    assert (tax.status, tax.receipt_overdue_at, tax.escalated_at, tax.attempts) == (
        "received",
        marked,
        marked,
        3,
    )


# --- rejections and unreadable records -------------------------------------------------------


async def test_a_rejection_is_stored_once_with_its_audit_row(
    store: AsyncEngine, journal: Journal
) -> None:
    first = journal.rejected(eid=E2)
    records = journal.records(first)
    await apply(store, records)
    await apply(store, records)
    await apply(store, journal.records(journal.rejected(eid=E2, position=first.position)))

    async with async_sessionmaker(store)() as session:
        rejection = (await session.execute(select(RejectionRow))).scalar_one()
    assert (rejection.code, rejection.source, rejection.event_id) == (
        "schema_invalid",
        f"fy:unit:{TAX}",
        E2,
    )
    assert rejection.field_paths == ["data.subjects[0].id_no"]
    assert await audit_kinds(store) == [("record.rejected", E2, TAX)]


async def test_a_rejected_id_too_long_for_the_store_is_not_kept(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.rejected(eid="x" * 500, sender=None)))
    async with async_sessionmaker(store)() as session:
        rejection = (await session.execute(select(RejectionRow))).scalar_one()
    assert (rejection.event_id, rejection.source) == (None, None)


async def test_an_unreadable_record_is_logged_skipped_and_not_retried(
    store: AsyncEngine, journal: Journal
) -> None:
    garbage = journal.raw(b'{"kind": "event.routed", "subject": "' + ID_NO.encode() + b'"}')
    routed = journal.records(journal.routed(E1))
    outcome = await apply(store, [garbage, *routed])
    assert outcome == BatchOutcome(applied=1, unreadable=1)
    assert await apply(store, [garbage]) == BatchOutcome(already_applied=1)

    async with async_sessionmaker(store)() as session:
        row = (
            (await session.execute(select(AuditLogRow).order_by(AuditLogRow.seq))).scalars().first()
        )
    assert row is not None
    assert (row.kind, row.detail["offset"]) == ("journal.unreadable", 0)
    assert ID_NO not in str(row.detail)
    assert "event.routed.at: missing" in row.detail["problems"]


async def test_an_event_the_store_cannot_hold_is_unreadable_not_fatal(
    store: AsyncEngine, journal: Journal
) -> None:
    (record,) = journal.records(journal.routed("x" * 65))
    assert isinstance(record, UnreadableRecord)
    assert record.problems == ("event.id: longer than 64 characters",)


# --- replays ---------------------------------------------------------------------------------


def story(journal: Journal) -> Records:
    return journal.records(
        journal.routed(E1),
        journal.rejected(eid=E2),
        journal.answer(RECEIPT_ID, E1, at=T0 + timedelta(hours=1)),
        journal.routed(E1, at=T0 + timedelta(hours=2)),
        journal.answer(REPLY_ID, E1, at=T0 + timedelta(hours=3), receipt=False),
        journal.routed(E2, at=T0 + timedelta(hours=4), to=((NR, "all"),)),
    )


async def test_replaying_in_other_batch_sizes_rebuilds_the_same_store(
    store: AsyncEngine, journal: Journal, tmp_path: Path
) -> None:
    records = story(journal)
    await apply(store, records)
    other = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        await upgrade_engine(other)
        for start in range(0, len(records), 4):
            await apply(other, records[start : start + 4])
        assert await dump_store(other) == await dump_store(store)
    finally:
        await other.dispose()


async def test_replaying_the_whole_journal_into_the_same_store_changes_nothing(
    store: AsyncEngine, journal: Journal
) -> None:
    records = story(journal)
    for record in records:
        await apply(store, [record])
    before = await dump_store(store)
    assert await apply(store, records) == BatchOutcome(already_applied=len(records))
    assert await dump_store(store) == before
    async with async_sessionmaker(store)() as session:
        keys = (await session.execute(select(ProcessedRow.consumer))).scalars().all()
    assert sorted(set(keys)) == ["auditor", "auditor.outbox"]


# --- logs --------------------------------------------------------------------------------------


def test_a_failed_batch_is_logged_without_the_statements_values(
    journal: Journal, caplog: pytest.LogCaptureFixture
) -> None:
    (record,) = journal.records(journal.routed(E1))
    params = {"envelope": f'{{"id_no": "{ID_NO}"}}'}
    cause = sqlite3.IntegrityError("UNIQUE constraint failed: events.source, events.event_id")
    error = IntegrityError("INSERT INTO events ...", params, cause)
    assert ID_NO in str(error)  # what SQLAlchemy would print

    log_failed_batch(record, error)

    assert ID_NO not in caplog.text
    assert "journal batch from 0:0 (IntegrityError: UNIQUE constraint failed" in caplog.text


# --- refused replies ----------------------------------------------------------------------------


def refused_reply(journal: Journal, answers: str, *, sender: str = TAX, at: Any = T0) -> Any:
    refused = journal.rejected(eid=event_id(201), sender=sender, at=at)
    return refused.model_copy(
        update={"type": "enforcement.query.answered.v1", "correlationid": answers}
    )


async def test_a_refused_reply_marks_the_delivery_rejected_until_a_valid_reply_arrives(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    await apply(store, journal.records(refused_reply(journal, E1, at=T0 + timedelta(hours=1))))
    assert (await delivery(store, E1, TAX)).status == "rejected"
    assert (await delivery(store, E1, NR)).status == "routed"  # the refused reply was tax's

    reply = journal.answer(REPLY_ID, E1, at=T0 + timedelta(hours=2), receipt=False)
    await apply(store, journal.records(reply))
    assert (await delivery(store, E1, TAX)).status == "replied"
    await apply(store, journal.records(refused_reply(journal, E1, at=T0 + timedelta(hours=3))))
    assert (await delivery(store, E1, TAX)).status == "replied"  # a valid reply stays
    assert await chain_is_intact(store)


async def test_a_refused_record_that_is_not_a_reply_leaves_the_delivery_alone(
    store: AsyncEngine, journal: Journal
) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    receipt = journal.rejected(eid=event_id(202)).model_copy(
        update={"type": "hub.receipt.v1", "correlationid": E1}
    )
    foreign = refused_reply(journal, E1, sender=COURT)  # not delivered to the court
    await apply(store, journal.records(receipt, foreign))
    assert (await delivery(store, E1, TAX)).status == "routed"
    async with async_sessionmaker(store)() as session:
        refused = (await session.execute(select(RejectionRow.correlation_id))).scalars().all()
    assert refused == [E1, E1]


# --- what a batch answered: the facts the auditor's metrics are handed ----------------------


def stages(outcome: BatchOutcome) -> list[tuple[str, str, Stage, timedelta]]:
    return [(a.delivery.event_id, a.recipient, a.stage, a.waited) for a in outcome.answered]


async def test_a_batch_says_which_stages_it_answered_first_and_how_long_they_took(
    store: AsyncEngine, journal: Journal
) -> None:
    assert (await apply(store, journal.records(journal.routed(E1)))).answered == ()
    receipt = journal.records(journal.answer(RECEIPT_ID, E1, at=T0 + timedelta(hours=2)))
    outcome = await apply(store, receipt)
    assert stages(outcome) == [(E1, TAX, Stage.RECEIPT, timedelta(hours=2))]
    (answered,) = outcome.answered
    assert (answered.event_type, answered.due) == (
        "enforcement.query.requested.v1",
        T0 + timedelta(days=1),
    )
    assert answered.late_by == timedelta(0)

    # The same batch read again (its offsets not committed) answers nothing.
    assert await apply(store, receipt) == BatchOutcome(already_applied=1)
    # Nor does a second receipt; the reply, two days late, answers its stage.
    later = journal.records(
        journal.answer(event_id(104), E1, at=T0 + timedelta(hours=3)),
        journal.answer(REPLY_ID, E1, at=T0 + timedelta(days=5), receipt=False),
    )
    outcome = await apply(store, later)
    assert stages(outcome) == [(E1, TAX, Stage.REPLY, timedelta(days=5))]
    assert outcome.answered[0].late_by == timedelta(days=2)


async def test_a_reply_without_a_receipt_answers_both_stages_in_the_batch_that_routed_it(
    store: AsyncEngine, journal: Journal
) -> None:
    reply_at = T0 + timedelta(hours=3)
    outcome = await apply(
        store,
        journal.records(
            journal.routed(E1),
            journal.answer(REPLY_ID, E1, at=reply_at, receipt=False),
            journal.answer(REPLY_ID_2, E1, at=reply_at + timedelta(hours=1), receipt=False),
        ),
    )
    assert stages(outcome) == [
        (E1, TAX, Stage.RECEIPT, timedelta(hours=3)),
        (E1, TAX, Stage.REPLY, timedelta(hours=3)),
    ]


async def test_a_refused_reply_answers_nothing(store: AsyncEngine, journal: Journal) -> None:
    await apply(store, journal.records(journal.routed(E1)))
    outcome = await apply(store, journal.records(refused_reply(journal, E1, at=T0)))
    assert (outcome.applied, outcome.answered) == (1, ())
