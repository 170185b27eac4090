"""The court's follow-up requests on its own (SQLite) database: which of its control requests on
the debtor become release requests, to whom, once; and the credit-repair request after an approved
plan. No broker: the rows queued for export are what is checked."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, select

from connectors.court.bankruptcy_followup import (
    UnknownProceedingError,
    load_request,
    request_credit_repair,
    request_release,
)
from connectors.court.filing import accept_bankruptcy, file_control_request, rule_in_bankruptcy
from connectors.court.store import answers, create_court_schema, enforcement_answers, exports, now
from hub.store.engine import build_engine
from schemas.bankruptcy import BankruptcyAccepted, BankruptcyReorganizationApproved
from schemas.bankruptcy_followup import (
    BankruptcyCreditRepairRequested,
    BankruptcyMeasuresReleaseRequested,
    CreditRepairMeasure,
)
from schemas.control import EnforcementControlRequested
from tests.fixtures.corpus.loader import sample_data

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

TODAY = dt.date(2026, 12, 4)
CASE = "（2026）豫1121破21号"
DEBTOR = sample_data("bankruptcy.accepted.v1")["debtor"]
OWNER = {"name": DEBTOR["name"], "id_type": "uscc", "id_no": DEBTOR["uscc"]}
OTHER = sample_data("enforcement.control.requested.v1", "seal-3-years")["asset"]["owner"]


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'court.db'}")
    await create_court_schema(engine)
    yield engine
    await engine.dispose()


def control(request_no: str, action: str, owner: dict[str, Any], **extra: Any) -> Any:
    data = sample_data("enforcement.control.requested.v1", "seal-3-years")
    data |= {"request_no": request_no, "action": action, "asset": data["asset"] | {"owner": owner}}
    data |= {"start": "2026-03-03", "end": "2029-03-03"} | extra
    return EnforcementControlRequested.model_validate({k: v for k, v in data.items() if v})


async def answered_not_controlled(engine: AsyncEngine, request_no: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            insert(answers).values(
                answer_event_id=f"a-{request_no}",
                type="enforcement.control.answered.v1",
                sender="nr.411121",
                correlationid=None,
                subject="x",
                received_at=now(),
            )
        )
        await connection.execute(
            insert(enforcement_answers).values(
                answer_event_id=f"a-{request_no}",
                request_no=request_no,
                kind="control",
                answered_on=TODAY,
                result="not_controlled",
                reason="已被轮候查封",
            )
        )


def acceptance() -> BankruptcyAccepted:
    data = sample_data("bankruptcy.accepted.v1") | {"case_no": CASE}
    return BankruptcyAccepted.model_validate(data)


async def queued(engine: AsyncEngine, event_type: str) -> list[Any]:
    async with engine.connect() as connection:
        found = await connection.execute(select(exports).where(exports.c.event_type == event_type))
        return [(row.to_units, await load_request(connection, row.ref_id)) for row in found.all()]


async def test_each_holder_gets_the_debtors_measures_still_in_force_once(
    court: AsyncEngine,
) -> None:
    await file_control_request(court, control("KZ-1", "seal", OWNER), to="nr.411121")
    await file_control_request(court, control("KZ-2", "seal", OWNER), to="nr.411121")
    await file_control_request(court, control("KZ-3", "seal", OWNER), to="housing.411121")
    await file_control_request(
        court, control("KZ-4", "seal", OTHER), to="nr.411121"
    )  # not the debtor's
    released = control("KZ-5", "release", OWNER, previous_request_no="KZ-2", start=None, end=None)
    await file_control_request(court, released, to="nr.411121")  # KZ-2 lifted before
    await file_control_request(court, control("KZ-6", "seal", OWNER), to="nr.411121")
    await answered_not_controlled(court, "KZ-6")  # never took effect
    await accept_bankruptcy(court, acceptance())

    sent = await request_release(court, CASE, acceptance_ruling_no="（2026）豫1121破21号")
    assert set(sent) == {"nr.411121", "housing.411121"}
    requests = dict(await queued(court, BankruptcyMeasuresReleaseRequested.event_type))
    assert [m.request_no for m in requests["nr.411121"].measures] == ["KZ-1"]
    assert [m.request_no for m in requests["housing.411121"].measures] == ["KZ-3"]
    assert requests["nr.411121"].debtor.uscc == DEBTOR["uscc"]
    assert requests["nr.411121"].accepted_on == acceptance().accepted_on
    assert await request_release(court, CASE, acceptance_ruling_no="x") == {}
    assert len(await queued(court, BankruptcyMeasuresReleaseRequested.event_type)) == 2


async def test_no_release_or_repair_without_the_proceeding_or_the_plan(court: AsyncEngine) -> None:
    with pytest.raises(UnknownProceedingError):
        await request_release(court, CASE, acceptance_ruling_no="x")
    await accept_bankruptcy(court, acceptance())
    assert await request_release(court, CASE, acceptance_ruling_no="x") == {}  # holds nothing
    with pytest.raises(UnknownProceedingError):
        await request_credit_repair(court, CASE, request_no="XF-1", today=TODAY)


async def test_credit_repair_follows_the_approved_plan_to_pboc_tax_and_samr(
    court: AsyncEngine,
) -> None:
    accepted = acceptance()
    await accept_bankruptcy(court, accepted)
    approval = BankruptcyReorganizationApproved(
        case_no=CASE,
        court=accepted.court,
        debtor=accepted.debtor,
        date=TODAY,
        ruling_no="（2026）豫1121破21号之三",
    )
    await rule_in_bankruptcy(court, approval)
    await request_credit_repair(court, CASE, request_no="XF-1", today=TODAY)
    ((to_units, request),) = await queued(court, BankruptcyCreditRepairRequested.event_type)
    assert to_units is None  # routed to every pboc, tax and samr unit by the table
    assert (request.approved_on, request.approval_ruling_no) == (TODAY, approval.ruling_no)
    assert set(request.measures) == set(CreditRepairMeasure)
