"""What the router writes for a record it refuses (DESIGN.md §6): nothing dropped, nothing silent.

Three records, written together before the outbox offset is committed:
- the raw bytes, untouched, to `fy.hub.dlq`, with headers naming where they came from and why;
- a `hub.rejected.v1` to the inbox of the unit owning the outbox (whatever `source` claimed);
- a `record.rejected` journal entry for the store.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from hub.journal import FieldProblem, Position, RecordRejected
from hub.router.records import Outbound, case_key, encode_json
from schemas.envelope import HUB_SOURCE
from schemas.hubevents import HubRejected
from schemas.signing import sign_event
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic

if TYPE_CHECKING:
    from datetime import datetime

    from hub.router.context import RouterContext
    from hub.router.records import InboundRecord
    from schemas.errors import Rejection

_DETAIL_HEADER_LIMIT = 2000
_NOTICE_NAMESPACE = uuid.UUID("5b0f6d3e-8f0e-4b8a-9c59-2f2f6a3c1a01")


def rejection_records(
    record: InboundRecord,
    rejection: Rejection,
    sender: str | None,
    ctx: RouterContext,
    now: datetime,
) -> list[Outbound]:
    out = [_dead_letter(record, rejection), _journal_entry(record, rejection, sender, now)]
    if sender is not None and ctx.registry.unit(sender) is not None:
        out.append(_notice(record, rejection, sender, ctx, now))
    return out


def _dead_letter(record: InboundRecord, rejection: Rejection) -> Outbound:
    headers = (
        ("fy-original-topic", record.topic.encode()),
        ("fy-original-partition", str(record.partition).encode()),
        ("fy-original-offset", str(record.offset).encode()),
        ("fy-error-code", str(rejection.code).encode()),
        ("fy-error-detail", rejection.detail[:_DETAIL_HEADER_LIMIT].encode()),
    )
    return Outbound(DLQ_TOPIC, record.key, record.value, headers)


def _journal_entry(
    record: InboundRecord, rejection: Rejection, sender: str | None, now: datetime
) -> Outbound:
    entry = RecordRejected(
        at=now,
        position=Position(topic=record.topic, partition=record.partition, offset=record.offset),
        code=rejection.code,
        detail=rejection.detail,
        fields=[FieldProblem(path=f.path, message=f.message) for f in rejection.fields],
        sender=sender,
        event_id=rejection.event_id,
        type=rejection.type,
        subject=rejection.subject,
        correlationid=rejection.correlationid,
        size=len(record.value),
    )
    key = case_key(None, rejection.event_id or f"{record.topic}:{record.offset}")
    return Outbound(JOURNAL_TOPIC, key, entry.model_dump_json().encode())


def notice_id(record: InboundRecord) -> str:
    """Deterministic, so a notice re-sent after a router restart is recognisably the same."""
    position = f"{record.topic}/{record.partition}/{record.offset}"
    return str(uuid.uuid5(_NOTICE_NAMESPACE, position))


def _notice(
    record: InboundRecord,
    rejection: Rejection,
    sender: str,
    ctx: RouterContext,
    now: datetime,
) -> Outbound:
    payload = HubRejected.from_rejection(rejection)
    event = {
        "specversion": "1.0",
        "id": notice_id(record),
        "source": HUB_SOURCE,
        "type": HubRejected.event_type,
        "subject": rejection.event_id or notice_id(record),
        "time": now.isoformat(),
        "datacontenttype": "application/json",
        "correlationid": _as_event_id(rejection.event_id),
        "data": payload.model_dump(mode="json", exclude_none=True),
    }
    event = {name: value for name, value in event.items() if value is not None}
    signed = sign_event(event, ctx.hub_key, ctx.hub_key_id)
    return Outbound(inbox_topic(sender), case_key(None, str(event["id"])), encode_json(signed))


def _as_event_id(value: str | None) -> str | None:
    # `correlationid` must itself be a well-formed id; a garbled one is only in `data`.
    if value is None:
        return None
    try:
        uuid.UUID(value)
    except ValueError:
        return None
    return value
