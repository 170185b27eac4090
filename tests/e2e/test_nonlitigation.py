"""Non-litigation enforcement end to end, through the real broker and the real router: market
supervision applies from its database; the court receives the application into its own, accepts,
rules and serves; the answers land back in the agency's database; `fyhub trace` shows the chain
and the hub's deliveries of the application were answered on time."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court.app import CourtApp
from connectors.court.review_app import CourtReview, create_review_schema, nonlit_sent
from connectors.department.nonlitigation import (
    AgencyEnforcement,
    create_agency_schema,
    enforcement_applications,
    nonlit_answers,
    record_decision,
)
from hub.routing.deadlines import CHINA_TZ
from hub.store.engine import build_engine
from hub.store.tables import DeliveryRow, EventRow
from schemas.identifiers import china_today
from schemas.nonlitigation import NonlitigationEnforcementApplied
from tests.calendars import shipped_calendar
from tests.e2e.harness import connector, eventually, rows, sqlite_url
from tests.fixtures.corpus.loader import sample_data
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FYHUB = Path(sys.executable).parent / "fyhub"
REPO = Path(__file__).resolve().parents[2]
COURT = "舞阳县人民法院"


def fyhub(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    environment["FYHUB_DB__URL"] = f"sqlite+aiosqlite:///{db}"
    return subprocess.run(
        [str(FYHUB), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def application(no: str, decision_no: str, obligation: str) -> NonlitigationEnforcementApplied:
    today = china_today()
    return NonlitigationEnforcementApplied(
        application_no=no,
        court=COURT,
        decision_no=decision_no,
        decided_on=today - dt.timedelta(days=200),
        party=sample_data("nonlitigation.enforcement.applied.v1")["party"],
        obligation=obligation,
        amount=5_000_000,
        reminded_on=today - dt.timedelta(days=15),
        suit_period_ended_on=today - dt.timedelta(days=20),
        applied_on=today,
    )


GRANTED = application(
    "舞市监执申〔2026〕21号",
    "舞市监罚〔2026〕31号",
    "依据《中华人民共和国产品质量法》第四十九条，缴纳罚款50000元",
)
REFUSED = application("舞市监执申〔2026〕22号", "舞市监罚〔2026〕32号", "缴纳罚款50000元")


async def reconsidered(engine: AsyncEngine) -> bool:
    found = await rows(
        engine,
        select(enforcement_applications.c.status).where(
            enforcement_applications.c.application_no == REFUSED.application_no
        ),
    )
    return [row["status"] for row in found] == ["reconsidered_upheld"]


async def served_everything(engine: AsyncEngine) -> bool:
    found = await rows(engine, select(enforcement_applications.c.status))
    return len(found) == 2 and all(row["status"] == "served" for row in found)


async def test_an_agency_applies_and_the_court_accepts_rules_and_serves_back_into_its_database(
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    store_path = tmp_path / "hubstore.db"
    store = build_engine(f"sqlite+aiosqlite:///{store_path}")
    samr_db = build_engine(sqlite_url(tmp_path / "samr.db"))
    await create_agency_schema(samr_db)
    await create_review_schema(court_db)
    try:
        async with (
            running_rig(tmp_path, kafka_access, store=store) as rig,
            AsyncExitStack() as stack,
        ):
            court_unit, samr_unit = rig.unit("court"), rig.unit("samr")
            court = connector(rig, "court", tmp_path / "court")
            samr = connector(rig, "samr", tmp_path / "samr")
            court_app = CourtApp(court, court_db, poll_s=0.2)
            CourtReview(court, court_db, calendar=shipped_calendar())
            agency = AgencyEnforcement(samr, samr_db)
            await stack.enter_async_context(court)
            await stack.enter_async_context(samr)
            await court_app.start()
            stack.push_async_callback(court_app.stop)
            for applied in (GRANTED, REFUSED):
                await record_decision(samr_db, applied, court_unit=court_unit)
            sent = await agency.apply_pending()
            assert len(sent) == 2
            await eventually(lambda: served_everything(samr_db), what="both applications served")
            # the auditor has the service of both, and their receipts, before the store is read
            served = select(EventRow).where(EventRow.type == "nonlitigation.enforcement.served.v1")
            await wait_for_rows(store, served, 2)
            # The refusal goes to the higher court; the rig's one court unit stands for it.
            asked = await agency.reconsider(
                REFUSED.application_no,
                court_unit=court_unit,
                higher_court="漯河市中级人民法院",
                grounds="处罚决定书载明了所依据的《中华人民共和国产品质量法》条款",
                calendar=shipped_calendar(),
            )
            await eventually(lambda: reconsidered(samr_db), what="the reconsideration decided")
            decided = select(DeliveryRow).where(
                DeliveryRow.event_id == asked, DeliveryRow.replied_at.is_not(None)
            )
            await wait_for_rows(store, decided, 1)
            receipted = select(DeliveryRow).where(
                DeliveryRow.recipient == rig.unit("samr"), DeliveryRow.receipt_at.is_not(None)
            )
            await wait_for_rows(store, receipted, 7)
            deliveries = await rows(
                store, select(DeliveryRow.__table__).where(DeliveryRow.event_id.in_(sent))
            )
            (reconsideration,) = await rows(
                store, select(DeliveryRow.__table__).where(DeliveryRow.event_id == asked)
            )
    finally:
        await store.dispose()

    await agency_and_court_databases_agree(samr_db, court_db)
    await samr_db.dispose()
    deliveries_answered_on_time(deliveries, court_unit, await rulings_of(court_db))
    # The higher court's 30 days (行政强制法 art 58), stated in `decide_by`, were watched and met.
    assert reconsideration["status"] == "replied"
    assert reconsideration["replied_at"] <= reconsideration["reply_due"]
    assert reconsideration["reply_overdue_at"] is None
    await trace_and_annual_show_it(store_path, sent[0], court_unit, samr_unit)


async def rulings_of(court_db: AsyncEngine) -> dict[str, tuple[str, dt.date]]:
    sent = await rows(court_db, select(nonlit_sent))
    rule_by = {
        row["application_event_id"]: dt.date.fromisoformat(row["payload"]["rule_by"])
        for row in sent
        if row["type"] == "nonlitigation.enforcement.accepted.v1"
    }
    return {
        row["application_event_id"]: (row["event_id"], rule_by[row["application_event_id"]])
        for row in sent
        if row["type"] == "nonlitigation.enforcement.ruled.v1"
    }


async def agency_and_court_databases_agree(samr_db: AsyncEngine, court_db: AsyncEngine) -> None:
    # The agency's database holds the court's answers and the state they put the rows in.
    stored = {
        row["application_no"]: row for row in await rows(samr_db, select(enforcement_applications))
    }
    granted, refused = stored[GRANTED.application_no], stored[REFUSED.application_no]
    assert (granted["accepted"], granted["ruling"]) == (True, "granted")
    assert (refused["accepted"], refused["ruling"]) == (True, "refused")
    assert "行审" in granted["case_no"]
    assert granted["rule_by"] == shipped_calendar().add_working_days(granted["accepted_on"], 7)
    answers = await rows(samr_db, select(nonlit_answers.c.type, nonlit_answers.c.application_no))
    assert len(answers) == 7  # accepted, ruled, served twice; the higher court's decision
    # The court's database holds what it sent: three answers to each application.
    court_sent = await rows(court_db, select(nonlit_sent.c.type, nonlit_sent.c.case_no))
    assert sorted(row["type"] for row in court_sent) == sorted(
        [
            "nonlitigation.enforcement.accepted.v1",
            "nonlitigation.enforcement.ruled.v1",
            "nonlitigation.enforcement.served.v1",
        ]
        * 2
        + ["nonlitigation.reconsideration.ruled.v1"]
    )


def deliveries_answered_on_time(
    deliveries: list[dict[str, Any]], court_unit: str, rulings: dict[str, tuple[str, dt.date]]
) -> None:
    """The hub's deliveries of the applications: accepted within 5 working days (the reply
    deadline the tracker watched first), then moved to the acceptance's `rule_by` and replied by
    the ruling before it. `rulings`: per application event id, the ruling's id and `rule_by`."""
    assert len(deliveries) == 2
    for delivery in deliveries:
        ruling_id, rule_by = rulings[delivery["event_id"]]
        assert delivery["recipient"] == court_unit
        assert delivery["status"] == "replied"
        assert delivery["reply_event_id"] == ruling_id
        assert delivery["reply_due"].astimezone(CHINA_TZ).date() == rule_by
        assert delivery["replied_at"] <= delivery["reply_due"]
        assert delivery["reply_overdue_at"] is None


async def trace_and_annual_show_it(
    store_path: Path, application_id: str, court_unit: str, samr_unit: str
) -> None:
    traced = await asyncio.to_thread(fyhub, store_path, "trace", application_id)
    assert traced.returncode == 0, traced.stderr
    for event_type in (
        "nonlitigation.enforcement.applied.v1",
        "nonlitigation.enforcement.accepted.v1",
        "nonlitigation.enforcement.ruled.v1",
        "nonlitigation.enforcement.served.v1",
    ):
        assert event_type in traced.stdout, event_type
    assert court_unit in traced.stdout

    # `fyhub annual` counts both applications for market supervision, every limit met.
    year = str(china_today().year)
    annual = await asyncio.to_thread(
        fyhub, store_path, "annual", "--year", year, "--nonlitigation", "--format", "csv"
    )
    assert annual.returncode == 0, annual.stderr
    header, *lines = annual.stdout.splitlines()
    (samr_row,) = [
        dict(zip(header.split(","), line.split(","), strict=True))
        for line in lines
        if line.startswith(samr_unit)
    ]
    assert (samr_row["received"], samr_row["accepted"], samr_row["granted"]) == ("2", "2", "1")
    assert samr_row["refused"] == "1"
    assert (samr_row["acceptance_on_time"], samr_row["acceptance_late"]) == ("2", "0")
    assert (samr_row["ruling_on_time"], samr_row["service_on_time"]) == ("2", "1")
    assert samr_row["reconsideration_application_on_time"] == "1"
    assert samr_row["reconsideration_decision_on_time"] == "1"
