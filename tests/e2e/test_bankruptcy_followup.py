"""The bankruptcy follow-up end to end, through the real broker and the real router: the court
freezes the debtor's equity (samr) and seals its building (nr); it accepts the bankruptcy and
sends each registry a release request listing only its own measure (企业破产法 art 19); samr
releases the freeze in its register and answers; hrss and medins, receiving the acceptance,
declare their social-insurance and wage claims from their own books; the answers come back into
the court's database, and `fyhub trace` shows them. Then: samr's zombie-company list reaches the
court's database, and after an approved reorganisation tax and samr report their credit repair
back into it."""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, select

from connectors.court.bankruptcy_followup import request_credit_repair, request_release
from connectors.court.filing import accept_bankruptcy, file_control_request, rule_in_bankruptcy
from connectors.court.store import (
    bankruptcy_claims,
    court_notices,
    credit_repair_reports,
    hub_notices,
    measure_releases,
    received_zombie_lists,
)
from connectors.demo.documents import control_documents
from connectors.demo.members import ReceiptingMember
from connectors.department.claims import ClaimantApp, create_claimant_schema, record_arrears
from connectors.samr.store import enterprises, equity_freezes, equity_holdings
from hub.store.engine import build_engine
from hub.store.tables import EventRow
from schemas.bankruptcy import (
    BankruptcyAccepted,
    BankruptcyReorganizationApproved,
    ClaimItem,
    Enterprise,
)
from schemas.bankruptcy_followup import BankruptcyZombieListShared
from schemas.control import EnforcementControlRequested
from schemas.dates import CHINA_TIME
from schemas.identifiers import china_today
from tests.e2e.departments import running_departments
from tests.e2e.harness import (
    connector,
    eventually,
    fyhub_trace,
    rows,
    running_court,
    sqlite_url,
    wait_for_answers,
)
from tests.fixtures.corpus.loader import sample_data
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess
    from tests.integration.rig import Rig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COURT = "舞阳县人民法院"
CASE = "（2026）豫1121破11号"
ENF_CASE = "（2026）豫1121执1207号"
HENGCHANG = sample_data("bankruptcy.accepted.v1")["debtor"]
HENGCHANG_USCC = HENGCHANG["uscc"]
XINGDA_USCC = sample_data("bankruptcy.credit_repair.requested.v1")["debtor"]["uscc"]
DEBTOR = {"name": HENGCHANG["name"], "id_type": "uscc", "id_no": HENGCHANG_USCC}
OFFICER = {"name": "赵振华", "work_id": "豫1121执0017"}


def control(request_no: str, action: str, asset: dict[str, Any], today: dt.date) -> Any:
    return EnforcementControlRequested(
        request_no=request_no,
        case_no=ENF_CASE,
        court=COURT,
        officer=OFFICER,
        action=action,
        asset=asset | {"owner": DEBTOR},
        ruling_no=f"{ENF_CASE}之一",
        start=today,
        end=today + dt.timedelta(days=700),
        attachments=control_documents(f"{ENF_CASE}之一"),
    )


def acceptance(today: dt.date) -> BankruptcyAccepted:
    deadline = today + dt.timedelta(days=40)
    meeting = dt.datetime.combine(deadline + dt.timedelta(days=5), dt.time(9), CHINA_TIME)
    return BankruptcyAccepted.model_validate(
        sample_data("bankruptcy.accepted.v1")
        | {
            "case_no": CASE,
            "accepted_on": today.isoformat(),
            "announced_on": None,
            "claims_deadline": deadline.isoformat(),
            "first_meeting_at": meeting.isoformat(),
        }
    )


async def book_the_debtors_equity(samr: AsyncEngine) -> None:
    """The debtor holds 40 % of another company registered with samr."""
    async with samr.begin() as connection:
        await connection.execute(
            insert(enterprises).values(
                uscc=XINGDA_USCC,
                name="舞阳县兴达建材有限公司",
                kind="有限责任公司",
                legal_rep_name="周志刚",
                legal_rep_id_type="resident_id",
                legal_rep_id_no="411121198001011234",
                status="active",
                registered_capital=500_000_000,
                established_on=dt.date(2015, 5, 6),
                address="舞阳县舞泉镇建设路18号",
                authority="舞阳县市场监督管理局",
            )
        )
        await connection.execute(
            insert(equity_holdings).values(
                enterprise_uscc=XINGDA_USCC,
                holder_name=HENGCHANG["name"],
                holder_id_type="uscc",
                holder_id_no=HENGCHANG_USCC,
                share_bp=4000,
                amount=200_000_000,
            )
        )


async def claimants(rig: Rig, tmp_path: Path, stack: AsyncExitStack) -> None:
    """hrss and medins on their own connectors and databases, with the debtor's arrears."""
    for dept in ("hrss", "medins"):
        engine = build_engine(sqlite_url(tmp_path / f"{dept}.db"))
        stack.push_async_callback(engine.dispose)
        await create_claimant_schema(engine)
        items = sample_data("bankruptcy.claim.declared.v1", dept)["items"]
        await record_arrears(engine, HENGCHANG_USCC, [ClaimItem(**item) for item in items])
        unit = connector(rig, dept, tmp_path / dept)
        app = ClaimantApp(unit, engine)
        await stack.enter_async_context(unit)
        await app.start()
        stack.push_async_callback(app.stop)


async def test_acceptance_releases_the_measures_and_brings_in_the_social_insurance_claims(  # noqa: PLR0915 - one story
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    today = china_today()
    store_path = tmp_path / "hubstore.db"
    store = build_engine(f"sqlite+aiosqlite:///{store_path}")
    try:
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            samr, nr = rig.unit("samr"), rig.unit("nr")
            hrss, medins = rig.unit("hrss"), rig.unit("medins")
            async with AsyncExitStack() as stack:
                departments = await stack.enter_async_context(running_departments(rig, tmp_path))
                await book_the_debtors_equity(departments.samr_engine)
                await claimants(rig, tmp_path, stack)
                nr_unit = connector(rig, "nr", tmp_path / "nr")
                ReceiptingMember(nr_unit)  # receipts only: its registry is not connected yet
                await stack.enter_async_context(nr_unit)
                await stack.enter_async_context(running_court(rig, court_db, tmp_path / "court"))

                equity = {
                    "kind": "equity",
                    "description": "恒昌公司持有的兴达建材公司40%股权",
                    "identifier": XINGDA_USCC,
                }
                building = {
                    "kind": "real_estate",
                    "description": "舞阳县工业园区恒昌公司1号厂房",
                    "identifier": "豫（2019）舞阳县不动产权第0001846号",
                }
                freeze = control("KZ-E2E-0001", "freeze", equity, today)
                seal = control("KZ-E2E-0002", "seal", building, today)
                freeze_id = await file_control_request(court_db, freeze, to=samr)
                await file_control_request(court_db, seal, to=nr)
                await wait_for_answers(court_db, {freeze_id: {samr}})

                accepted_id = await accept_bankruptcy(court_db, acceptance(today))
                sent = await request_release(
                    court_db, CASE, acceptance_ruling_no="（2026）豫1121破11号"
                )
                assert set(sent) == {samr, nr}
                assert await request_release(court_db, CASE, acceptance_ruling_no="x") == {}
                await wait_for_answers(
                    court_db, {accepted_id: {hrss, medins}, sent[samr]: {samr}}, timeout=90
                )

                async def nr_received() -> bool:
                    found = await rows(
                        court_db,
                        select(hub_notices).where(
                            hub_notices.c.kind == "receipt",
                            hub_notices.c.about_event_id == sent[nr],
                        ),
                    )
                    return any(row["unit"] == nr for row in found)

                await eventually(nr_received, what="nr's receipt of its release request")
                freezes = await rows(departments.samr_engine, select(equity_freezes))
            await wait_for_rows(
                store, select(EventRow).where(EventRow.type == "bankruptcy.claim.declared.v1"), 2
            )
            await wait_for_rows(
                store, select(EventRow).where(EventRow.type == "bankruptcy.measures.released.v1"), 1
            )
    finally:
        await store.dispose()

    # each registry was asked about its own measure only
    requests = {
        row["to_units"]: row["payload"]
        for row in await rows(court_db, select(court_notices))
        if row["event_type"] == "bankruptcy.measures.release_requested.v1"
    }
    assert [m["request_no"] for m in requests[samr]["measures"]] == ["KZ-E2E-0001"]
    assert [m["request_no"] for m in requests[nr]["measures"]] == ["KZ-E2E-0002"]
    # samr released the freeze in its register, and the court knows
    (frozen,) = freezes
    assert frozen["released_on"] == today
    assert frozen["release_request_no"] == requests[samr]["request_no"]
    (released,) = await rows(court_db, select(measure_releases))
    assert (released["measure_request_no"], released["outcome"], released["released_on"]) == (
        "KZ-E2E-0001",
        "released",
        today,
    )
    assert released["registration_no"] == frozen["registration_no"]
    # hrss and medins declared from their books, computed to the acceptance date
    claims = {row["creditor"]: row for row in await rows(court_db, select(bankruptcy_claims))}
    hrss_claim = claims["舞阳县人力资源和社会保障局"]
    medins_claim = claims["舞阳县医疗保障局"]
    assert hrss_claim["total"] == sample_data("bankruptcy.claim.declared.v1", "hrss")["total"]
    assert medins_claim["total"] == sample_data("bankruptcy.claim.declared.v1", "medins")["total"]
    assert {item["kind"] for item in hrss_claim["items"]} >= {"wages", "social_insurance"}
    assert hrss_claim["computed_to"] == today == medins_claim["computed_to"]

    traced = await asyncio.to_thread(fyhub_trace, CASE, store_path)
    assert traced.returncode == 0, traced.stderr
    for shown in (
        "bankruptcy.accepted.v1",
        "bankruptcy.measures.release_requested.v1",
        "bankruptcy.measures.released.v1",
        "bankruptcy.claim.declared.v1",
        hrss,
        medins,
        samr,
        nr,
    ):
        assert shown in traced.stdout, shown


REORGANIZED = "（2026）豫1121破12号"


async def test_zombie_list_reaches_the_court_and_credit_repair_is_reported_back(
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    today = china_today()
    store_path = tmp_path / "hubstore.db"
    store = build_engine(f"sqlite+aiosqlite:///{store_path}")
    xingda = sample_data("bankruptcy.credit_repair.requested.v1")["debtor"]
    try:
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            court, samr, tax = rig.unit("court"), rig.unit("samr"), rig.unit("tax")
            async with AsyncExitStack() as stack:
                departments = await stack.enter_async_context(running_departments(rig, tmp_path))
                await book_the_debtors_equity(departments.samr_engine)  # registers 兴达建材
                await stack.enter_async_context(running_court(rig, court_db, tmp_path / "court"))

                listing = BankruptcyZombieListShared.model_validate(
                    sample_data("bankruptcy.zombie_list.shared.v1")
                    | {
                        "list_no": "舞市监僵〔2026〕3号",
                        "issuer": {"unit": samr, "name": "舞阳县市场监督管理局"},
                        "as_of": today.isoformat(),
                    }
                )
                list_id = await departments.samr.publish(
                    listing, subject=listing.list_no, to=(court,)
                )

                accepted = acceptance(today).model_copy(
                    update={"case_no": REORGANIZED, "debtor": Enterprise(**xingda)}
                )
                await accept_bankruptcy(court_db, accepted)
                approval = BankruptcyReorganizationApproved(
                    case_no=REORGANIZED,
                    court=COURT,
                    debtor=accepted.debtor,
                    date=today,
                    ruling_no=f"{REORGANIZED}之四",
                )
                await rule_in_bankruptcy(court_db, approval)
                repair_id = await request_credit_repair(
                    court_db, REORGANIZED, request_no="XF-E2E-0001", today=today
                )
                await wait_for_answers(court_db, {repair_id: {tax, samr}}, timeout=90)

                async def list_kept() -> bool:
                    kept = await rows(court_db, select(received_zombie_lists))
                    return any(row["event_id"] == list_id for row in kept)

                await eventually(list_kept, what="the zombie list in the court database")
            await wait_for_rows(
                store,
                select(EventRow).where(EventRow.type == "bankruptcy.credit_repair.reported.v1"),
                2,
            )
    finally:
        await store.dispose()

    (kept,) = await rows(court_db, select(received_zombie_lists))
    assert (kept["sender"], kept["list_no"]) == (samr, "舞市监僵〔2026〕3号")
    assert [e["uscc"] for e in kept["enterprises"]] == [e.uscc for e in listing.enterprises]
    reports = {row["measure"]: row for row in await rows(court_db, select(credit_repair_reports))}
    assert set(reports) == {"tax_credit", "abnormal_operations_list"}
    assert {row["outcome"] for row in reports.values()} == {"repaired"}
    assert {row["request_no"] for row in reports.values()} == {"XF-E2E-0001"}

    traced = await asyncio.to_thread(fyhub_trace, REORGANIZED, store_path)
    assert traced.returncode == 0, traced.stderr
    for shown in (
        "bankruptcy.credit_repair.requested.v1",
        "bankruptcy.credit_repair.reported.v1",
        tax,
        samr,
    ):
        assert shown in traced.stdout, shown
