"""Care with key enterprises end to end, through the real broker and the real router: the office
lists an enterprise, the court files a seal of its plant, the office hears of it first and
advises, and only then does the registry receive the request, which names the notice; the
registry's answer and the office's advice are back in the court's database, and `fyhub trace`
shows the four steps."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court.filing import file_control_request
from connectors.court.store import answers, held_requests, key_enterprise_entries, notice_answers
from connectors.department.agency import AgencyOfficials
from connectors.department.department import DepartmentApp
from connectors.department.desk import department_metadata, handled_requests_table
from connectors.office.app import OfficeApp, create_office_schema
from connectors.office.app import handled_requests as office_handled
from hub.store.engine import build_engine
from hub.store.tables import EventRow
from schemas.common import Official
from schemas.control import ControlResult, EnforcementControlAnswered, EnforcementControlRequested
from schemas.identifiers import china_today
from schemas.key_enterprise import Advice, KeyEnterprise, LinkageKeyEnterpriseListed
from tests.e2e.harness import (
    connector,
    count,
    eventually,
    fyhub_trace,
    rows,
    running_court,
    sqlite_url,
)
from tests.fixtures.corpus.samples import HENGCHANG_KEY, HENGCHANG_USCC
from tests.hubkit import corpus_event
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import DeliveredEvent
    from hub.kafka.access import KafkaAccess
    from tests.integration.rig import Rig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CASE = "（2026）豫1121执356号"

_NR_METADATA = department_metadata()
_NR_HANDLED = handled_requests_table(_NR_METADATA)


class Registry(DepartmentApp):
    """The real-estate registry as far as this test needs it: it registers every seal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received: list[EnforcementControlRequested] = []
        self.register({EnforcementControlRequested: self.register_seal})

    async def register_seal(self, event: DeliveredEvent[EnforcementControlRequested]) -> None:
        request = event.payload
        self.received.append(request)
        answer = EnforcementControlAnswered(
            request_no=request.request_no,
            case_no=request.case_no,
            answered_on=self.today(),
            result=ControlResult.CONTROLLED,
            registration_no="舞不动产查封〔2026〕88号",
            start=request.start,
            end=request.end,
            note="活封登记，权利人可继续使用",
        )
        await self.reply_with(event, answer)


@pytest.fixture
async def databases(tmp_path: Path) -> AsyncIterator[dict[str, AsyncEngine]]:
    engines = {name: build_engine(sqlite_url(tmp_path / f"{name}.db")) for name in ("office", "nr")}
    await create_office_schema(engines["office"])
    async with engines["nr"].begin() as connection:
        await connection.run_sync(_NR_METADATA.create_all)
    yield engines
    for engine in engines.values():
        await engine.dispose()


async def running_units(rig: Rig, tmp_path: Path, engines: dict[str, AsyncEngine]) -> Any:
    office_unit = connector(rig, "justice", tmp_path / "office")
    nr_unit = connector(rig, "nr", tmp_path / "nr")
    office = OfficeApp(office_unit, engines["office"])
    officials = AgencyOfficials(
        name="舞阳县自然资源局",
        principal=Official(name="陈立新", post="局长"),
        deputy=Official(name="王磊", post="副局长"),
        staff=(),
    )
    nr = Registry(nr_unit, engines["nr"], _NR_HANDLED, officials=officials)
    return office_unit, nr_unit, office, nr


def seal_of_the_plant() -> EnforcementControlRequested:
    data = corpus_event("enforcement.control.requested.v1", "valid-seal-3-years")["data"]
    data["asset"] = {
        "kind": "real_estate",
        "description": "舞阳县产业集聚区纬二路6号 厂房",
        "identifier": "豫（2024）舞阳县不动产权第0003517号",
        "owner": {"name": HENGCHANG_KEY["name"], "id_type": "uscc", "id_no": HENGCHANG_USCC},
    }
    return EnforcementControlRequested.model_validate(data)


async def test_the_office_hears_of_a_seal_on_a_key_enterprise_before_the_registry_does(
    kafka_access: KafkaAccess,
    tmp_path: Path,
    court_db: AsyncEngine,
    databases: dict[str, AsyncEngine],
) -> None:
    today = china_today()
    store_path = tmp_path / "hubstore.db"
    store = build_engine(sqlite_url(store_path))
    try:
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            office_unit, nr_unit, office, nr = await running_units(rig, tmp_path, databases)
            async with (
                running_court(rig, court_db, tmp_path / "court"),
                office_unit,
                nr_unit,
            ):
                for app in (office, nr):
                    await app.start()
                try:
                    listing = LinkageKeyEnterpriseListed(
                        list_no="舞府院办〔2026〕3号",
                        enterprise=KeyEnterprise.model_validate(HENGCHANG_KEY),
                        listed_on=today - dt.timedelta(days=30),
                    )
                    await office.change_list(listing)

                    async def listed() -> bool:
                        return await count(court_db, key_enterprise_entries) == 1

                    await eventually(listed, what="the listing in the court's database")
                    request = seal_of_the_plant()
                    planned = today + dt.timedelta(days=2)
                    request_id = await file_control_request(
                        court_db, request, to=rig.unit("nr"), planned_on=planned
                    )

                    async def answered() -> bool:
                        ledger = select(answers).where(answers.c.correlationid == request_id)
                        return len(await rows(court_db, ledger)) == 1

                    await eventually(answered, what="the registry's answer in the court database")
                finally:
                    for app in (nr, office):
                        await app.stop()
            await wait_for_rows(
                store,
                select(EventRow).where(EventRow.type == "enforcement.control.answered.v1"),
                1,
            )
    finally:
        await store.dispose()

    # the office advised, and its advice is in the court's database under the notice's number
    (advice,) = await rows(court_db, select(notice_answers))
    assert advice["type"] == "enforcement.key_enterprise.advised.v1"
    assert advice["payload"]["advice"] == Advice.LIVE_SEAL
    notice_no = f"{request.request_no}-涉企通报"
    assert advice["reference"] == notice_no
    assert await count(databases["office"], office_handled) == 1
    # the request waited for that advice, and the registry saw it name the notice
    (held,) = await rows(court_db, select(held_requests))
    assert held["released_by"] == "advice"
    (advice_ledger,) = await rows(
        court_db, select(answers).where(answers.c.answer_event_id == advice["answer_event_id"])
    )
    assert held["released_at"] >= advice_ledger["received_at"]
    (received,) = nr.received
    assert received.office_notice_no == notice_no

    traced = await asyncio.to_thread(fyhub_trace, CASE, store_path)
    assert traced.returncode == 0, traced.stderr
    order = [
        "enforcement.key_enterprise.notified.v1",
        "enforcement.key_enterprise.advised.v1",
        "enforcement.control.requested.v1",
        "enforcement.control.answered.v1",
    ]
    positions = [traced.stdout.find(event_type) for event_type in order]
    assert -1 not in positions, traced.stdout
    assert positions == sorted(positions), traced.stdout
