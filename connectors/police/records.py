"""Reading and writing the police's records (`connectors.police.store`) on an open connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from connectors.police.answers import Control, Person, Trace, VehicleRecord
from connectors.police.store import border_controls, criminal_cases, persons, vehicles
from schemas.police import ExitAction, ExitOutcome, RefusalOutcome

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.ext.asyncio import AsyncConnection

    from schemas.police import (
        PoliceExitControlAnswered,
        PoliceExitControlRequested,
        PoliceRefusalHandled,
        PoliceRefusalReferred,
    )


def _trace(row: Any) -> Trace | None:
    return None if row.seen_at is None else Trace(row.seen_place, row.seen_at)


async def person(connection: AsyncConnection, id_no: str) -> Person | None:
    row = (await connection.execute(select(persons).where(persons.c.id_no == id_no))).first()
    return None if row is None else Person(row.id_no, row.name, row.household, _trace(row))


def _vehicle(row: Any) -> VehicleRecord:
    return VehicleRecord(
        row.plate_no, row.vin, row.owner_id_no, row.owner_name, row.model, row.state, _trace(row)
    )


async def vehicle(connection: AsyncConnection, plate_no: str) -> VehicleRecord | None:
    query = select(vehicles).where(vehicles.c.plate_no == plate_no)
    row = (await connection.execute(query)).first()
    return None if row is None else _vehicle(row)


async def vehicles_of(connection: AsyncConnection, owner_id_no: str) -> tuple[VehicleRecord, ...]:
    """The vehicles registered to `owner_id_no`, by plate."""
    query = (
        select(vehicles).where(vehicles.c.owner_id_no == owner_id_no).order_by(vehicles.c.plate_no)
    )
    return tuple(_vehicle(row) for row in await connection.execute(query))


async def mark_seized(connection: AsyncConnection, plate_no: str) -> None:
    await connection.execute(
        update(vehicles).where(vehicles.c.plate_no == plate_no).values(state="seized")
    )


async def control(connection: AsyncConnection, request_no: str) -> Control | None:
    query = select(border_controls).where(border_controls.c.request_no == request_no)
    row = (await connection.execute(query)).first()
    return None if row is None else Control(row.request_no, row.id_no, row.state)


async def record_control(
    connection: AsyncConnection,
    request: PoliceExitControlRequested,
    answer: PoliceExitControlAnswered,
) -> None:
    """Enter the restriction in the border-control list, or mark the one lifted."""
    if answer.outcome is ExitOutcome.REFUSED:
        return
    if request.action is ExitAction.LIFT:
        await connection.execute(
            update(border_controls)
            .where(border_controls.c.request_no == request.previous_request_no)
            .values(state="lifted", lifted_on=answer.effective_on)
        )
        return
    await connection.execute(
        insert(border_controls).values(
            request_no=request.request_no,
            id_no=request.person.id_no,
            name=request.person.name,
            court=request.court,
            case_no=request.case_no,
            decision_no=request.decision_no,
            entered_on=answer.effective_on,
            until=request.until,
            state="active",
        )
    )


async def next_case_serial(connection: AsyncConnection, year: int) -> int:
    """The next filing number of `year` (cases filed this year + 1)."""
    query = select(func.count()).where(
        criminal_cases.c.police_case_no.like(f"%〔{year}〕%"),
    )
    return int((await connection.execute(query)).scalar_one()) + 1


async def record_case(
    connection: AsyncConnection,
    referral: PoliceRefusalReferred,
    answer: PoliceRefusalHandled,
    decided_on: dt.date,
) -> None:
    await connection.execute(
        insert(criminal_cases).values(
            referral_no=referral.referral_no,
            police_case_no=answer.police_case_no,
            court=referral.court,
            case_no=referral.case_no,
            suspect_name=referral.suspect.name,
            suspect_id_no=referral.suspect.id_no,
            offence=str(referral.offence),
            state=str(RefusalOutcome(answer.outcome)),
            decided_on=decided_on,
            reason=answer.reason,
        )
    )
