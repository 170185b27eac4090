"""Store rows ↔ delivery snapshots: what the auditor, tracker and read side read back, and the
only columns the tracker's entries set."""

from datetime import UTC, datetime, timedelta, timezone

from hub.deliveries.state import Stage, Status, escalated, marked_overdue, redelivered, status
from hub.routing.deadlines import DueTimes
from hub.store.delivery_rows import (
    delivery_from_row,
    delivery_snapshot,
    fields_from_store,
    fields_to_store,
    stored_due_times,
    tracker_columns,
)
from hub.store.tables import DeliveryRow

CST = timezone(timedelta(hours=8))
ROUTED_AT = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)
RECEIPT_DUE = datetime(2024, 5, 7, 23, 59, 59, tzinfo=CST).astimezone(UTC)
REPLY_DUE = datetime(2024, 5, 9, 23, 59, 59, tzinfo=CST).astimezone(UTC)
CASE_NO = "（2024）豫1121执123号"
EVENT_TYPE = "enforcement.query.requested.v1"


def row(**changes) -> DeliveryRow:
    """A row as the store gives it back: every time in UTC."""
    values = {
        "event_source": "fy:unit:court.411121",
        "event_id": "5e148399-670c-5b4d-9089-1c29cdf72c17",
        "recipient": "tax.411121",
        "routed_at": ROUTED_AT,
        "fields": ["case_no", "subjects"],
        "receipt_due": RECEIPT_DUE,
        "reply_due": REPLY_DUE,
        "receipt_at": None,
        "reply_event_id": None,
        "replied_at": None,
        "status": "routed",
        "receipt_overdue_at": None,
        "reply_overdue_at": None,
        "escalated_at": None,
        "attempts": 1,
        "last_attempt_at": None,
    }
    return DeliveryRow(**(values | changes))


def snapshot(r: DeliveryRow, subject: str | None = CASE_NO):
    return delivery_from_row(r, event_type=EVENT_TYPE, subject=subject)


def test_every_column_reaches_the_snapshot():
    late = datetime(2024, 5, 8, 1, 0, tzinfo=UTC)
    d = snapshot(
        row(
            receipt_at=late,
            replied_at=late + timedelta(hours=1),
            reply_event_id="0190f7a8-0000-7000-8000-000000000001",
            status="replied",
            receipt_overdue_at=late - timedelta(minutes=5),
            reply_overdue_at=None,
            escalated_at=late - timedelta(minutes=4),
            attempts=3,
            last_attempt_at=late - timedelta(hours=2),
        )
    )
    assert d.key == ("fy:unit:court.411121", "5e148399-670c-5b4d-9089-1c29cdf72c17", "tax.411121")
    assert (d.event_type, d.subject) == (EVENT_TYPE, CASE_NO)
    assert (d.routed_at, d.receipt_due, d.reply_due) == (ROUTED_AT, RECEIPT_DUE, REPLY_DUE)
    assert (d.receipt_at, d.replied_at) == (late, late + timedelta(hours=1))
    assert d.reply_event_id == "0190f7a8-0000-7000-8000-000000000001"
    assert d.overdue_stages == {Stage.RECEIPT}
    assert d.escalated_at == late - timedelta(minutes=4)
    assert (d.attempts, d.last_attempt) == (3, late - timedelta(hours=2))
    assert status(d) is Status.REPLIED


def test_an_event_without_a_subject_is_named_by_its_id():
    assert snapshot(row(), subject=None).subject == "5e148399-670c-5b4d-9089-1c29cdf72c17"


def test_a_refused_reply_keeps_the_rejected_status():
    assert status(snapshot(row(status="rejected"))) is Status.REJECTED
    assert status(snapshot(row(status="received", receipt_at=ROUTED_AT))) is Status.RECEIVED


def test_the_first_attempt_is_the_routing():
    assert snapshot(row()).last_attempt == ROUTED_AT


def test_the_trackers_entries_set_only_its_marks_and_attempts():
    assert set(tracker_columns(snapshot(row()))) == {
        "receipt_overdue_at",
        "reply_overdue_at",
        "escalated_at",
        "attempts",
        "last_attempt_at",
    }


def test_marks_written_back_read_back_the_same():
    now = RECEIPT_DUE + timedelta(hours=2)
    d = snapshot(row())
    d = marked_overdue(d, Stage.RECEIPT, now)
    d = redelivered(d, now)
    d = escalated(d, now)
    stored = row(**tracker_columns(d))
    assert snapshot(stored) == d


def test_deadlines_come_back_as_the_copy_wrote_them():
    due = stored_due_times(row())
    assert due.receipt_by is not None
    assert due.reply_by is not None
    assert due.receipt_by.isoformat() == "2024-05-07T23:59:59+08:00"
    assert due.reply_by.isoformat() == "2024-05-09T23:59:59+08:00"
    assert stored_due_times(row(receipt_due=None, reply_due=None)) == DueTimes(None, None)


def test_a_whole_payload_is_all_fields():
    assert fields_from_store(row(fields=["*"])) == "all"
    assert fields_from_store(row(fields="all")) == "all"
    assert fields_from_store(row(fields=["case_no", "subjects.id_no"])) == [
        "case_no",
        "subjects.id_no",
    ]


def test_the_fields_column_reads_back_what_was_stored():
    assert fields_to_store("all") == ["*"]
    assert fields_from_store(row(fields=fields_to_store("all"))) == "all"
    kept = ["case_no", "subjects.id_no"]
    assert fields_from_store(row(fields=fields_to_store(kept))) == kept


def test_a_loaded_row_and_a_selected_mapping_give_the_same_snapshot():
    loaded = row(status="rejected", attempts=2, last_attempt_at=ROUTED_AT)
    mapping = {c.name: getattr(loaded, c.name) for c in DeliveryRow.__table__.columns}
    assert delivery_from_row(loaded, event_type=EVENT_TYPE, subject=None) == delivery_snapshot(
        mapping, EVENT_TYPE, None
    )
    snapshot = delivery_snapshot(mapping, EVENT_TYPE, None)
    assert snapshot.subject == loaded.event_id
    assert snapshot.reply_refused_at == ROUTED_AT
