"""The petition bureau's side of 诉访分离: a petition about a court case becomes a referral to the
court, one about no case stays with the bureau, and the court's reports are kept as they came."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.petition import app, referrals
from connectors.petition.store import court_referrals, create_petition_schema, petitions
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from schemas.common import Party
from schemas.dates import CHINA_TIME
from schemas.notice import ReferralDirection
from tests.e2e.harness import sqlite_url
from tests.hubkit import corpus_event

if TYPE_CHECKING:
    from pathlib import Path

TODAY = dt.date(2026, 12, 4)
CASE = "（2026）豫1121民初88号"
PETITIONER = corpus_event("notice.petition.referred.v1")["data"]["petitioner"]


def petition(**changes: Any) -> dict[str, Any]:
    row = {
        "id": 1,
        "petition_no": "舞信〔2026〕301号",
        "petitioner": PETITIONER,
        "petitioners_count": 3,
        "matter": "反映判决已生效但对方长期不履行",
        "case_no": CASE,
        "received_on": TODAY - dt.timedelta(days=2),
    }
    return row | changes


def test_a_petition_about_a_case_is_referred_to_the_court_naming_the_case() -> None:
    referral = referrals.referral_for(petition(), "舞信转〔2026〕7号", TODAY)
    assert referral.direction is ReferralDirection.TO_COURT
    assert (referral.case_no, referral.petitioners_count, referral.referred_on) == (CASE, 3, TODAY)
    assert referral.petitioner.name == PETITIONER["name"]
    assert referrals.subject_for(referral) == CASE  # the hub keys a case's events by its number


def test_a_petition_about_no_case_stays_with_the_bureau() -> None:
    with pytest.raises(referrals.NotForTheCourtError):
        referrals.referral_for(petition(case_no=None), "舞信转〔2026〕8号", TODAY)


def test_the_courts_report_is_kept_with_its_outcome() -> None:
    data = corpus_event("notice.petition.handled.v1", "valid-accepted")["data"]
    report = CATALOGUE["notice.petition.handled.v1"].validate_payload(data)
    at = dt.datetime(2026, 12, 4, 9, tzinfo=CHINA_TIME)
    row = referrals.handling_values("e-1", report, sender="court.411121", received_at=at)
    assert (row["event_id"], row["outcome"], row["referral_no"]) == (
        "e-1",
        "accepted",
        report.referral_no,
    )
    assert CATALOGUE["notice.petition.handled.v1"].validate_payload(row["payload"]) == report


async def test_a_referral_is_written_from_the_register_with_its_event_id(tmp_path: Path) -> None:
    engine = build_engine(sqlite_url(tmp_path / "petition.db"))
    try:
        await create_petition_schema(engine)
        await app.register_petition(
            engine,
            "舞信〔2026〕301号",
            petitioner=Party.model_validate(PETITIONER),
            matter="反映判决已生效但对方长期不履行",
            received_on=TODAY,
            case_no=CASE,
        )
        event_id = await app.refer_to_court(
            engine, "舞信〔2026〕301号", "舞信转〔2026〕7号", court="court.411121", today=TODAY
        )
        async with engine.connect() as connection:
            referral = (await connection.execute(select(court_referrals))).mappings().one()
            status = await connection.scalar(select(petitions.c.status))
    finally:
        await engine.dispose()
    assert (referral["event_id"], referral["to_unit"], referral["sent_at"]) == (
        event_id,
        "court.411121",
        None,
    )
    assert referral["payload"]["direction"] == "to_court"
    assert status == "referred"
