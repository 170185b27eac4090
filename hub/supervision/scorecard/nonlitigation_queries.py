"""The store read behind the non-litigation figures: the nonlitigation.* envelopes. Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.store.tables import EventRow
from hub.supervision.scorecard.nonlitigation import TYPES, nonlitigation_figures

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.supervision.scorecard.nonlitigation import NonlitigationFigures
    from schemas.nonlitigation_limits import WorkingDays


async def annual_nonlitigation_figures(
    session: AsyncSession, year: int, *, calendar: WorkingDays
) -> NonlitigationFigures:
    """The year's figures; answers of any year count for the applications of `year`."""
    query = (
        select(EventRow.envelope)
        .where(EventRow.type.in_(TYPES))
        .order_by(EventRow.received_at, EventRow.event_id)
    )
    envelopes = list((await session.execute(query)).scalars())
    return nonlitigation_figures(year, envelopes, calendar)
