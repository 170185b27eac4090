"""Store rows from the journal's facts and the auditor's `Delivery` snapshots. Pure.

Reading a stored delivery back, and the `deliveries.fields` codec, are `hub.store.delivery_rows`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.deliveries.state import Delivery, status
from hub.journal.reading import case_number
from hub.store.delivery_rows import tracker_columns
from hub.store.tables import EVENT_ID
from schemas.errors import storable_text, unstorable_text_problem

if TYPE_CHECKING:
    from datetime import datetime

    from hub.journal.entries import RecordRejected
    from hub.journal.reading import EventFacts, UnreadableRecord
    from hub.store.audit_chain import ChainedRow


def event_values(facts: EventFacts, received_at: datetime, duplicate_count: int) -> dict[str, Any]:
    return {
        "source": facts.source,
        "event_id": facts.event_id,
        "type": facts.type,
        "subject": facts.subject,
        "case_no": facts.case_no,
        "time": facts.time,
        "received_at": received_at,
        "envelope": dict(facts.envelope),
        "signature": facts.signature,
        "signing_key": facts.signing_key,
        "duplicate_count": duplicate_count,
    }


def new_delivery_values(d: Delivery, fields: list[str]) -> dict[str, Any]:
    return {
        **answer_values(d),
        "routed_at": d.routed_at,
        "fields": fields,
        "receipt_due": d.receipt_due,
        "reply_due": d.reply_due,
        "receipt_overdue_at": d.receipt_overdue_at,
        "reply_overdue_at": d.reply_overdue_at,
        "escalated_at": d.escalated_at,
        "attempts": d.attempts,
        "last_attempt_at": d.last_attempt_at,
    }


def mark_values(d: Delivery) -> dict[str, Any]:
    """The key and the columns the tracker's entries set: overdue marks, escalation, attempts."""
    return {
        "event_source": d.event_source,
        "event_id": d.event_id,
        "recipient": d.recipient,
        **tracker_columns(d),
    }


def answer_values(d: Delivery) -> dict[str, Any]:
    """The key and the columns an answer changes; the marks the tracker's entries set
    (`mark_values`) are left alone."""
    return {
        "event_source": d.event_source,
        "event_id": d.event_id,
        "recipient": d.recipient,
        "receipt_at": d.receipt_at,
        "reply_event_id": d.reply_event_id,
        "replied_at": d.replied_at,
        "reply_due": d.reply_due,
        "status": status(d).value,
    }


def deadline_values(d: Delivery, calendar: str | None) -> dict[str, Any]:
    """The key and the deadlines of a delivery whose deadlines were counted again."""
    return {
        "event_source": d.event_source,
        "event_id": d.event_id,
        "recipient": d.recipient,
        "receipt_due": d.receipt_due,
        "reply_due": d.reply_due,
        "calendar": calendar,
    }


def rejection_values(entry: RecordRejected, source: str | None) -> dict[str, Any]:
    return {
        "code": entry.code.value,
        "detail": storable_text(entry.detail),
        "field_paths": [storable_text(problem.path) for problem in entry.fields],
        "source": source,
        "event_id": storable_event_id(entry.event_id),
        "type": _clipped(entry.type),
        "subject": _clipped(entry.subject),
        "case_no": case_number(entry.subject) if entry.subject else None,
        "correlation_id": storable_event_id(entry.correlationid),
        "topic": entry.position.topic,
        "kafka_partition": entry.position.partition,
        "kafka_offset": entry.position.offset,
        "rejected_at": entry.at,
    }


def storable_event_id(event_id: str | None) -> str | None:
    """A refused record's id may be anything; one too long for the column is not kept (the raw
    record is in the dead-letter topic)."""
    if event_id is None or len(event_id) > EVENT_ID or unstorable_text_problem(event_id):
        return None
    return event_id


def audit_values(row: ChainedRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "seq": row.seq,
        "at": entry.at,
        "kind": entry.kind,
        "event_id": entry.event_id,
        "unit": entry.unit,
        "detail": dict(entry.detail),
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def processed_values(consumer: str, key: str, at: datetime) -> dict[str, Any]:
    return {"consumer": consumer, "key": key, "processed_at": at}


def _clipped(text: str | None, limit: int = 128) -> str | None:
    """Whatever a refused record claimed, cut to the column and made storable (the raw record
    is in the DLQ)."""
    return None if text is None else storable_text(text[:limit])


def unreadable_values(record: UnreadableRecord) -> dict[str, Any]:
    return {
        "journal_partition": record.partition,
        "journal_offset": record.offset,
        "size": record.size,
        "sha256": record.sha256,
        "problems": list(record.problems),
        "journal_at": record.at,
        "refusal": record.refusal,
    }
