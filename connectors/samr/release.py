"""Releasing the equity freezes registered on a bankrupt debtor's holdings (企业破产法 art 19), on
an open connection to the registration database (`connectors.samr.store`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, select, update

from connectors.samr.store import equity_freezes, equity_holdings

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.ext.asyncio import AsyncConnection

    from schemas.bankruptcy_followup import BankruptcyMeasuresReleaseRequested


async def release_debtor_freezes(
    connection: AsyncConnection, request: BankruptcyMeasuresReleaseRequested, today: dt.date
) -> dict[str, str | None]:
    """Release, as of `today`, each listed freeze still in force on equity the debtor holds;
    request number of the freeze → its registration number, for those released."""
    listed = [measure.request_no for measure in request.measures]
    rows = await connection.execute(
        select(equity_freezes.c.id, equity_freezes.c.request_no, equity_freezes.c.registration_no)
        .join(equity_holdings, equity_holdings.c.id == equity_freezes.c.holding_id)
        .where(
            and_(
                equity_freezes.c.request_no.in_(listed),
                equity_freezes.c.released_on.is_(None),
                equity_holdings.c.holder_id_no == request.debtor.uscc,
            )
        )
    )
    released: dict[str, str | None] = {}
    for row in rows.all():
        await connection.execute(
            update(equity_freezes)
            .where(equity_freezes.c.id == row.id)
            .values(released_on=today, release_request_no=request.request_no)
        )
        released[row.request_no] = row.registration_no
    return released
