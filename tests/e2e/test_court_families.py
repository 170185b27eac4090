"""From rows in the court's case database to the departments' answers back in it, through the
real broker and the real router, one test per family: enforcement, the dishonest-debtor list,
bankruptcy, administrative cases."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.court.app import (
    accept_bankruptcy,
    file_admin_case,
    file_control_request,
    file_enforcement_query,
    issue_judicial_suggestion,
    list_debtor,
    rule_in_bankruptcy,
    schedule_hearing,
)
from connectors.court.store import (
    appearance_reports,
    asset_findings,
    bankruptcy_claims,
    deregistrations,
    enforcement_answers,
    hub_notices,
    sanction_measures,
    suggestion_replies,
)
from connectors.demo.court import CourtDemo
from connectors.demo.scenario import UNIT_NAMES
from schemas.common import UnitRef
from schemas.identifiers import china_today
from tests.e2e.departments import debtors_of, running_departments
from tests.e2e.harness import (
    count,
    eventually,
    export_states,
    rows,
    running_court,
    wait_for_answers,
)
from tests.integration.rig import Rig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def demo(seed: int) -> CourtDemo:
    return CourtDemo(random.Random(seed), china_today())


async def receipts_of(engine: AsyncEngine, event_id: str) -> set[str]:
    found = await rows(
        engine,
        select(hub_notices.c.unit).where(
            hub_notices.c.kind == "receipt", hub_notices.c.about_event_id == event_id
        ),
    )
    return {row["unit"] for row in found}


async def test_an_inquiry_to_tax_and_samr_and_an_equity_freeze_are_answered(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    court = demo(1)
    case = court.enforcement_case(company=True)
    tax, samr = rig.unit("tax"), rig.unit("samr")
    inquiry, freeze = court.query(case, ("tax", "samr")), court.equity_freeze(case)
    async with (
        running_departments(rig, tmp_path, debtors=debtors_of(*case.debtors)),
        running_court(rig, court_db, tmp_path / "court"),
    ):
        query_id = await file_enforcement_query(court_db, inquiry, to=(tax, samr))
        freeze_id = await file_control_request(court_db, freeze, to=samr)
        ledger = await wait_for_answers(court_db, {query_id: {tax, samr}, freeze_id: {samr}})
        await eventually(
            lambda: _all_receipted(court_db, {query_id: {tax, samr}, freeze_id: {samr}}),
            what="receipts of the inquiry and the freeze",
        )

    assert sorted((row["correlationid"], row["sender"]) for row in ledger) == sorted(
        [(query_id, tax), (query_id, samr), (freeze_id, samr)]
    )
    answered = await rows(court_db, select(enforcement_answers))
    assert sorted((row["request_no"], row["kind"]) for row in answered) == sorted(
        [(inquiry.request_no, "query")] * 2 + [(freeze.request_no, "control")]
    )
    (control,) = [row for row in answered if row["kind"] == "control"]
    assert (control["result"], control["start_on"], control["end_on"]) == (
        "controlled",
        freeze.start,
        freeze.end,
    )
    findings = await rows(court_db, select(asset_findings))
    for answer in [row for row in ledger if row["correlationid"] == query_id]:
        mine = [f for f in findings if f["answer_event_id"] == answer["answer_event_id"]]
        assert {f["subject_id_no"] for f in mine} == {s.id_no for s in inquiry.subjects}
    assert await export_states(court_db) == {"exported": 2}


async def _all_receipted(engine: AsyncEngine, expected: dict[str, set[str]]) -> bool:
    for event_id, units in expected.items():
        if not units <= await receipts_of(engine, event_id):
            return False
    return True


async def test_a_listing_is_answered_with_sanction_reports_from_tax_and_samr(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    court = demo(2)
    case = court.enforcement_case()
    listing = court.listing(case)
    tax, samr = rig.unit("tax"), rig.unit("samr")
    async with (
        running_departments(rig, tmp_path, debtors=debtors_of(listing.debtor)),
        running_court(rig, court_db, tmp_path / "court"),
    ):
        listing_id = await list_debtor(court_db, listing)
        ledger = await wait_for_answers(court_db, {listing_id: {tax, samr}})

    assert {row["sender"] for row in ledger} == {tax, samr}
    assert {row["type"] for row in ledger} == {"debtor.sanction.reported.v1"}
    measures = await rows(court_db, select(sanction_measures))
    by_sender = {
        row["sender"]: [m for m in measures if m["answer_event_id"] == row["answer_event_id"]]
        for row in ledger
    }
    assert all(by_sender.values())
    assert {m["listing_id"] for m in measures} == {listing.listing_id}
    assert {m["action"] for m in measures} == {"applied"}


async def test_a_bankruptcy_acceptance_gets_the_tax_claim_and_the_termination_a_deregistration(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    court = demo(3)
    accepted = court.bankruptcy()
    debtor = (accepted.debtor.name, "uscc", accepted.debtor.uscc)
    tax, samr = rig.unit("tax"), rig.unit("samr")
    async with (
        running_departments(rig, tmp_path, debtors=[debtor]),
        running_court(rig, court_db, tmp_path / "court"),
    ):
        accepted_id = await accept_bankruptcy(court_db, accepted)
        terminated_id = await rule_in_bankruptcy(court_db, court.termination(accepted))
        await wait_for_answers(court_db, {accepted_id: {tax}, terminated_id: {samr}})

    (claim,) = await rows(court_db, select(bankruptcy_claims))
    assert claim["case_no"] == accepted.case_no
    assert claim["computed_to"] == accepted.accepted_on  # 国家税务总局公告2019年第48号
    assert claim["total"] == sum(item["amount"] for item in claim["items"])
    assert claim["creditor"] == "国家税务总局舞阳县税务局"
    (deregistration,) = await rows(court_db, select(deregistrations))
    assert (deregistration["case_no"], deregistration["debtor_uscc"]) == (
        accepted.case_no,
        accepted.debtor.uscc,
    )


async def test_an_administrative_case_gets_an_appearance_report_and_a_suggestion_a_reply(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    court = demo(4)
    samr, tax = rig.unit("samr"), rig.unit("tax")
    filed = court.admin_case(UnitRef(unit=samr, name=UNIT_NAMES["samr"]))
    hearing = court.hearing(filed)
    suggestion = court.suggestion(UnitRef(unit=tax, name=UNIT_NAMES["tax"]), filed.case_no)
    async with (
        running_departments(rig, tmp_path),
        running_court(rig, court_db, tmp_path / "court"),
    ):
        filed_id = await file_admin_case(court_db, filed)
        hearing_id = await schedule_hearing(court_db, hearing)
        suggestion_id = await issue_judicial_suggestion(court_db, suggestion)
        await wait_for_answers(
            court_db, {filed_id: {samr}, hearing_id: {samr}, suggestion_id: {tax}}
        )

    (appearance,) = await rows(court_db, select(appearance_reports))
    assert (appearance["case_no"], appearance["hearing_at"]) == (filed.case_no, hearing.hearing_at)
    assert appearance["head_appears"] is True or appearance["reason"] is not None
    (reply,) = await rows(court_db, select(suggestion_replies))
    assert reply["suggestion_no"] == suggestion.suggestion_no
    assert reply["measures"]
    assert await count(court_db, hub_notices, hub_notices.c.kind == "rejected") == 0
