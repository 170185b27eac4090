"""The numbers behind the metrics: what the router did with a record, what is overdue, how long
units took to answer, and how far the auditor is behind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.deliveries.state import Delivery, DeliveryKey, Stage
from hub.journal.reading import UnreadableRecord
from hub.kafka.records import InboundRecord
from hub.observability.outcomes import (
    Answer,
    AnswerTiming,
    JournalMarks,
    RecordOutcome,
    StoredAnswers,
    answer_timings,
    answers,
    overdue_counts,
    partition_lags,
    record_outcome,
)
from hub.router.decide import decide
from schemas.units import inbox_topic, outbox_topic
from tests.fixtures.journal import COURT, NR, T0, TAX, Journal, event_id
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
JOINT_PUNISHMENT = ("justice", "nr", "pboc", "police", "samr", "tax")


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def inbound(value: bytes | dict[str, Any], *, unit: str = COURT, offset: int = 1) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
    return InboundRecord(outbox_topic(unit), 0, offset, b"key", raw)


def outcome_of(ctx: Any, record: InboundRecord) -> RecordOutcome:
    return record_outcome(record, decide(record, ctx, NOW))


def test_a_routed_event_counts_one_copy_per_recipient(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    outcome = outcome_of(ctx, inbound(listing))
    assert outcome.source == COURT
    assert outcome.type == "debtor.listed.v1"
    assert sorted(outcome.recipients) == [f"{dept}.411121" for dept in JOINT_PUNISHMENT]
    assert (outcome.rejected, outcome.dead_letters) == (None, ())


def test_a_receipt_is_counted_as_routed_back_to_the_original_sender(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    delivered = decide(inbound(listing), ctx, NOW)
    (copy,) = [out for out in delivered if out.topic == inbox_topic(TAX)]
    receipt = fresh_id(corpus_event("hub.receipt.v1")) | {
        "source": f"fy:unit:{TAX}",
        "correlationid": listing["id"],
        "hubdelivery": json.loads(copy.value)["hubdelivery"],
    }
    outcome = outcome_of(ctx, inbound(signed_by(receipt, TAX), unit=TAX))
    assert outcome == RecordOutcome(TAX, "hub.receipt.v1", (COURT,))


def test_a_record_refused_unread_has_an_unknown_type_and_one_dead_letter(ctx: Any) -> None:
    outcome = outcome_of(ctx, inbound(b"\x00 not json"))
    assert outcome == RecordOutcome(COURT, "unknown", (), "malformed", ("malformed",))


def test_a_record_refused_after_parsing_keeps_its_type(ctx: Any) -> None:
    listing = fresh_id(corpus_event("debtor.listed.v1"))  # unsigned
    outcome = outcome_of(ctx, inbound(listing))
    assert outcome == RecordOutcome(
        COURT, "debtor.listed.v1", (), "bad_signature", ("bad_signature",)
    )


def test_a_record_on_a_foreign_unit_s_outbox_is_counted_against_that_unit(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    outcome = outcome_of(ctx, inbound(listing, unit=TAX))
    assert (outcome.source, outcome.rejected) == (TAX, "source_mismatch")


def delivery(recipient: str, **times: Any) -> Delivery:
    values: dict[str, Any] = {
        "event_source": f"fy:unit:{COURT}",
        "event_id": event_id(len(recipient)),
        "recipient": recipient,
        "event_type": "debtor.listed.v1",
        "subject": "case",
        "routed_at": T0,
        "receipt_due": T0 + timedelta(days=1),
        "reply_due": T0 + timedelta(days=15),
    }
    return Delivery(**(values | times))


def test_overdue_counts_each_stage_past_due_per_recipient() -> None:
    deliveries = [
        delivery(TAX),  # receipt late
        delivery(TAX, receipt_at=T0 + timedelta(hours=1)),  # received in time, reply not due
        delivery(NR, reply_due=T0 + timedelta(days=2)),  # both late
        delivery(COURT, receipt_at=T0, reply_due=None),  # nothing owed
    ]
    counts = overdue_counts(deliveries, T0 + timedelta(days=3))
    assert counts == {(TAX, "receipt"): 1, (NR, "receipt"): 1, (NR, "reply"): 1}
    assert overdue_counts(deliveries, T0 + timedelta(hours=2)) == {}


KEY = DeliveryKey(f"fy:unit:{COURT}", event_id(1), TAX)
ROUTED = T0
RECEIPT_AT = T0 + timedelta(hours=2)
REPLY_AT = T0 + timedelta(days=2)


def stored(**answered: Any) -> StoredAnswers:
    values: dict[str, Any] = {
        "event_type": "enforcement.query.requested.v1",
        "routed_at": ROUTED,
        "receipt_at": None,
        "replied_at": None,
        "reply_event_id": None,
    }
    return StoredAnswers(**(values | answered))


def test_a_receipt_that_took_effect_is_timed_from_routing() -> None:
    timings = answer_timings([Answer(KEY, RECEIPT_AT, None)], {KEY: stored(receipt_at=RECEIPT_AT)})
    assert timings == [AnswerTiming(Stage.RECEIPT, "enforcement.query.requested.v1", TAX, 7200.0)]


def test_a_second_receipt_is_not_timed_again() -> None:
    later = RECEIPT_AT + timedelta(hours=1)
    assert answer_timings([Answer(KEY, later, None)], {KEY: stored(receipt_at=RECEIPT_AT)}) == []


def test_a_reply_without_a_receipt_times_both_stages() -> None:
    row = stored(receipt_at=REPLY_AT, replied_at=REPLY_AT, reply_event_id="r1")
    timings = answer_timings([Answer(KEY, REPLY_AT, "r1")], {KEY: row})
    assert [(t.stage, t.seconds) for t in timings] == [
        (Stage.RECEIPT, 172800.0),
        (Stage.REPLY, 172800.0),
    ]


def test_a_second_different_reply_is_not_timed() -> None:
    row = stored(receipt_at=RECEIPT_AT, replied_at=REPLY_AT, reply_event_id="r1")
    later = REPLY_AT + timedelta(days=1)
    assert answer_timings([Answer(KEY, later, "r2")], {KEY: row}) == []


def test_an_answer_to_a_delivery_the_store_lacks_is_not_timed() -> None:
    assert answer_timings([Answer(KEY, RECEIPT_AT, None)], {}) == []


def test_answers_are_the_receipts_and_replies_among_journal_records() -> None:
    journal = Journal()
    entries = [
        journal.routed(event_id(1)),
        journal.answer(event_id(2), event_id(1), at=RECEIPT_AT),
        journal.answer(event_id(3), event_id(1), at=REPLY_AT, receipt=False),
        journal.rejected(),
    ]
    records = [*journal.records(*entries), UnreadableRecord(0, 9, T0, 3, ("(record): bad",))]
    found = answers(records)
    assert [(a.delivery.event_id, a.delivery.recipient, a.at, a.reply_id) for a in found] == [
        (event_id(1), TAX, RECEIPT_AT, None),
        (event_id(1), TAX, REPLY_AT, event_id(3)),
    ]


def test_journal_marks_let_each_offset_through_once_per_partition() -> None:
    journal = Journal()
    first = journal.records(*[journal.routed(event_id(n)) for n in range(3)])
    marks = JournalMarks()
    assert marks.unseen(first) == first
    assert marks.unseen(first) == []  # the same batch read again
    assert marks.unseen(first[1:]) == []
    other_partition = [UnreadableRecord(1, 0, T0, 1, ())]
    assert marks.unseen(other_partition) == other_partition


def test_partition_lag_is_counted_from_after_an_applied_batch() -> None:
    ends = {("j", 0): 100, ("j", 1): 50}
    positions = [("j", 0, 10), ("j", 0, 11), ("j", 1, 49)]
    lags = partition_lags(positions, lambda t, p: ends[(t, p)], applied=True)
    assert lags == {("j", 0): 88, ("j", 1): 0}


def test_partition_lag_counts_a_refused_batch_as_not_applied() -> None:
    positions = [("j", 0, 11), ("j", 0, 10)]
    assert partition_lags(positions, lambda t, p: 100, applied=False) == {("j", 0): 90}


def test_a_partition_whose_end_is_unknown_is_left_out() -> None:
    assert partition_lags([("j", 0, 1)], lambda t, p: None, applied=True) == {}
