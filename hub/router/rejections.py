"""What the router writes for a record it refuses (docs/design.md §6): nothing dropped, nothing
silent.

Three records, written together before the outbox offset is committed:
- the raw bytes, untouched (of an oversized record, its head and digest), to `fy.hub.dlq`, with
  headers naming where they came from and why;
- a `hub.rejected.v1` to the inbox of the unit owning the outbox (whatever `source` claimed),
  unsigned here: the hub signs it with the rest of the batch (`hub.router.proof.seal_batch`);
- a `record.rejected` journal entry for the store, sealed with the rest of the batch.

None of them may be a record the router cannot write, or it would retry the batch for ever
(issue 9). A record over the size limit, or any whose dead letter would not fit in what the
router's producer may send (`RouterContext.max_write_bytes`), is dead-lettered as its head
(`OVERSIZED_HEAD_BYTES` at most) with headers giving its length and the SHA-256 of all its
bytes; such a letter is evidence, not something to resend. Should the broker still refuse a dead
letter or a notice as too large (a topic configured smaller than the producer), each carries a
smaller stand-in (`Outbound.shrunk`) that the writer sends instead.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from hub.journal.entries import FieldProblem, Position, RecordRejected
from hub.journal.seal import unsealed_journal_record
from hub.kafka.records import Outbound, case_key
from schemas.envelope import HUB_SOURCE
from schemas.errors import ErrorCode, Rejection, storable_text
from schemas.hub_proof import copy_bytes
from schemas.hubevents import HubRejected
from schemas.units import DLQ_TOPIC, inbox_topic

if TYPE_CHECKING:
    from datetime import datetime

    from hub.kafka.records import InboundRecord
    from hub.router.context import RouterContext

OVERSIZED_HEAD_BYTES: Final = 65_536
"""The head of an oversized record kept in its dead letter: its envelope attributes, readable."""
TRUNCATED_HEADER: Final = "fy-truncated"
"""On a dead letter holding only the head of the record: `head`."""
LENGTH_HEADER: Final = "fy-original-length"
DIGEST_HEADER: Final = "fy-original-sha256"
_DETAIL_HEADER_LIMIT = 2000
_KEY_LIMIT = 1024
_SHRUNK_DETAIL = 500
_NOTICE_NAMESPACE = uuid.UUID("5b0f6d3e-8f0e-4b8a-9c59-2f2f6a3c1a01")


def rejection_records(
    record: InboundRecord,
    rejection: Rejection,
    sender: str | None,
    ctx: RouterContext,
    now: datetime,
) -> list[Outbound]:
    out = [
        _dead_letter(record, rejection, ctx),
        _journal_entry(record, rejection, sender, now),
    ]
    if sender is not None and ctx.registry.unit(sender) is not None:
        out.append(_notice(record, rejection, sender, now))
    return out


def _dead_letter(record: InboundRecord, rejection: Rejection, ctx: RouterContext) -> Outbound:
    headers = (
        ("fy-original-topic", record.topic.encode()),
        ("fy-original-partition", str(record.partition).encode()),
        ("fy-original-offset", str(record.offset).encode()),
        ("fy-error-code", str(rejection.code).encode()),
        ("fy-error-detail", storable_text(rejection.detail[:_DETAIL_HEADER_LIMIT]).encode()),
    )
    whole = Outbound(DLQ_TOPIC, record.key, record.value, headers)
    head = _head_only(whole, record, min(OVERSIZED_HEAD_BYTES, ctx.max_write_bytes // 2))
    if rejection.code is ErrorCode.TOO_LARGE or _size(whole) > ctx.max_write_bytes:
        return head
    return Outbound(DLQ_TOPIC, record.key, record.value, headers, shrunk=head)


def _head_only(letter: Outbound, record: InboundRecord, budget: int) -> Outbound:
    """The dead letter with the head of the record's bytes (and of its key), its length and
    digest: never more than `budget` bytes of value."""
    headers = (
        *letter.headers,
        (TRUNCATED_HEADER, b"head"),
        (LENGTH_HEADER, str(len(record.value)).encode()),
        (DIGEST_HEADER, hashlib.sha256(record.value).hexdigest().encode()),
    )
    key = record.key[:_KEY_LIMIT] if record.key is not None else None
    room = max(0, budget - sum(len(name) + len(value) for name, value in headers) - len(key or b""))
    return Outbound(DLQ_TOPIC, key, record.value[:room], headers)


def _size(out: Outbound) -> int:
    headers = sum(len(name) + len(value) for name, value in out.headers)
    return len(out.value) + len(out.key or b"") + headers


def _journal_entry(
    record: InboundRecord,
    rejection: Rejection,
    sender: str | None,
    now: datetime,
) -> Outbound:
    entry = RecordRejected(
        at=now,
        position=Position(topic=record.topic, partition=record.partition, offset=record.offset),
        code=rejection.code,
        detail=storable_text(rejection.detail),
        fields=[
            FieldProblem(path=storable_text(f.path), message=storable_text(f.message))
            for f in rejection.fields
        ],
        sender=sender,
        event_id=rejection.event_id,
        type=rejection.type,
        subject=rejection.subject,
        correlationid=rejection.correlationid,
        size=len(record.value),
    )
    key = case_key(None, rejection.event_id or f"{record.topic}:{record.offset}")
    return unsealed_journal_record(entry, key)


def notice_id(record: InboundRecord) -> str:
    """Deterministic, so a notice re-sent after a router restart is recognisably the same."""
    position = f"{record.topic}/{record.partition}/{record.offset}"
    return str(uuid.uuid5(_NOTICE_NAMESPACE, position))


def _notice(
    record: InboundRecord,
    rejection: Rejection,
    sender: str,
    now: datetime,
) -> Outbound:
    full = _unsigned_notice(record, rejection, sender, now)
    # Without its field list and with a short detail: what the sender still needs to know.
    brief = Rejection(
        rejection.code,
        rejection.detail[:_SHRUNK_DETAIL],
        event_id=rejection.event_id,
        type=rejection.type,
    )
    shrunk = _unsigned_notice(record, brief, sender, now)
    return replace(full, shrunk=shrunk)


def _unsigned_notice(
    record: InboundRecord,
    rejection: Rejection,
    sender: str,
    now: datetime,
) -> Outbound:
    payload = HubRejected.from_rejection(rejection)
    event = {
        "specversion": "1.0",
        "id": notice_id(record),
        "source": HUB_SOURCE,
        "type": HubRejected.event_type,
        "subject": payload.rejected_id or notice_id(record),
        "time": now.isoformat(),
        "datacontenttype": "application/json",
        "correlationid": _as_event_id(rejection.event_id),
        "data": payload.model_dump(mode="json", exclude_none=True),
    }
    event = {name: value for name, value in event.items() if value is not None}
    # Signed with the rest of the batch (`hub.router.proof.seal_batch`), as the copies are.
    return Outbound(
        inbox_topic(sender),
        case_key(None, str(event["id"])),
        copy_bytes(event),
        awaits_hub_proof=True,
    )


def _as_event_id(value: str | None) -> str | None:
    # `correlationid` must itself be a well-formed id; a garbled one is only in `data`.
    if value is None:
        return None
    try:
        uuid.UUID(value)
    except ValueError:
        return None
    return value
