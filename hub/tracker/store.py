"""The tracker's reads of the audit store. It writes nothing there: its decisions go to the
journal (`hub.tracker.work`) and the auditor applies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, func, literal, select, tuple_

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
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.deliveries.state import Delivery

_JOIN_EVENT = and_(
    EventRow.source == DeliveryRow.event_source, EventRow.event_id == DeliveryRow.event_id
)


async def open_deliveries_page(
    session: AsyncSession, *, after: DeliveryKey | None, limit: int
) -> tuple[list[Delivery], DeliveryKey | None]:
    """Up to `limit` deliveries that still owe a receipt or a reply, the first ones after `after`
    in key order; and the key to read the next page after (None: this was the last page).

    Keyset pages over the primary key, ordered and compared by the database itself (so by its
    own collation): each page costs the same however deep into the table it is, and a sweep
    holds one page in memory, never the whole backlog."""
    key = tuple_(DeliveryRow.event_source, DeliveryRow.event_id, DeliveryRow.recipient)
    query = _with_event().where(DeliveryRow.status.in_(OPEN_STATES))
    if after is not None:
        query = query.where(key > tuple_(*(literal(value) for value in after)))
    query = query.order_by(
        DeliveryRow.event_source, DeliveryRow.event_id, DeliveryRow.recipient
    ).limit(limit)
    rows = (await session.execute(query)).tuples().all()
    snapshots = [delivery_from_row(row, event_type=t, subject=s) for row, t, s in rows]
    following = snapshots[-1].key if len(snapshots) == limit else None
    # The status is the auditor's; the facts beside it decide.
    return [d for d in snapshots if not is_settled(d)], following


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
