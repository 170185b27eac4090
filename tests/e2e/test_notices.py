"""From the court's database to the departments' answers back in it, through the real broker and
the real router: a major-case notice answered by both named units, a pre-judgment notice
acknowledged by the paying agency, a public-debtor notice answered by the employer; `fyhub trace`
shows the notice and its answer."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court.notices import send_notice
from connectors.court.store import hub_notices, notice_answers
from connectors.demo.scenario import UNIT_NAMES
from hub.store.engine import build_engine
from hub.store.tables import EventRow
from schemas.identifiers import china_today
from schemas.notice import (
    DebtorStatus,
    MajorCaseKind,
    NoticeMajorCaseIssued,
    NoticePrejudgmentIssued,
    NoticePublicDebtorNotified,
    RiskLevel,
)
from tests.e2e.departments import running_departments
from tests.e2e.harness import count, fyhub_trace, rows, running_court, wait_for_answers
from tests.fixtures.corpus.loader import sample_data
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COURT = "舞阳县人民法院"
PREJUDGMENT_CASE = "（2026）豫1121行初31号"
DEBTOR_CASE = "（2026）豫1121执902号"


async def test_notices_from_the_court_are_answered_back_into_its_database(
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    today = china_today()
    store_path = tmp_path / "hubstore.db"
    store = build_engine(f"sqlite+aiosqlite:///{store_path}")
    try:
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            tax, samr = rig.unit("tax"), rig.unit("samr")
            major = NoticeMajorCaseIssued(
                notice_no="舞法通〔2026〕41号",
                issuer={"unit": rig.unit("court"), "name": COURT},
                title="关于某市场改造房屋征收系列案件的通报",
                summary="商户集中起诉房屋征收补偿决定，请相关部门协同化解",
                risk_level=RiskLevel.MAJOR,
                people_concerned=57,
                issued_on=today,
                kind=MajorCaseKind.HOUSING_EXPROPRIATION,
            )
            prejudgment = NoticePrejudgmentIssued(
                case_no=PREJUDGMENT_CASE,
                court=COURT,
                agency={"unit": samr, "name": UNIT_NAMES["samr"]},
                liability="行政赔偿：违法查封造成的经营损失",
                amount=12_000_000,
                issued_on=today,
                judgment_expected_on=today + dt.timedelta(days=20),
            )
            servant = sample_data("notice.public_debtor.notified.v1")["debtor"]
            public_debtor = NoticePublicDebtorNotified(
                case_no=DEBTOR_CASE,
                court=COURT,
                debtor=servant,
                status=DebtorStatus.PUBLIC_SERVANT,
                employer={"unit": tax, "name": UNIT_NAMES["tax"]},
                post="征管股科员",
                listed_on=today,
                obligation="偿还借款本金及利息",
                notified_on=today,
            )
            async with (
                running_departments(rig, tmp_path),
                running_court(rig, court_db, tmp_path / "court"),
            ):
                major_id = await send_notice(court_db, major, to=(samr, tax))
                prejudgment_id = await send_notice(court_db, prejudgment, to=(samr,))
                debtor_id = await send_notice(court_db, public_debtor, to=(tax,))
                await wait_for_answers(
                    court_db,
                    {major_id: {samr, tax}, prejudgment_id: {samr}, debtor_id: {tax}},
                )
            # the auditor has the acknowledgement before the trace is read
            await wait_for_rows(
                store,
                select(EventRow).where(EventRow.type == "notice.prejudgment.acknowledged.v1"),
                1,
            )
    finally:
        await store.dispose()

    stored = await rows(court_db, select(notice_answers))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in stored:
        by_type.setdefault(row["type"], []).append(row)
    responses = by_type["notice.risk.responded.v1"]
    assert {r["reference"] for r in responses} == {"舞法通〔2026〕41号"}
    assert len(responses) == 2  # samr and tax, each named
    assert all(len(r["payload"]["measures"]) == 2 for r in responses)  # major: lead + task force
    (ack,) = by_type["notice.prejudgment.acknowledged.v1"]
    assert (ack["reference"], ack["payload"]["funds_arranged"]) == (PREJUDGMENT_CASE, True)
    (measure,) = by_type["notice.public_debtor.measure.reported.v1"]
    assert measure["reference"] == DEBTOR_CASE
    assert f"约谈{servant['name']}" in measure["payload"]["measures"][0]
    assert await count(court_db, hub_notices, hub_notices.c.kind == "rejected") == 0

    traced = await asyncio.to_thread(fyhub_trace, PREJUDGMENT_CASE, store_path)
    assert traced.returncode == 0, traced.stderr
    assert "notice.prejudgment.issued.v1" in traced.stdout
    assert "notice.prejudgment.acknowledged.v1" in traced.stdout
    assert samr in traced.stdout
