"""Reading and writing the tax office's records (`connectors.tax.store`) on an open connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from connectors.tax.answers import Arrear, Refund, TaxFile, Taxpayer
from connectors.tax.store import arrears, bankruptcy_claims, refunds_due, taxpayers

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.ext.asyncio import AsyncConnection

    from schemas.bankruptcy import BankruptcyClaimDeclared


async def taxpayer(connection: AsyncConnection, taxpayer_no: str) -> Taxpayer | None:
    row = (
        await connection.execute(select(taxpayers).where(taxpayers.c.taxpayer_no == taxpayer_no))
    ).first()
    if row is None:
        return None
    return Taxpayer(
        taxpayer_no=row.taxpayer_no,
        id_type=row.id_type,
        name=row.name,
        kind=row.kind,
        status=row.status,
        tax_office=row.tax_office,
        registered_on=row.registered_on,
        legal_rep=row.legal_rep,
        credit_level=row.credit_level,
    )


async def tax_file(connection: AsyncConnection, taxpayer_no: str) -> TaxFile | None:
    """The taxpayer with its refunds still due and its arrears, or None if not registered."""
    found = await taxpayer(connection, taxpayer_no)
    if found is None:
        return None
    return TaxFile(
        found, await refunds_of(connection, taxpayer_no), await arrears_of(connection, taxpayer_no)
    )


async def refunds_of(connection: AsyncConnection, taxpayer_no: str) -> tuple[Refund, ...]:
    query = (
        select(refunds_due)
        .where(refunds_due.c.taxpayer_no == taxpayer_no, refunds_due.c.status == "due")
        .order_by(refunds_due.c.approved_on, refunds_due.c.id)
    )
    return tuple(
        Refund(row.refund_no, row.tax_type, row.period, row.amount, row.approved_on)
        for row in await connection.execute(query)
    )


async def arrears_of(connection: AsyncConnection, taxpayer_no: str) -> tuple[Arrear, ...]:
    query = (
        select(arrears)
        .where(arrears.c.taxpayer_no == taxpayer_no)
        .order_by(arrears.c.period_start, arrears.c.id)
    )
    return tuple(
        Arrear(
            row.arrear_no,
            row.tax_type,
            row.period_start,
            row.period_end,
            row.due_on,
            row.amount,
        )
        for row in await connection.execute(query)
    )


async def record_claims(
    connection: AsyncConnection,
    declaration: BankruptcyClaimDeclared,
    debtor_uscc: str,
    declared_at: dt.datetime,
) -> None:
    await connection.execute(
        insert(bankruptcy_claims),
        [
            {
                "case_no": declaration.case_no,
                "debtor_uscc": debtor_uscc,
                "kind": str(item.kind),
                "description": item.description,
                "amount": item.amount,
                "computed_to": declaration.computed_to,
                "declared_on": declaration.declared_on,
                "declared_at": declared_at,
            }
            for item in declaration.items
        ],
    )
