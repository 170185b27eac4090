"""Reading and writing the market-registration records (`connectors.samr.store`) on an open
connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, select, update

from connectors.samr.answers import Freeze, Holding, Registration, registration_no
from connectors.samr.store import deregistrations, enterprises, equity_freezes, equity_holdings
from schemas.control import ControlAction

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.engine import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from connectors.samr.answers import ControlDecision
    from schemas.bankruptcy import BankruptcyTerminated
    from schemas.control import EnforcementControlRequested


async def registration(connection: AsyncConnection, uscc: str) -> Registration | None:
    row = (await connection.execute(select(enterprises).where(enterprises.c.uscc == uscc))).first()
    return None if row is None else _registration(row)


async def represented_by(connection: AsyncConnection, id_no: str) -> tuple[Registration, ...]:
    """The enterprises (not deregistered) whose legal representative carries `id_no`."""
    query = (
        select(enterprises)
        .where(enterprises.c.legal_rep_id_no == id_no, enterprises.c.status != "deregistered")
        .order_by(enterprises.c.uscc)
    )
    return tuple(_registration(row) for row in await connection.execute(query))


async def holdings_of(connection: AsyncConnection, holder_id_no: str) -> tuple[Holding, ...]:
    """The equity `holder_id_no` holds, with each enterprise and the freezes on the holding."""
    return await _holdings(connection, equity_holdings.c.holder_id_no == holder_id_no)


async def holding(connection: AsyncConnection, uscc: str, holder_id_no: str) -> Holding | None:
    found = await _holdings(
        connection,
        and_(
            equity_holdings.c.enterprise_uscc == uscc,
            equity_holdings.c.holder_id_no == holder_id_no,
        ),
    )
    return found[0] if found else None


async def _holdings(connection: AsyncConnection, where: Any) -> tuple[Holding, ...]:
    query = (
        select(equity_holdings, enterprises)
        .join(enterprises, enterprises.c.uscc == equity_holdings.c.enterprise_uscc)
        .where(where)
        .order_by(equity_holdings.c.id)
    )
    rows = (await connection.execute(query)).all()
    freezes = await _freezes(connection, [row.id for row in rows])
    return tuple(
        Holding(
            holding_id=row.id,
            enterprise=_registration(row),
            holder_name=row.holder_name,
            holder_id_no=row.holder_id_no,
            share_bp=row.share_bp,
            amount=row.amount,
            freezes=freezes.get(row.id, ()),
        )
        for row in rows
    )


async def _freezes(
    connection: AsyncConnection, holding_ids: list[int]
) -> dict[int, tuple[Freeze, ...]]:
    if not holding_ids:
        return {}
    query = (
        select(equity_freezes)
        .where(equity_freezes.c.holding_id.in_(holding_ids))
        .order_by(equity_freezes.c.publicized_on, equity_freezes.c.id)
    )
    found: dict[int, list[Freeze]] = {}
    for row in await connection.execute(query):
        found.setdefault(row.holding_id, []).append(
            Freeze(
                freeze_id=row.id,
                registration_no=row.registration_no,
                request_no=row.request_no,
                case_no=row.case_no,
                court=row.court,
                start=row.starts_on,
                end=row.ends_on,
                publicized_on=row.publicized_on,
                released_on=row.released_on,
            )
        )
    return {key: tuple(value) for key, value in found.items()}


async def apply_control(
    connection: AsyncConnection,
    request: EnforcementControlRequested,
    holding: Holding,
    decision: ControlDecision,
    today: dt.date,
) -> str | None:
    """Register what `decision` says about `holding`; the freeze's registration number."""
    target = decision.target
    if target is not None and decision.repeated:
        return target.registration_no
    if request.action is ControlAction.FREEZE:
        return await _register_freeze(connection, request, holding, decision, today)
    if target is None:
        return None
    if request.action is ControlAction.CONTINUE_FREEZE:
        values: dict[str, Any] = {"ends_on": decision.end, "continued_by": request.request_no}
    else:
        values = {"released_on": today, "release_request_no": request.request_no}
    await connection.execute(
        update(equity_freezes).where(equity_freezes.c.id == target.freeze_id).values(**values)
    )
    return target.registration_no


async def _register_freeze(
    connection: AsyncConnection,
    request: EnforcementControlRequested,
    holding: Holding,
    decision: ControlDecision,
    today: dt.date,
) -> str:
    result = await connection.execute(
        insert(equity_freezes).values(
            holding_id=holding.holding_id,
            request_no=request.request_no,
            case_no=request.case_no,
            court=request.court,
            ruling_no=request.ruling_no,
            starts_on=decision.start,
            ends_on=decision.end,
            amount=holding.amount,
            publicized_on=today,
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # a single-row insert
    freeze_id = int(key[0])
    number = registration_no(today.year, freeze_id)
    await connection.execute(
        update(equity_freezes)
        .where(equity_freezes.c.id == freeze_id)
        .values(registration_no=number)
    )
    return number


async def mark_bankruptcy(connection: AsyncConnection, uscc: str, case_no: str, stage: str) -> bool:
    """Note the proceeding on the enterprise's registration; whether it is registered here."""
    result = await connection.execute(
        update(enterprises)
        .where(enterprises.c.uscc == uscc)
        .values(bankruptcy_case_no=case_no, bankruptcy_stage=stage)
    )
    return bool(result.rowcount)


async def deregister(
    connection: AsyncConnection,
    registration: Registration,
    terminated: BankruptcyTerminated,
    today: dt.date,
    now: dt.datetime,
) -> dt.date:
    """Deregister the enterprise on the termination ruling; the day it was deregistered (an
    earlier deregistration stands)."""
    earlier = (
        await connection.execute(
            select(deregistrations.c.deregistered_on).where(
                deregistrations.c.uscc == registration.uscc
            )
        )
    ).scalar()
    if earlier is not None:
        deregistered_on: dt.date = earlier
        return deregistered_on
    deregistered_on = max(today, terminated.date)
    await connection.execute(
        insert(deregistrations).values(
            uscc=registration.uscc,
            case_no=terminated.case_no,
            ruling_no=terminated.ruling_no,
            terminated_on=terminated.date,
            deregistered_on=deregistered_on,
            recorded_at=now,
        )
    )
    await connection.execute(
        update(enterprises)
        .where(enterprises.c.uscc == registration.uscc)
        .values(
            status="deregistered",
            bankruptcy_case_no=terminated.case_no,
            bankruptcy_stage="terminated",
        )
    )
    return deregistered_on


def _registration(row: Row[Any]) -> Registration:
    return Registration(
        uscc=row.uscc,
        name=row.name,
        kind=row.kind,
        legal_rep_name=row.legal_rep_name,
        legal_rep_id_no=row.legal_rep_id_no,
        status=row.status,
        registered_capital=row.registered_capital,
        established_on=row.established_on,
        authority=row.authority,
        bankruptcy_case_no=row.bankruptcy_case_no,
        bankruptcy_stage=row.bankruptcy_stage,
    )
