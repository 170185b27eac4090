"""The store read behind the receipt and reply latencies: the answered deliveries as stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, select

from hub.deliveries.state import DeliveryKey
from hub.observability.outcomes import StoredAnswers
from hub.store.tables import DeliveryRow, EventRow

if TYPE_CHECKING:
    from collections.abc import Collection

    from sqlalchemy.ext.asyncio import AsyncSession

_JOIN_EVENT = and_(
    EventRow.source == DeliveryRow.event_source, EventRow.event_id == DeliveryRow.event_id
)


async def stored_answers(
    session: AsyncSession, keys: Collection[DeliveryKey]
) -> dict[DeliveryKey, StoredAnswers]:
    """The deliveries `keys` as the store holds them now; missing ones are left out."""
    if not keys:
        return {}
    query = (
        select(
            DeliveryRow.event_source,
            DeliveryRow.event_id,
            DeliveryRow.recipient,
            EventRow.type,
            DeliveryRow.routed_at,
            DeliveryRow.receipt_at,
            DeliveryRow.replied_at,
            DeliveryRow.reply_event_id,
        )
        .join(EventRow, _JOIN_EVENT)
        .where(DeliveryRow.event_id.in_({key.event_id for key in keys}))
    )
    found: dict[DeliveryKey, StoredAnswers] = {}
    for row in (await session.execute(query)).tuples():
        source, event_id, recipient, event_type, routed_at, receipt_at, replied_at, reply_id = row
        key = DeliveryKey(source, event_id, recipient)
        if key in keys:
            found[key] = StoredAnswers(event_type, routed_at, receipt_at, replied_at, reply_id)
    return found
