"""What the court's case system does, each as one transaction: the business row and the export
row announcing it are committed together, or neither is.

Every function takes the filing as the catalogue payload it will be published as, so it is
checked (identifiers, legal periods, case types) before anything is written, and returns the
event id the export will be published under: answers to it carry that id as `correlationid`.
The export is published by the court connector's drainer (`connectors.court.export`), in the
order the rows were written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from connectors.court import (
    key_enterprises,  # --- key enterprises (涉企审慎执行) ---
    records,
)
from connectors.court.store import (
    admin_cases,
    bankruptcy_cases,
    bankruptcy_rulings,
    cases,
    enforcement_requests,
    hearings,
    judicial_suggestions,
    listing_corrections,
    listings,
    now,
    parties,
    queue_export,
    request_subjects,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.court.records import BankruptcyRuling, Values
    from schemas.admincase import AdmincaseFiled, AdmincaseHearingScheduled, AdmincaseJudged
    from schemas.bankruptcy import BankruptcyAccepted
    from schemas.common import Party, Subject
    from schemas.control import EnforcementControlRequested
    from schemas.debtor import DebtorCorrected, DebtorDelisted, DebtorListed
    from schemas.enforcement import EnforcementQueryRequested
    from schemas.judicial import JudicialSuggestionIssued


class UnknownRecordError(LookupError):
    """A filing refers to a case, listing or proceeding the court database does not hold."""


# --- enforcement -------------------------------------------------------------------------------


async def file_enforcement_query(
    engine: AsyncEngine, request: EnforcementQueryRequested, *, to: str | Iterable[str]
) -> str:
    """Record an inquiry (查询) to the units `to` and queue it for publishing; its event id."""
    units = (to,) if isinstance(to, str) else tuple(to)
    async with engine.begin() as connection:
        case_id = await _case_id(
            connection,
            records.case_values(
                request.case_no,
                request.court,
                judge=request.officer.name,
                judge_work_id=request.officer.work_id,
            ),
        )
        values = records.query_request_values(request, units)
        request_id = await _insert(
            connection, enforcement_requests, values | {"case_id": case_id, "requested_at": now()}
        )
        for position, subject in enumerate(request.subjects):
            party_id = await _party_id(connection, case_id, "debtor", subject)
            await connection.execute(
                insert(request_subjects).values(
                    request_id=request_id, position=position, party_id=party_id
                )
            )
        return await _export(connection, request.event_type, request_id, " ".join(units))


async def file_control_request(
    engine: AsyncEngine,
    request: EnforcementControlRequested,
    *,
    to: str,
    planned_on: dt.date | None = None,
) -> str:
    """Record a control request (seal, freeze, release …) to one unit and queue it.

    A seal, freeze or deduction on an operating asset of an enterprise on the office's key list
    is held: the prior notice to the office is queued now, and the request goes out when the
    office has advised or at the end of `planned_on` (by default two days on), under the event id
    returned here (`connectors.court.key_enterprises`).
    """
    async with engine.begin() as connection:
        case_id = await _case_id(
            connection,
            records.case_values(
                request.case_no,
                request.court,
                judge=request.officer.name,
                judge_work_id=request.officer.work_id,
            ),
        )
        owner_id = await _party_id(connection, case_id, "debtor", request.asset.owner)
        values = records.control_request_values(request, to)
        request_id = await _insert(
            connection,
            enforcement_requests,
            values | {"case_id": case_id, "asset_owner_id": owner_id, "requested_at": now()},
        )
        held = await key_enterprises.hold_for_office(
            connection,
            request,
            request_id=request_id,
            to=to,
            today=now().date(),
            planned_on=planned_on,
        )
        if held is not None:
            return held
        return await _export(connection, request.event_type, request_id, to)


# --- dishonest-debtor list ---------------------------------------------------------------------


async def list_debtor(engine: AsyncEngine, listing: DebtorListed) -> str:
    """Enter a debtor in the dishonest-debtor list and queue the listing for joint punishment."""
    async with engine.begin() as connection:
        case_id = await _case_id(
            connection,
            records.case_values(listing.case_no, listing.court, filed_on=listing.case_filed_on),
        )
        debtor_id = await _party_id(connection, case_id, "debtor", listing.debtor)
        values = records.listing_values(listing) | {"case_id": case_id, "debtor_id": debtor_id}
        listing_ref = await _insert(connection, listings, values)
        return await _export(connection, listing.event_type, listing_ref, None)


async def correct_listing(engine: AsyncEngine, correction: DebtorCorrected) -> str:
    """Correct a listing (纠正): update it, keep the correction, queue the correction event."""
    async with engine.begin() as connection:
        listing = await _listing(connection, correction.listing_id)
        updates = records.corrected_listing_values(correction)
        if correction.changes.debtor is not None:
            case_id = listing["case_id"]
            debtor = correction.changes.debtor
            updates["debtor_id"] = await _party_id(connection, case_id, "debtor", debtor)
        if updates:
            await connection.execute(
                update(listings).where(listings.c.id == listing["id"]).values(updates)
            )
        values = records.correction_values(correction) | {"listing_ref": listing["id"]}
        correction_id = await _insert(connection, listing_corrections, values)
        return await _export(connection, correction.event_type, correction_id, None)


async def delist_debtor(engine: AsyncEngine, delisting: DebtorDelisted) -> str:
    """Delete a listing (履行完毕, 和解, 终结, 期满, 提前删除) and queue the deletion."""
    async with engine.begin() as connection:
        listing = await _listing(connection, delisting.listing_id)
        await connection.execute(
            update(listings)
            .where(listings.c.id == listing["id"])
            .values(records.delisting_values(delisting))
        )
        return await _export(connection, delisting.event_type, listing["id"], None)


# --- bankruptcy --------------------------------------------------------------------------------


async def accept_bankruptcy(engine: AsyncEngine, acceptance: BankruptcyAccepted) -> str:
    """Accept a bankruptcy application (受理), appointing the administrator; queue the notice."""
    async with engine.begin() as connection:
        case_id = await _case_id(
            connection,
            records.case_values(
                acceptance.case_no, acceptance.court, filed_on=acceptance.accepted_on
            ),
        )
        values = records.bankruptcy_values(acceptance) | {"case_id": case_id}
        bankruptcy_id = await _insert(connection, bankruptcy_cases, values)
        return await _export(connection, acceptance.event_type, bankruptcy_id, None)


async def rule_in_bankruptcy(engine: AsyncEngine, ruling: BankruptcyRuling) -> str:
    """Record a declaration of bankruptcy, an approved reorganisation plan or the termination of
    the proceeding, and queue it for the bankruptcy-linkage units."""
    async with engine.begin() as connection:
        row = (
            (
                await connection.execute(
                    select(bankruptcy_cases.c.id)
                    .join(cases, cases.c.id == bankruptcy_cases.c.case_id)
                    .where(cases.c.case_no == ruling.case_no)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise UnknownRecordError(f"no bankruptcy proceeding {ruling.case_no} was accepted")
        values = records.ruling_values(ruling) | {"bankruptcy_id": row["id"]}
        ruling_id = await _insert(connection, bankruptcy_rulings, values)
        return await _export(connection, ruling.event_type, ruling_id, None)


# --- administrative cases ----------------------------------------------------------------------


async def file_admin_case(engine: AsyncEngine, case: AdmincaseFiled) -> str:
    """File an administrative case against a unit and queue the notice to it (and justice)."""
    async with engine.begin() as connection:
        case_id = await _case_id(
            connection,
            records.case_values(case.case_no, case.court, cause=case.cause, filed_on=case.filed_on),
        )
        plaintiff_id = await _party_id(connection, case_id, "plaintiff", case.plaintiff)
        values = records.admin_case_values(case) | {
            "case_id": case_id,
            "plaintiff_id": plaintiff_id,
        }
        admin_case_id = await _insert(connection, admin_cases, values)
        return await _export(connection, case.event_type, admin_case_id, case.defendant.unit)


async def schedule_hearing(engine: AsyncEngine, hearing: AdmincaseHearingScheduled) -> str:
    """Schedule a hearing and queue the notice to the defendant unit (head to appear or not)."""
    async with engine.begin() as connection:
        admin_case = await _admin_case(connection, hearing.case_no)
        values = records.hearing_values(hearing) | {"admin_case_id": admin_case["id"]}
        hearing_id = await _insert(connection, hearings, values)
        return await _export(
            connection, hearing.event_type, hearing_id, admin_case["defendant_unit"]
        )


async def judge_admin_case(engine: AsyncEngine, judgment: AdmincaseJudged) -> str:
    """Record the outcome of an administrative case and queue it (defendant unit, justice)."""
    async with engine.begin() as connection:
        admin_case = await _admin_case(connection, judgment.case_no)
        await connection.execute(
            update(admin_cases)
            .where(admin_cases.c.id == admin_case["id"])
            .values(records.judgment_values(judgment))
        )
        return await _export(
            connection, judgment.event_type, admin_case["id"], admin_case["defendant_unit"]
        )


async def issue_judicial_suggestion(
    engine: AsyncEngine, suggestion: JudicialSuggestionIssued
) -> str:
    """Issue a judicial suggestion (司法建议书) to a unit and queue it (the unit, justice)."""
    async with engine.begin() as connection:
        case_id = None
        if suggestion.case_no is not None:
            case_id = await _case_id(
                connection, records.case_values(suggestion.case_no, suggestion.court)
            )
        values = records.suggestion_values(suggestion) | {"case_id": case_id}
        suggestion_id = await _insert(connection, judicial_suggestions, values)
        return await _export(
            connection, suggestion.event_type, suggestion_id, suggestion.recipient.unit
        )


# --- rows --------------------------------------------------------------------------------------


async def _insert(connection: AsyncConnection, table: Table, values: Values) -> int:
    result = await connection.execute(insert(table).values(values))
    (row_id,) = result.inserted_primary_key or (None,)
    if not isinstance(row_id, int):
        raise TypeError(f"{table.name}: the database returned no row id")
    return row_id


async def _export(
    connection: AsyncConnection, event_type: str, ref_id: int, to_units: str | None
) -> str:
    """Queue the event announcing row `ref_id`; its id is fixed here, so publishing the row
    again after a crash queues the same event (the SDK outbox ignores a known id)."""
    return await queue_export(connection, event_type, ref_id, to_units)


async def _case_id(connection: AsyncConnection, values: Values) -> int:
    """The case's row id, creating the row or filling in what it did not know yet."""
    row = (
        (await connection.execute(select(cases).where(cases.c.case_no == values["case_no"])))
        .mappings()
        .first()
    )
    if row is None:
        return await _insert(connection, cases, values | {"created_at": now()})
    missing = {
        name: value for name, value in values.items() if value is not None and row[name] is None
    }
    if missing:
        await connection.execute(update(cases).where(cases.c.id == row["id"]).values(missing))
    return int(row["id"])


async def _party_id(
    connection: AsyncConnection, case_id: int, role: str, party: Party | Subject
) -> int:
    """The party's row id in the case, by its identifier; the latest filing's name wins."""
    values = records.party_values(role, party)
    row = (
        (
            await connection.execute(
                select(parties.c.id).where(
                    parties.c.case_id == case_id,
                    parties.c.role == role,
                    parties.c.id_type == values["id_type"],
                    parties.c.id_no == values["id_no"],
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return await _insert(connection, parties, values | {"case_id": case_id})
    known: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    await connection.execute(update(parties).where(parties.c.id == row["id"]).values(known))
    return int(row["id"])


async def _listing(connection: AsyncConnection, listing_id: str) -> Any:
    row = (
        (await connection.execute(select(listings).where(listings.c.listing_id == listing_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownRecordError(f"no listing {listing_id} in the court database")
    return row


async def _admin_case(connection: AsyncConnection, case_no: str) -> Any:
    row = (
        (
            await connection.execute(
                select(admin_cases)
                .join(cases, cases.c.id == admin_cases.c.case_id)
                .where(cases.c.case_no == case_no)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownRecordError(f"no administrative case {case_no} was filed")
    return row
