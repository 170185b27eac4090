"""Notices sent TO the court, through the real broker and the real router: the petition bureau
refers a petition about a case from its register (诉访分离), the court keeps it in
`received_notices`, accepts it (interim: the tracker keeps the referral open) and concludes it
(the referral is answered), and both reports land in the bureau's database; the natural-resources
bureau notifies a problem housing project naming the court, and the court's response reaches it.
`fyhub trace` shows the referral and both reports."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court.answering import answer_received_notice
from connectors.court.store import hub_notices, received_notices
from connectors.petition.app import PetitionApp, refer_to_court, register_petition
from connectors.petition.store import court_handling, create_petition_schema, petitions
from hub.store.engine import build_engine
from hub.store.tables import DeliveryRow
from schemas.common import Party
from schemas.identifiers import china_today
from schemas.notice import (
    NoticeHousingProjectIssued,
    NoticePetitionHandled,
    NoticeRiskResponded,
    PetitionOutcome,
    RiskLevel,
    RiskMeasure,
)
from tests.e2e.harness import (
    connector,
    count,
    eventually,
    fyhub_trace,
    rows,
    running_court,
    sqlite_url,
)
from tests.fixtures.corpus.loader import sample_data
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import DeliveredEvent
    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CASE = "（2026）豫1121执1207号"
PETITION_NO = "舞信〔2026〕318号"
REFERRAL_NO = "舞信转〔2026〕21号"
NOTICE_NO = "舞建通〔2026〕12号"


async def _received(court_db: AsyncEngine, event_id: str) -> dict[str, Any]:
    where = received_notices.c.event_id == event_id
    await eventually(
        lambda: _exists(court_db, received_notices, where), what=f"notice {event_id} at the court"
    )
    (row,) = await rows(court_db, select(received_notices).where(where))
    return row


async def _exists(engine: AsyncEngine, table: Any, *where: Any) -> bool:
    return await count(engine, table, *where) > 0


async def _delivery(store: AsyncEngine, event_id: str) -> dict[str, Any]:
    (row,) = await rows(
        store, select(DeliveryRow.__table__).where(DeliveryRow.event_id == event_id)
    )
    return row


def _handled(outcome: PetitionOutcome, today: dt.date) -> NoticePetitionHandled:
    result = (
        "已立案执行审查，依法督促被执行人履行" if outcome is PetitionOutcome.CONCLUDED else None
    )
    return NoticePetitionHandled(
        referral_no=REFERRAL_NO, outcome=outcome, handled_on=today, result=result
    )


async def test_the_court_answers_what_the_petition_bureau_and_an_agency_send_it(  # noqa: PLR0915
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    today = china_today()
    petitioner = Party.model_validate(sample_data("notice.petition.referred.v1")["petitioner"])
    store_path = tmp_path / "hubstore.db"
    store = build_engine(sqlite_url(store_path))
    bureau_db = build_engine(sqlite_url(tmp_path / "petition.db"))
    responses: list[NoticeRiskResponded] = []
    try:
        await create_petition_schema(bureau_db)
        await register_petition(
            bureau_db,
            PETITION_NO,
            petitioner=petitioner,
            matter="反映执行案件长期未执结，请求法院依法执行",
            received_on=today,
            case_no=CASE,
            petitioners_count=2,
        )
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            court_unit = rig.unit("court")
            bureau = connector(rig, "petition", tmp_path / "petition")
            agency = connector(rig, "nr", tmp_path / "nr")

            @agency.handles(NoticeRiskResponded)
            async def keep(event: DeliveredEvent[NoticeRiskResponded]) -> None:
                responses.append(event.payload)

            bureau_app = PetitionApp(bureau, bureau_db, poll_s=0.2)
            async with (
                bureau,
                agency,
                running_court(rig, court_db, tmp_path / "court") as court,
            ):
                await bureau_app.start()
                try:
                    # (a) 诉访分离: from the bureau's register to the court and back
                    referral_id = await refer_to_court(
                        bureau_db, PETITION_NO, REFERRAL_NO, court=court_unit, today=today
                    )
                    bureau_app.notify()
                    referral = await _received(court_db, referral_id)
                    assert (referral["sender"], referral["reference"], referral["state"]) == (
                        rig.unit("petition"),
                        REFERRAL_NO,
                        "open",
                    )
                    assert referral["payload"]["petitioner"]["id_no"] == petitioner.id_no

                    await answer_received_notice(
                        court_db, referral_id, _handled(PetitionOutcome.ACCEPTED, today)
                    )
                    court.notify()
                    accepted = court_handling.c.outcome == "accepted"
                    await eventually(
                        lambda: _exists(bureau_db, court_handling, accepted),
                        what="the acceptance in the bureau's database",
                    )
                    receipted = select(DeliveryRow).where(
                        DeliveryRow.event_id == referral_id, DeliveryRow.receipt_at.is_not(None)
                    )
                    await wait_for_rows(store, receipted, 1)
                    interim = await _delivery(store, referral_id)

                    await answer_received_notice(
                        court_db, referral_id, _handled(PetitionOutcome.CONCLUDED, today)
                    )
                    court.notify()
                    replied = select(DeliveryRow).where(
                        DeliveryRow.event_id == referral_id, DeliveryRow.replied_at.is_not(None)
                    )
                    await wait_for_rows(store, replied, 1)

                    # (b) an agency's housing-project notice naming the court
                    notice = NoticeHousingProjectIssued(
                        notice_no=NOTICE_NO,
                        issuer={"unit": rig.unit("nr"), "name": "舞阳县自然资源局"},
                        title="关于某花园三期项目停工的通报",
                        summary="项目停工，购房户集中反映，请法院统筹涉项目执行案件",
                        risk_level=RiskLevel.MAJOR,
                        people_concerned=120,
                        issued_on=today,
                        project="某花园三期",
                        developer="舞阳县某置业有限公司",
                        units_affected=96,
                    )
                    notice_id = await agency.publish(notice, subject=NOTICE_NO, to=court_unit)
                    await _received(court_db, notice_id)
                    await answer_received_notice(
                        court_db,
                        notice_id,
                        NoticeRiskResponded(
                            notice_no=NOTICE_NO,
                            responded_on=today,
                            measures=(
                                RiskMeasure(
                                    measure="涉项目执行案件统一由执行局专班办理，审慎采取查封措施",
                                    responsible="舞阳县人民法院执行局",
                                ),
                            ),
                        ),
                    )
                    court.notify()

                    async def responded() -> bool:
                        return bool(responses)

                    await eventually(responded, what="the court's response at the agency")
                    answered = select(DeliveryRow).where(
                        DeliveryRow.event_id == notice_id, DeliveryRow.replied_at.is_not(None)
                    )
                    await wait_for_rows(store, answered, 1)
                    concluded = court_handling.c.outcome == "concluded"
                    await eventually(
                        lambda: _exists(bureau_db, court_handling, concluded),
                        what="the conclusion in the bureau's database",
                    )
                finally:
                    await bureau_app.stop()
            closed = await _delivery(store, referral_id)
        reports = await rows(
            bureau_db, select(court_handling).order_by(court_handling.c.handled_on)
        )
        status = await rows(bureau_db, select(petitions.c.status))
        received = await rows(court_db, select(received_notices))
        rejected = await count(court_db, hub_notices, hub_notices.c.kind == "rejected")
    finally:
        await bureau_db.dispose()
        await store.dispose()

    # the acceptance was interim: receipted, the reply still owed; the conclusion answered it
    assert (interim["replied_at"], interim["reply_event_id"]) == (None, None)
    assert closed["replied_at"] is not None
    assert closed["recipient"] == court_unit
    assert sorted(report["outcome"] for report in reports) == ["accepted", "concluded"]
    assert all(report["sender"] == court_unit for report in reports)
    assert status == [{"status": "concluded"}]
    assert {(row["type"], row["state"]) for row in received} == {
        ("notice.petition.referred.v1", "answered"),
        ("notice.housing_project.issued.v1", "answered"),
    }
    (response,) = responses
    assert response.notice_no == NOTICE_NO
    assert rejected == 0

    traced = await asyncio.to_thread(fyhub_trace, CASE, store_path)
    assert traced.returncode == 0, traced.stderr
    assert "notice.petition.referred.v1" in traced.stdout
    assert traced.stdout.count("notice.petition.handled.v1") >= 2, traced.stdout
