"""The store's read side: the life of an event or a case (`fyhub trace`), and what is late
(`fyhub overdue`). Read-only; each query is a few statements whatever the size of the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from hub.auditor.changes import AuditKind
from hub.auditor.liaisons import LiaisonChange, Officer, OfficerState
from hub.deliveries.state import Stage, Status, due_time, stages_past_due
from hub.journal.reading import case_number
from hub.store.delivery_rows import delivery_snapshot
from hub.store.tables import (
    AuditLogRow,
    DeliveryRow,
    EventRow,
    LiaisonChangeRow,
    RejectionRow,
    UnitLiaisonRow,
)

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime, timedelta

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

_ANSWER_KINDS = (AuditKind.RECEIPT_RECEIVED.value, AuditKind.REPLY_RECEIVED.value)
_OWING = (Status.ROUTED.value, Status.RECEIVED.value, Status.REJECTED.value)


@dataclass(frozen=True, slots=True)
class TracedDelivery:
    recipient: str
    fields: list[str]
    status: str
    routed_at: datetime
    receipt_due: datetime | None
    receipt_at: datetime | None
    reply_due: datetime | None
    replied_at: datetime | None
    reply_event_id: str | None
    receipt_overdue_at: datetime | None
    reply_overdue_at: datetime | None
    escalated_at: datetime | None
    attempts: int
    calendar: str | None = None
    """`official` or `provisional`: the calendar its deadlines were counted on."""


@dataclass(frozen=True, slots=True)
class TracedEvent:
    source: str
    event_id: str
    type: str
    subject: str | None
    case_no: str | None
    published_at: datetime
    """The event's own `time`, as its publisher stated it."""
    received_at: datetime
    """When the router decided on it."""
    duplicate_count: int
    answers: str | None
    """For a receipt or a reply: the id of the event it answers."""
    deliveries: tuple[TracedDelivery, ...]
    documents: tuple[TracedDocument, ...] = ()
    """The documents the event attaches by reference, as it named them."""


@dataclass(frozen=True, slots=True)
class TracedDocument:
    kind: str
    number: str
    sha256: str


@dataclass(frozen=True, slots=True)
class TracedRejection:
    code: str
    detail: str
    field_paths: list[str]
    source: str | None
    event_id: str | None
    position: str
    rejected_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One audit log row: every fact the hub recorded, in the order it recorded them."""

    seq: int
    at: datetime
    kind: str
    event_id: str | None
    unit: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Trace:
    query: str
    case_no: str | None
    """Set when the query was a case number (in its canonical spelling)."""
    events: tuple[TracedEvent, ...]
    rejections: tuple[TracedRejection, ...]
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class OverdueDelivery:
    """One stage of one delivery past its due time and not answered."""

    event_source: str
    event_id: str
    event_type: str
    case_no: str | None
    subject: str | None
    recipient: str
    stage: Stage
    due: datetime
    overdue_by: timedelta
    notified_at: datetime | None
    """When the tracker marked this stage overdue (and sent `hub.overdue.v1`)."""
    escalated_at: datetime | None
    attempts: int


async def trace(session: AsyncSession, event_id_or_case_no: str) -> Trace | None:
    """Everything the store knows about an event, or about every event of a case; None if
    nothing. An event's trace includes the receipts and replies that answered it."""
    query = event_id_or_case_no.strip()
    case_no = case_number(query)
    column = EventRow.case_no if case_no else EventRow.event_id
    events = await _events(session, column == (case_no or query))
    ids = {event.event_id for event in events} | ({query} if case_no is None else set())
    answer_ids = await _answer_ids(session, ids) - ids
    if answer_ids:
        events += await _events(session, EventRow.event_id.in_(answer_ids))
        ids |= answer_ids
    rejections = await _rejections(session, ids, case_no)
    timeline = await _timeline(session, ids)
    if not events and not rejections and not timeline:
        return None
    events.sort(key=lambda event: (event.received_at, event.event_id))
    return Trace(query, case_no, tuple(events), tuple(rejections), tuple(timeline))


async def overdue(
    session: AsyncSession, *, now: datetime, unit: str | None = None
) -> list[OverdueDelivery]:
    """Stages past due at `now` and not answered, earliest due first; of one recipient if given."""
    late_receipt = and_(DeliveryRow.receipt_at.is_(None), DeliveryRow.receipt_due < now)
    late_reply = and_(DeliveryRow.replied_at.is_(None), DeliveryRow.reply_due < now)
    query = (
        select(
            *DeliveryRow.__table__.columns,
            EventRow.type.label("event_type"),
            EventRow.subject.label("event_subject"),
            EventRow.case_no.label("event_case_no"),
        )
        .join_from(DeliveryRow, EventRow)
        .where(DeliveryRow.status.in_(_OWING), or_(late_receipt, late_reply))
    )
    if unit is not None:
        query = query.where(DeliveryRow.recipient == unit)
    found: list[OverdueDelivery] = []
    for row in (await session.execute(query)).mappings():
        d = delivery_snapshot(row, row["event_type"], row["event_subject"])
        for stage in stages_past_due(d, now):
            due = due_time(d, stage)
            assert due is not None  # only stages with a due time are past due
            marked = d.receipt_overdue_at if stage is Stage.RECEIPT else d.reply_overdue_at
            found.append(
                OverdueDelivery(
                    event_source=d.event_source,
                    event_id=d.event_id,
                    event_type=d.event_type,
                    case_no=row["event_case_no"],
                    subject=row["event_subject"],
                    recipient=d.recipient,
                    stage=stage,
                    due=due,
                    overdue_by=now - due,
                    notified_at=marked,
                    escalated_at=d.escalated_at,
                    attempts=d.attempts,
                )
            )
    found.sort(key=lambda item: (item.due, item.event_id, item.recipient, item.stage.value))
    return found


async def _events(session: AsyncSession, condition: Any) -> list[TracedEvent]:
    rows = (await session.execute(select(EventRow).where(condition))).scalars().all()
    if not rows:
        return []
    keys = [(row.source, row.event_id) for row in rows]
    query = select(DeliveryRow).where(DeliveryRow.event_id.in_({key[1] for key in keys}))
    deliveries: dict[tuple[str, str], list[TracedDelivery]] = {key: [] for key in keys}
    for d in (await session.execute(query.order_by(DeliveryRow.recipient))).scalars():
        if (d.event_source, d.event_id) in deliveries:
            deliveries[d.event_source, d.event_id].append(_traced_delivery(d))
    return [_traced_event(row, deliveries[row.source, row.event_id]) for row in rows]


async def _answer_ids(session: AsyncSession, ids: Collection[str]) -> set[str]:
    query = select(AuditLogRow.detail).where(
        AuditLogRow.event_id.in_(ids), AuditLogRow.kind.in_(_ANSWER_KINDS)
    )
    details = (await session.execute(query)).scalars()
    return {str(detail["answer_id"]) for detail in details if detail.get("answer_id")}


async def _rejections(
    session: AsyncSession, ids: Collection[str], case_no: str | None
) -> list[TracedRejection]:
    # A refused record belongs to the trace by its own id, by the event it claimed to answer,
    # or by its case number.
    matches: list[ColumnElement[bool]] = [
        RejectionRow.event_id.in_(ids),
        RejectionRow.correlation_id.in_(ids),
    ]
    if case_no is not None:
        matches.append(RejectionRow.case_no == case_no)
    query = select(RejectionRow).where(or_(*matches)).order_by(RejectionRow.id)
    return [
        TracedRejection(
            code=row.code,
            detail=row.detail,
            field_paths=list(row.field_paths),
            source=row.source,
            event_id=row.event_id,
            position=f"{row.topic}:{row.kafka_partition}:{row.kafka_offset}",
            rejected_at=row.rejected_at,
        )
        for row in (await session.execute(query)).scalars()
    ]


async def _timeline(session: AsyncSession, ids: Collection[str]) -> list[TimelineEntry]:
    query = select(AuditLogRow).where(AuditLogRow.event_id.in_(ids)).order_by(AuditLogRow.seq)
    return [
        TimelineEntry(row.seq, row.at, row.kind, row.event_id, row.unit, dict(row.detail))
        for row in (await session.execute(query)).scalars()
    ]


def _traced_event(row: EventRow, deliveries: list[TracedDelivery]) -> TracedEvent:
    answers = row.envelope.get("correlationid")
    return TracedEvent(
        source=row.source,
        event_id=row.event_id,
        type=row.type,
        subject=row.subject,
        case_no=row.case_no,
        published_at=row.time,
        received_at=row.received_at,
        duplicate_count=row.duplicate_count,
        answers=answers if isinstance(answers, str) else None,
        deliveries=tuple(deliveries),
        documents=_documents(row.envelope),
    )


def _documents(envelope: dict[str, Any]) -> tuple[TracedDocument, ...]:
    data = envelope.get("data")
    attached = data.get("attachments") if isinstance(data, dict) else None
    if not isinstance(attached, list):
        return ()
    return tuple(
        TracedDocument(str(item.get("kind")), str(item.get("number")), item["sha256"])
        for item in attached
        if isinstance(item, dict) and isinstance(item.get("sha256"), str)
    )


def _traced_delivery(d: DeliveryRow) -> TracedDelivery:
    return TracedDelivery(
        recipient=d.recipient,
        fields=list(d.fields),
        status=d.status,
        routed_at=d.routed_at,
        receipt_due=d.receipt_due,
        receipt_at=d.receipt_at,
        reply_due=d.reply_due,
        replied_at=d.replied_at,
        reply_event_id=d.reply_event_id,
        receipt_overdue_at=d.receipt_overdue_at,
        reply_overdue_at=d.reply_overdue_at,
        escalated_at=d.escalated_at,
        attempts=d.attempts,
        calendar=d.calendar,
    )


# --- liaison officers ----------------------------------------------------------------------------


async def received_liaisons(session: AsyncSession, unit: str | None = None) -> list[Officer]:
    """What the received liaison changes say about each officer they named."""
    query = select(UnitLiaisonRow).order_by(UnitLiaisonRow.unit, UnitLiaisonRow.name)
    if unit is not None:
        query = query.where(UnitLiaisonRow.unit == unit)
    return [
        Officer(
            unit=row.unit,
            name=row.name,
            post=row.post,
            phone=row.phone,
            state=OfficerState(row.state),
            since=row.since,
            event_source=row.event_source,
            event_id=row.event_id,
            changed_at=row.changed_at,
        )
        for row in (await session.execute(query)).scalars()
    ]


async def liaison_history(session: AsyncSession, unit: str | None = None) -> list[LiaisonChange]:
    """The routed liaison changes, newest first."""
    query = select(LiaisonChangeRow).order_by(
        LiaisonChangeRow.changed_at.desc(), LiaisonChangeRow.event_id.desc()
    )
    if unit is not None:
        query = query.where(LiaisonChangeRow.unit == unit)
    return [
        LiaisonChange(
            event_source=row.event_source,
            event_id=row.event_id,
            unit=row.unit,
            changed_at=row.changed_at,
            effective_on=row.effective_on,
            old=row.old,
            new=row.new,
        )
        for row in (await session.execute(query)).scalars()
    ]
