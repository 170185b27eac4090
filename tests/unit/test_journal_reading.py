"""Reading journal records: what the store takes from an entry, and what makes one unreadable."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.deliveries.state import DeliveryKey
from hub.journal.reading import JournalRecord, UnreadableRecord, read_record
from tests.fixtures.journal import CASE, COURT, ID_NO, T0, TAX, Journal, event_id

E1 = event_id(1)


def read(entry: dict[str, Any]) -> JournalRecord | UnreadableRecord:
    return read_record(0, 7, 1_700_000_000_000, json.dumps(entry, ensure_ascii=False).encode())


def routed(**event: Any) -> dict[str, Any]:
    entry: dict[str, Any] = Journal().routed(E1, **event).model_dump(mode="json")
    return entry


def test_an_event_entry_yields_the_events_identity_and_case() -> None:
    record = read(routed())
    assert isinstance(record, JournalRecord)
    assert record.event is not None
    assert (record.event.key, record.event.unit, record.event.case_no) == (
        (f"fy:unit:{COURT}", E1),
        COURT,
        CASE,
    )
    assert (record.journal_key, record.outbox_key) == ("0:7", f"fy.unit.{COURT}.out:0:0")


@pytest.mark.parametrize(
    ("subject", "data", "case_no"),
    [
        ("(2024)豫1121执123号", {}, CASE),
        (ID_NO, {"case_no": CASE}, CASE),
        (ID_NO, {"case_no": "not a case"}, None),
        (None, {}, None),
    ],
    ids=["ascii-brackets", "from-payload", "no-case", "no-subject"],
)
def test_the_case_number_comes_from_the_subject_or_the_payload(
    subject: str | None, data: dict[str, Any], case_no: str | None
) -> None:
    record = read(routed(subject=subject, data=data))
    assert isinstance(record, JournalRecord)
    assert record.event is not None
    assert record.event.case_no == case_no


def test_an_answer_names_the_delivery_it_answers() -> None:
    journal = Journal()
    record = read(journal.answer(event_id(101), E1).model_dump(mode="json"))
    assert isinstance(record, JournalRecord)
    assert record.answered == DeliveryKey(f"fy:unit:{COURT}", E1, TAX)


def break_entry(path: str, value: Any) -> dict[str, Any]:
    entry = routed()
    target = entry
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return entry


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("at", "2024-03-01T09:30:00", "at: a time without an offset"),
        (
            "deliveries.0.receipt_by",
            "2024-03-02T09:30:00",
            "deliveries.receipt_by: a time without an offset",
        ),
        ("deliveries.0.recipient", "x" * 65, "deliveries.recipient: longer than 64 characters"),
        ("event.id", "x" * 65, "event.id: longer than 64 characters"),
        ("event.time", "yesterday", "event.time: not an RFC 3339 time with an offset"),
        ("event.source", None, "event.source: missing or not text"),
        ("position.topic", "t" * 300, "position: longer than 255 characters"),
    ],
)
def test_an_entry_the_store_cannot_hold_is_unreadable(path: str, value: Any, problem: str) -> None:
    record = read(break_entry(path, value))
    assert isinstance(record, UnreadableRecord)
    assert record.problems == (problem,)


@pytest.mark.parametrize("text", ["张三\x00", "\ud800", "a\udfffb"])
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_an_event_with_text_the_store_cannot_hold_is_unreadable_however_its_json_spells_it(
    text: str, *, ensure_ascii: bool
) -> None:
    # The walk over the event's strings is skipped when the bytes cannot spell such text; each
    # spelling here must still reach it (an escape, or raw bytes of a surrogate).
    entry = routed(data={"case_no": CASE, "note": text})
    raw = json.dumps(entry, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    record = read_record(0, 7, 1_700_000_000_000, raw)
    assert isinstance(record, UnreadableRecord)
    assert any("cannot hold" in p or "json_invalid" in p for p in record.problems)


def test_an_event_in_hangul_is_read() -> None:
    # Hangul shares its UTF-8 lead byte with the surrogates: read the slow way, and read.
    record = read(routed(data={"case_no": CASE, "note": "한국어"}))
    assert isinstance(record, JournalRecord)


def test_a_rejection_from_an_unknown_sender_is_unreadable() -> None:
    entry = Journal().rejected().model_dump(mode="json") | {"sender": "nobody"}
    record = read(entry)
    assert isinstance(record, UnreadableRecord)
    assert record.problems == ("sender: not a unit code",)


def test_an_unreadable_record_names_paths_not_values_and_keeps_its_kafka_time() -> None:
    entry = routed()
    entry["deliveries"][0]["fields"] = ID_NO  # neither a list nor "all"
    record = read(entry)
    assert isinstance(record, UnreadableRecord)
    assert ID_NO not in " ".join(record.problems)
    assert any(p.startswith("event.routed.deliveries.0.fields") for p in record.problems)
    assert (record.at, record.size, record.journal_key) == (
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        len(json.dumps(entry, ensure_ascii=False).encode()),
        "0:7",
    )


def test_bytes_that_are_not_json_are_unreadable() -> None:
    record = read_record(3, 9, int(T0.timestamp() * 1000), b"\xff\xfe")
    assert isinstance(record, UnreadableRecord)
    assert record.problems == ("(record): json_invalid",)
    assert record.at == T0


def escalated(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "delivery.escalated",
        "at": "2024-03-03T10:00:00+08:00",
        "event_source": f"fy:unit:{COURT}",
        "event_id": E1,
        "recipient": TAX,
        "attempts": 3,
        "receipt_due": "2024-03-02T09:30:00+08:00",
        "office": "justice.411121",
    } | changes


def test_a_tracker_entry_names_the_delivery_it_marks_and_no_outbox_position() -> None:
    record = read(escalated())
    assert isinstance(record, JournalRecord)
    assert (record.event, record.outbox_key, record.answered) == (None, None, None)
    assert record.marked == DeliveryKey(f"fy:unit:{COURT}", E1, TAX)
    assert record.entry.at == datetime(2024, 3, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"receipt_due": "2024-03-02T09:30:00"}, "receipt_due: a time without an offset"),
        ({"event_id": "e" * 200}, "event_id: longer than 64 characters"),
        ({"attempts": 0}, "delivery.escalated.attempts: greater_than_equal"),
    ],
)
def test_a_tracker_entry_the_store_cannot_hold_is_unreadable(
    changes: dict[str, Any], problem: str
) -> None:
    record = read(escalated(**changes))
    assert isinstance(record, UnreadableRecord)
    assert record.problems == (problem,)
