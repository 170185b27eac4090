"""The store's record of the events attaching a document, and of their copies: what
`hub.documents.entitlement` decides from. The auditor writes both (`event_attachments`,
`deliveries`) as it applies the journal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, tuple_

from hub.documents.entitlement import AttachingEvent, Fields
from hub.store.delivery_rows import fields_from_store
from hub.store.tables import DeliveryRow, EventAttachmentRow
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def attaching_events(session: AsyncSession, sha256: str) -> list[AttachingEvent]:
    """Each event the store holds that attaches the document, with its copies."""
    attachments = EventAttachmentRow.__table__.c
    keys = (
        await session.execute(
            select(attachments.event_source, attachments.event_id).where(
                attachments.sha256 == sha256
            )
        )
    ).all()
    if not keys:
        return []
    deliveries = DeliveryRow.__table__.c
    copies: dict[tuple[str, str], dict[str, Fields]] = {(s, e): {} for s, e in keys}
    found = await session.scalars(
        select(DeliveryRow).where(
            tuple_(deliveries.event_source, deliveries.event_id).in_([(s, e) for s, e in keys])
        )
    )
    for row in found:
        copies[(row.event_source, row.event_id)][row.recipient] = fields_from_store(row)
    return [
        AttachingEvent(sender=unit_from_source(source), copies=kept)
        for (source, _event_id), kept in copies.items()
    ]
