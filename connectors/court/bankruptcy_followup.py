"""The court's bankruptcy follow-up: sent from the court database, answers stored back in it.

    request_release        after an acceptance: one release request to each registry holding
                           seals or freezes on the debtor's property, listing only the measures
                           that registry holds (企业破产法 art 19), found among the court's own
                           control requests on the debtor (those answered not controlled, or
                           already released, are left out)
    request_credit_repair  after an approved reorganisation plan: pboc, tax and samr repair the
                           reorganised debtor's credit records
    share_zombie_list      the court's zombie-company list, to samr / ndrc

Each is drafted whole and kept in `court_notices` with its export row, in one transaction; the
export drainer publishes it (`load_request`). The answers become rows of `measure_releases` and
`credit_repair_reports` (`answer_rows`, pure); a zombie list samr or ndrc sends the court is kept
in `received_zombie_lists` (`record_zombie_list`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import and_, insert, select
from sqlalchemy.exc import IntegrityError

from connectors.court.store import (
    bankruptcy_cases,
    bankruptcy_rulings,
    cases,
    court_notices,
    credit_repair_reports,
    enforcement_answers,
    enforcement_requests,
    measure_releases,
    now,
    parties,
    queue_export,
    received_zombie_lists,
)
from schemas.bankruptcy import Enterprise
from schemas.bankruptcy_followup import (
    BankruptcyCreditRepairReported,
    BankruptcyCreditRepairRequested,
    BankruptcyMeasuresReleased,
    BankruptcyMeasuresReleaseRequested,
    BankruptcyZombieListShared,
    CreditRepairMeasure,
    HeldMeasure,
)
from schemas.catalogue import CATALOGUE
from schemas.control import ControlAction

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping, Sequence

    from sqlalchemy import Table
    from sqlalchemy.engine import RowMapping
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from schemas.common import Payload

SENT_TYPES: Final = (
    BankruptcyMeasuresReleaseRequested,
    BankruptcyCreditRepairRequested,
    BankruptcyZombieListShared,
)
"""The follow-up requests and lists the court sends."""

ANSWER_TYPES: Final = (BankruptcyMeasuresReleased, BankruptcyCreditRepairReported)
"""The answers to them the court writes back."""

_IMPOSING: Final = (ControlAction.SEAL.value, ControlAction.FREEZE.value)
_LIFTING: Final = (ControlAction.RELEASE.value, ControlAction.UNFREEZE.value)


class UnknownProceedingError(LookupError):
    """No bankruptcy proceeding (or no approved plan) of that case number in the court database."""


# --- pure ----------------------------------------------------------------------------------------


def measures_by_unit(rows: Iterable[Mapping[Any, Any]]) -> dict[str, tuple[HeldMeasure, ...]]:
    """The control requests `rows` (request_no, to_units, ruling_no, case_no, asset_kind,
    asset_identifier) grouped by the unit that registered each measure."""
    grouped: defaultdict[str, list[HeldMeasure]] = defaultdict(list)
    for row in rows:
        grouped[row["to_units"].split()[0]].append(
            HeldMeasure(
                request_no=row["request_no"],
                ruling_no=row["ruling_no"],
                case_no=row["case_no"],
                asset_kind=row["asset_kind"],
                asset_identifier=row["asset_identifier"],
            )
        )
    return {unit: tuple(held) for unit, held in sorted(grouped.items())}


def release_request_no(bankruptcy_id: int, unit: str) -> str:
    """The court's number of the release request to `unit` in a proceeding: one per unit, so a
    second call finds the first."""
    return f"JC-{bankruptcy_id:06d}-{unit}"


def subject_for(payload: Payload) -> str:
    """The Kafka key: the case number, or the list's own number."""
    case_no = getattr(payload, "case_no", None)
    if isinstance(case_no, str):
        return case_no
    if isinstance(payload, BankruptcyZombieListShared):
        return payload.list_no
    raise TypeError(f"{payload.event_type} names no case or list")


Rows = list[tuple["Table", dict[str, Any]]]


def answer_rows(answer_event_id: str, payload: Payload) -> Rows:
    """The rows recording a release answer (one per measure) or a credit-repair report."""
    key = {"answer_event_id": answer_event_id}
    if isinstance(payload, BankruptcyMeasuresReleased):
        return [
            (
                measure_releases,
                key
                | {
                    "release_request_no": payload.request_no,
                    "measure_request_no": result.request_no,
                    "outcome": result.outcome.value,
                    "released_on": result.released_on,
                    "registration_no": result.registration_no,
                    "reason": result.reason,
                },
            )
            for result in payload.results
        ]
    if isinstance(payload, BankruptcyCreditRepairReported):
        values = payload.model_dump(include={"request_no", "case_no", "reported_on", "reason"})
        values |= {"measure": payload.measure.value, "outcome": payload.outcome.value}
        return [(credit_repair_reports, key | values | {"note": payload.note})]
    raise TypeError(f"the court connector does not write back {payload.event_type}")


# --- on the court database -----------------------------------------------------------------------


async def request_release(
    engine: AsyncEngine, case_no: str, *, acceptance_ruling_no: str
) -> dict[str, str]:
    """Queue a release request to each unit holding measures on the debtor of the accepted
    proceeding `case_no`; unit → the request's event id (none for a unit already asked)."""
    async with engine.begin() as connection:
        proceeding = await _proceeding(connection, case_no)
        held = measures_by_unit(await _measures_on(connection, proceeding["debtor_uscc"]))
        sent: dict[str, str] = {}
        for unit, measures in held.items():
            request_no = release_request_no(proceeding["id"], unit)
            if await _already_sent(connection, request_no):
                continue
            request = BankruptcyMeasuresReleaseRequested(
                request_no=request_no,
                case_no=case_no,
                court=proceeding["court"],
                debtor=_debtor(proceeding),
                accepted_on=proceeding["accepted_on"],
                acceptance_ruling_no=acceptance_ruling_no,
                measures=measures,
            )
            sent[unit] = await _queue(connection, request, request_no, unit)
        return sent


async def request_credit_repair(
    engine: AsyncEngine,
    case_no: str,
    *,
    request_no: str,
    today: dt.date,
    measures: Sequence[CreditRepairMeasure] = tuple(CreditRepairMeasure),
) -> str:
    """Queue the credit-repair request of the reorganised debtor of `case_no` to pboc, tax and
    samr; its event id."""
    async with engine.begin() as connection:
        proceeding = await _proceeding(connection, case_no)
        approval = (
            (
                await connection.execute(
                    select(bankruptcy_rulings)
                    .where(
                        and_(
                            bankruptcy_rulings.c.bankruptcy_id == proceeding["id"],
                            bankruptcy_rulings.c.kind == "reorganization_approved",
                        )
                    )
                    .order_by(bankruptcy_rulings.c.id.desc())
                )
            )
            .mappings()
            .first()
        )
        if approval is None:
            raise UnknownProceedingError(f"no reorganisation plan of {case_no} was approved")
        request = BankruptcyCreditRepairRequested(
            request_no=request_no,
            case_no=case_no,
            court=proceeding["court"],
            debtor=_debtor(proceeding),
            approved_on=approval["ruled_on"],
            approval_ruling_no=approval["ruling_no"],
            measures=tuple(measures),
            requested_on=today,
        )
        return await _queue(connection, request, request_no, None)


async def share_zombie_list(
    engine: AsyncEngine, listing: BankruptcyZombieListShared, *, to: Sequence[str]
) -> str:
    """Queue the court's zombie-company list to the units `to`; its event id."""
    if not to:
        raise ValueError("a list names the units it is for")
    async with engine.begin() as connection:
        return await _queue(connection, listing, listing.list_no, " ".join(to))


async def record_zombie_list(
    engine: AsyncEngine, event_id: str, sender: str | None, listing: BankruptcyZombieListShared
) -> bool:
    """Keep a received zombie list, once per event id; whether it was new."""
    values = {
        "event_id": event_id,
        "sender": sender,
        "list_no": listing.list_no,
        "issuer": listing.issuer.name,
        "as_of": listing.as_of,
        "in_reply_to": listing.in_reply_to,
        "enterprises": [e.model_dump(mode="json", exclude_none=True) for e in listing.enterprises],
        "received_at": now(),
    }
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(received_zombie_lists).values(values))
    except IntegrityError:
        return False
    return True


async def load_request(connection: AsyncConnection, ref_id: int) -> Payload:
    """The payload kept in `court_notices` row `ref_id`, validated as the hub will."""
    row = (
        (await connection.execute(select(court_notices).where(court_notices.c.id == ref_id)))
        .mappings()
        .one()
    )
    return CATALOGUE[row["event_type"]].validate_payload(row["payload"])


async def _proceeding(connection: AsyncConnection, case_no: str) -> RowMapping:
    row = (
        (
            await connection.execute(
                select(
                    bankruptcy_cases.c.id,
                    bankruptcy_cases.c.debtor_name,
                    bankruptcy_cases.c.debtor_uscc,
                    bankruptcy_cases.c.accepted_on,
                    cases.c.court,
                )
                .join(cases, cases.c.id == bankruptcy_cases.c.case_id)
                .where(cases.c.case_no == case_no)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownProceedingError(f"no bankruptcy proceeding {case_no} was accepted")
    return row


def _debtor(proceeding: RowMapping) -> Enterprise:
    return Enterprise(name=proceeding["debtor_name"], uscc=proceeding["debtor_uscc"])


async def _measures_on(connection: AsyncConnection, uscc: str) -> list[RowMapping]:
    """The court's seals and freezes on property the enterprise `uscc` owns, still in force as
    far as the court knows."""
    requests = enforcement_requests
    lifted = select(requests.c.previous_request_no).where(
        and_(requests.c.action.in_(_LIFTING), requests.c.previous_request_no.is_not(None))
    )
    refused = select(enforcement_answers.c.request_no).where(
        enforcement_answers.c.result == "not_controlled"
    )
    result = await connection.execute(
        select(
            requests.c.request_no,
            requests.c.to_units,
            requests.c.ruling_no,
            requests.c.asset_kind,
            requests.c.asset_identifier,
            cases.c.case_no,
        )
        .join(parties, parties.c.id == requests.c.asset_owner_id)
        .join(cases, cases.c.id == requests.c.case_id)
        .where(
            and_(
                requests.c.kind == "control",
                requests.c.action.in_(_IMPOSING),
                parties.c.id_no == uscc,
                requests.c.request_no.not_in(lifted),
                requests.c.request_no.not_in(refused),
            )
        )
        .order_by(requests.c.id)
    )
    return list(result.mappings())


async def _already_sent(connection: AsyncConnection, reference: str) -> bool:
    found = await connection.execute(
        select(court_notices.c.id).where(court_notices.c.reference == reference)
    )
    return found.first() is not None


async def _queue(
    connection: AsyncConnection, payload: Payload, reference: str, to_units: str | None
) -> str:
    result = await connection.execute(
        insert(court_notices).values(
            event_type=payload.event_type,
            reference=reference,
            payload=payload.model_dump(mode="json", exclude_none=True),
            to_units=to_units or "",
            created_at=now(),
        )
    )
    (row_id,) = result.inserted_primary_key or (None,)
    return await queue_export(connection, payload.event_type, row_id, to_units)
