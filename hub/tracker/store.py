"""The tracker's reads of the audit store. It writes nothing there: its decisions go to the
journal (`hub.tracker.work`) and the auditor applies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from hub.deliveries.state import DeliveryKey, is_settled
from hub.store.delivery_rows import (
    OPEN_STATES,
    delivery_from_row,
    fields_from_store,
    stored_due_times,
)
from hub.store.tables import DeliveryRow, EventRow
from hub.tracker.recompute import OpenCopy
from hub.tracker.work import StoredCopy
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.deliveries.state import Delivery

_JOIN_EVENT = and_(
    EventRow.source == DeliveryRow.event_source, EventRow.event_id == DeliveryRow.event_id
)


async def open_delivery_pages(session: AsyncSession, *, size: int) -> AsyncIterator[list[Delivery]]:
    """Every delivery that still owes a receipt or a reply, `size` at a time.

    One query, its rows streamed from the database (`yield_per`: a server-side cursor on
    PostgreSQL, `fetchmany` on SQLite), so a sweep holds one page in memory, never the whole
    backlog, and reads each row once. The session may run other queries between two pages."""
    query = _with_event().where(DeliveryRow.status.in_(OPEN_STATES))
    rows = await session.stream(query.execution_options(yield_per=size))
    async for page in rows.partitions(size):
        snapshots = (delivery_from_row(row, event_type=t, subject=s) for row, t, s in page)
        # The status is the auditor's; the facts beside it decide.
        yield [d for d in snapshots if not is_settled(d)]


async def stored_copy(session: AsyncSession, key: DeliveryKey) -> StoredCopy | None:
    """What is needed to rebuild a delivered copy; None when the store cannot rebuild it."""
    query = select(DeliveryRow, EventRow.envelope).join(EventRow, _JOIN_EVENT).where(_is(key))
    found = (await session.execute(query)).tuples().first()
    sender = unit_from_source(key.event_source)
    if found is None or sender is None:
        return None
    row, envelope = found
    return StoredCopy(
        event=envelope,
        sender=sender,
        recipient=row.recipient,
        fields=fields_from_store(row),
        routed_at=row.routed_at,
        due=stored_due_times(row),
    )


def _with_event() -> Select[tuple[DeliveryRow, str, str | None]]:
    return select(DeliveryRow, EventRow.type, EventRow.subject).join(EventRow, _JOIN_EVENT)


def _is(key: DeliveryKey) -> ColumnElement[bool]:
    return and_(
        DeliveryRow.event_source == key.event_source,
        DeliveryRow.event_id == key.event_id,
        DeliveryRow.recipient == key.recipient,
    )


async def open_copies(session: AsyncSession) -> list[OpenCopy]:
    """Every delivery that still owes a receipt or a reply, with its event's envelope, for
    counting its deadlines again (`hub.tracker.recompute`)."""
    query = (
        select(DeliveryRow, EventRow.type, EventRow.subject, EventRow.envelope)
        .join(EventRow, _JOIN_EVENT)
        .where(DeliveryRow.status.in_(OPEN_STATES))
        .order_by(DeliveryRow.routed_at)
    )
    rows = await session.execute(query)
    return [
        OpenCopy(
            key=DeliveryKey(row.event_source, row.event_id, row.recipient),
            event_type=event_type,
            subject=subject,
            envelope=envelope,
            routed_at=row.routed_at,
            receipt_due=row.receipt_due,
            reply_due=row.reply_due,
            receipt_at=row.receipt_at,
            replied_at=row.replied_at,
            calendar=row.calendar,
        )
        for row, event_type, subject, envelope in rows.tuples()
    ]


async def provisional_open_count(session: AsyncSession, recipient: str | None = None) -> int:
    """Open deliveries (to `recipient` if given) whose deadlines were counted on a provisional
    calendar (a year whose State Council notice is not in `deploy/calendar/` yet)."""
    query = (
        select(func.count())
        .select_from(DeliveryRow)
        .where(DeliveryRow.status.in_(OPEN_STATES), DeliveryRow.calendar == "provisional")
    )
    if recipient is not None:
        query = query.where(DeliveryRow.recipient == recipient)
    return int((await session.execute(query)).scalar_one())
