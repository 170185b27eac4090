"""The tracker's reads and writes of the audit store.

Writes happen in one transaction per sweep, after the broker has acknowledged what the sweep
published: the audit log's append lock is taken first (on SQLite a transaction that reads before
it writes can lose its snapshot to the auditor), each delivery is read again under that lock, the
action is applied to what is stored now, and only the tracker's own columns are written back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select, update

from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, TransitionError, is_settled
from hub.store.audit_repository import SqlAuditLog
from hub.store.delivery_rows import (
    OPEN_STATES,
    delivery_from_row,
    fields_from_store,
    stored_due_times,
    tracker_columns,
)
from hub.store.tables import DeliveryRow, EventRow
from hub.tracker.recompute import OpenCopy
from hub.tracker.work import StoredCopy, applied, audit_entry
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.deliveries.state import Delivery
    from hub.tracker.work import Action

log = logging.getLogger(__name__)

_JOIN_EVENT = and_(
    EventRow.source == DeliveryRow.event_source, EventRow.event_id == DeliveryRow.event_id
)


async def open_deliveries(session: AsyncSession) -> list[Delivery]:
    """Every delivery that still owes a receipt or a reply."""
    query = _with_event().where(DeliveryRow.status.in_(OPEN_STATES))
    rows = await session.execute(query)
    snapshots = (delivery_from_row(row, event_type=t, subject=s) for row, t, s in rows.tuples())
    # The status is the auditor's; the facts beside it decide.
    return [d for d in snapshots if not is_settled(d)]


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


async def record_actions(
    session: AsyncSession, actions: Sequence[Action], *, office_unit: str, now: datetime
) -> list[Action]:
    """Mark each delivery and append each audit fact, in the caller's transaction; the actions
    that changed their delivery. Escalations go last: one is marked only on a delivery whose
    receipt is marked overdue, possibly by a notice of the same sweep."""
    audit = SqlAuditLog(session)
    await audit.lock()
    recorded: list[Action] = []
    for action in sorted(actions, key=lambda action: isinstance(action, Escalate)):
        d = await _locked_delivery(session, action.key)
        if d is None:
            log.warning("delivery %s is gone from the store; not marked", _name(action.key))
            continue
        try:
            marked = applied(d, action, now)
        except TransitionError as error:
            log.info("not marking %s: %s", type(action).__name__, error)
            continue
        if marked == d:
            continue
        await session.execute(
            update(DeliveryRow).where(_is(action.key)).values(tracker_columns(marked))
        )
        await audit.append(audit_entry(action, office_unit=office_unit, now=now))
        recorded.append(action)
    return recorded


async def _locked_delivery(session: AsyncSession, key: DeliveryKey) -> Delivery | None:
    query = (
        _with_event()
        .where(_is(key))
        .with_for_update(of=DeliveryRow)
        .execution_options(populate_existing=True)
    )
    found = (await session.execute(query)).tuples().first()
    if found is None:
        return None
    row, event_type, subject = found
    return delivery_from_row(row, event_type=event_type, subject=subject)


def _with_event() -> Select[tuple[DeliveryRow, str, str | None]]:
    return select(DeliveryRow, EventRow.type, EventRow.subject).join(EventRow, _JOIN_EVENT)


def _is(key: DeliveryKey) -> ColumnElement[bool]:
    return and_(
        DeliveryRow.event_source == key.event_source,
        DeliveryRow.event_id == key.event_id,
        DeliveryRow.recipient == key.recipient,
    )


def _name(key: DeliveryKey) -> str:
    return f"of {key.event_id} from {key.event_source} to {key.recipient}"


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
