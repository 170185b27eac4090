"""From the court's database to the police's answers back in it, through the real broker and the
real router: a debtor traced in the county is located; one traced elsewhere is reported as a
sighting (interim: the watch stays open) and located once back in the county; a sealed vehicle
is seized, an exit restriction entered in the border-control list, a 拒执 referral filed as a
criminal case, and an inquiry finds the debtor's car in the vehicle register. Each request's reply
is tracked (the routing table's deadline on its delivery) and counted in the month's scorecard;
`fyhub trace` shows a request and its answer."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from connectors.court.filing import file_enforcement_query
from connectors.court.police import send_police_request
from connectors.court.store import asset_findings, hub_notices, police_answers
from connectors.police.store import border_controls, criminal_cases, persons, vehicles
from hub.routing.deadlines import CHINA_TZ
from hub.store.engine import build_engine
from hub.store.tables import DeliveryRow
from hub.supervision.scorecard import Month, Scorecard, monthly_scorecard
from schemas.enforcement import EnforcementQueryRequested, QueryCategory
from schemas.identifiers import china_today
from schemas.police import (
    LocateTarget,
    Offence,
    PoliceExitControlRequested,
    PoliceLocateRequested,
    PoliceRefusalReferred,
    WatchMode,
)
from tests.e2e.departments import running_police
from tests.e2e.harness import count, eventually, fyhub_trace, rows, running_court, wait_for_answers
from tests.fixtures.corpus.loader import sample_data
from tests.integration.rig import running_rig, wait_for_rows

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

COURT = "舞阳县人民法院"
CASE = "（2026）豫1121执777号"
OFFICER = {"name": "赵振华", "work_id": "豫1121执0017"}
PLATE = "豫L3K528"


def _requests(today: dt.date) -> dict[str, Any]:
    debtor = sample_data("police.locate.requested.v1")["person"]  # 王建军
    petitioner = sample_data("notice.petition.referred.v1")["petitioner"]  # 李秀英
    travelling = {key: petitioner[key] for key in ("name", "id_type", "id_no")}
    common = {"case_no": CASE, "court": COURT, "officer": OFFICER}
    watch = {"officer_phone": "13903951234", "start": today - dt.timedelta(days=2)}
    watch |= {"end": today + dt.timedelta(days=30)}
    return {
        "person": PoliceLocateRequested(
            **common,
            **watch,
            request_no="CZ-E2E-1",
            decision_no=f"{CASE}之一",
            target=LocateTarget.PERSON,
            person=debtor,
            mode=WatchMode.STANDING,
        ),
        "elsewhere": PoliceLocateRequested(
            **common,
            **watch,
            request_no="CZ-E2E-3",
            decision_no=f"{CASE}之三",
            target=LocateTarget.PERSON,
            person=travelling,
            mode=WatchMode.STANDING,
        ),
        "vehicle": PoliceLocateRequested(
            **common,
            **watch,
            request_no="CZ-E2E-2",
            decision_no=f"{CASE}之二",
            target=LocateTarget.VEHICLE,
            vehicle={"plate_no": PLATE, "owner": debtor},
            mode=WatchMode.TEMPORARY,
            seize=True,
        ),
        "exit": PoliceExitControlRequested(
            **common,
            request_no="XC-E2E-1",
            decision_no=f"{CASE}限制出境决定书",
            action="restrict",
            person=debtor,
            decided_on=today,
            until=today + dt.timedelta(days=365),
        ),
        "referral": PoliceRefusalReferred(
            case_no=CASE,
            court=COURT,
            referral_no="舞法移〔2026〕77号",
            offence=Offence.REFUSAL,
            suspect={"kind": "natural", **debtor},
            facts="被执行人在判决生效后将车辆以外的财产转移至他人名下，拒不报告财产",
            evidence=[{"title": "民事判决书及生效证明"}, {"title": "财产转移的登记资料"}],
            judgment_effective_on=today - dt.timedelta(days=200),
            referred_on=today,
        ),
    }


def _aware(at: dt.datetime) -> dt.datetime:
    """A stored time; SQLite keeps UTC without its offset."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


async def _seen(police_db: AsyncEngine, id_no: str, place: str) -> None:
    async with police_db.begin() as connection:
        await connection.execute(
            update(persons)
            .where(persons.c.id_no == id_no)
            .values(seen_place=place, seen_at=dt.datetime.now(CHINA_TZ))
        )


async def _trace_the_debtors(police_db: AsyncEngine, requests: dict[str, Any]) -> None:
    """The police systems saw the debtor and the car in the county an hour ago, and the other
    debtor at a station in another city."""
    seen = dt.datetime.now(CHINA_TZ) - dt.timedelta(hours=1)
    id_no, name = requests["person"].person.id_no, requests["person"].person.name
    async with police_db.begin() as connection:
        await connection.execute(
            update(persons)
            .where(persons.c.id_no == requests["elsewhere"].person.id_no)
            .values(seen_place="郑州东站", seen_at=seen)
        )
        await connection.execute(
            update(persons)
            .where(persons.c.id_no == id_no)
            .values(seen_place="舞阳县汽车站", seen_at=seen)
        )
        await connection.execute(
            insert(vehicles).values(
                plate_no=PLATE,
                vin="LSVNV4182N2153071",
                owner_id_no=id_no,
                owner_name=name,
                model="大众朗逸",
                state="sealed",
                seen_place="舞阳县人民路与解放路交叉口卡口",
                seen_at=seen,
            )
        )


def _tracked_and_scored(
    routed: list[dict[str, Any]],
    ids: dict[str, str],
    requests: dict[str, Any],
    card: Scorecard,
    police: str,
) -> None:
    # every request had a reply deadline from the routing table, and the reply was in time
    due = {row["event_id"]: row["reply_due"] for row in routed}
    assert all(due[event_id] is not None for event_id in ids.values())
    locate_due = _aware(due[ids["person"]]).astimezone(CHINA_TZ)
    assert locate_due.date() == requests["person"].end
    (score,) = [row for row in card.units if row.unit == police]
    # its six requests (the court's receipts of its answers owe nothing and count no stage)
    assert (score.receipts.on_time, score.receipts.decided) == (6, 6)
    assert (score.replies.on_time, score.replies.decided, score.replies.pending) == (6, 6, 0)


def _inquiry(requests: dict[str, Any]) -> EnforcementQueryRequested:
    return EnforcementQueryRequested(
        request_no="CX-E2E-1",
        case_no=CASE,
        court=COURT,
        officer=OFFICER,
        subjects=[requests["person"].person],
        categories=[QueryCategory.VEHICLE],
    )


async def _answer_written_back(court_db: AsyncEngine, reference: str, outcome: str) -> None:
    where = (police_answers.c.reference == reference, police_answers.c.outcome == outcome)
    await eventually(
        lambda: _exists(court_db, police_answers, *where), what=f"{outcome} on {reference}"
    )


async def _exists(engine: AsyncEngine, table: Any, *where: Any) -> bool:
    return await count(engine, table, *where) > 0


async def _sighting_leaves_the_watch_open(store: AsyncEngine, event_id: str) -> None:
    """The auditor took the sighting as interim: the request is receipted, its reply still owed."""
    sighted = select(DeliveryRow).where(
        DeliveryRow.event_id == event_id, DeliveryRow.receipt_at.is_not(None)
    )
    await wait_for_rows(store, sighted, 1)
    (row,) = await rows(store, select(DeliveryRow).where(DeliveryRow.event_id == event_id))
    assert (row["replied_at"], row["reply_event_id"]) == (None, None)


async def test_police_requests_from_the_court_are_answered_back_into_its_database(
    kafka_access: KafkaAccess, tmp_path: Path, court_db: AsyncEngine
) -> None:
    today = china_today()
    requests = _requests(today)
    travelling = requests["elsewhere"].person
    store_path = tmp_path / "hubstore.db"
    store = build_engine(f"sqlite+aiosqlite:///{store_path}")
    try:
        async with running_rig(tmp_path, kafka_access, store=store) as rig:
            police = rig.unit("police")
            parties = [
                (request.person.name, str(request.person.id_type), request.person.id_no)
                for request in (requests["person"], requests["elsewhere"])
            ]
            async with (
                running_police(rig, tmp_path, debtors=parties, watch_poll_s=0.5) as running,
                running_court(rig, court_db, tmp_path / "court"),
            ):
                await _trace_the_debtors(running.engine, requests)
                ids = {
                    name: await send_police_request(court_db, request, to=police)
                    for name, request in requests.items()
                }
                ids["inquiry"] = await file_enforcement_query(
                    court_db, _inquiry(requests), to=police
                )
                await wait_for_answers(court_db, {event_id: {police} for event_id in ids.values()})
                await _sighting_leaves_the_watch_open(store, ids["elsewhere"])
                # the watch goes on: the debtor comes back to the county and is located there
                await _seen(running.engine, travelling.id_no, "舞阳县某宾馆")
                await _answer_written_back(court_db, "CZ-E2E-3", "located")
                controls = await rows(running.engine, select(border_controls))
                cases = await rows(running.engine, select(criminal_cases))
                (car,) = await rows(
                    running.engine, select(vehicles.c.state).where(vehicles.c.plate_no == PLATE)
                )
            # the auditor has every reply against its delivery before the scorecard is read
            replied = select(DeliveryRow).where(
                DeliveryRow.recipient == police, DeliveryRow.replied_at.is_not(None)
            )
            await wait_for_rows(store, replied, len(ids))
        routed = await rows(
            store, select(DeliveryRow).where(DeliveryRow.event_id.in_(ids.values()))
        )
        async with async_sessionmaker(store)() as session, session.begin():
            now = dt.datetime.now(CHINA_TZ)
            card = await monthly_scorecard(session, Month.of(now), as_of=now, units=[police])
    finally:
        await store.dispose()

    stored = await rows(court_db, select(police_answers).order_by(police_answers.c.reference))
    assert sorted((row["reference"], row["outcome"]) for row in stored) == [
        ("CZ-E2E-1", "located"),
        ("CZ-E2E-2", "seized"),
        ("CZ-E2E-3", "located"),
        ("CZ-E2E-3", "sighted"),
        ("XC-E2E-1", "entered"),
        ("舞法移〔2026〕77号", "filed"),
    ]
    payloads = {(row["reference"], row["outcome"]): row["payload"] for row in stored}
    assert payloads["CZ-E2E-1", "located"]["place"] == "舞阳县汽车站"
    assert payloads["CZ-E2E-3", "sighted"]["place"] == "郑州东站"
    assert payloads["CZ-E2E-3", "located"]["place"] == "舞阳县某宾馆"
    filed = f"舞公（刑）立字〔{today.year}〕1号"
    assert payloads["舞法移〔2026〕77号", "filed"]["police_case_no"] == filed
    assert payloads["XC-E2E-1", "entered"]["effective_on"] == today.isoformat()
    assert await count(court_db, hub_notices, hub_notices.c.kind == "rejected") == 0
    # the inquiry found the car in the vehicle register (车管所)
    found = await rows(court_db, select(asset_findings))
    assert [(f["category"], f["identifier"], f["found"]) for f in found] == [
        ("vehicle", PLATE, True)
    ]
    # the police's own records moved with its answers
    assert [(c["request_no"], c["state"]) for c in controls] == [("XC-E2E-1", "active")]
    assert [(c["police_case_no"], c["state"]) for c in cases] == [(filed, "filed")]
    assert car["state"] == "seized"

    _tracked_and_scored(routed, ids, requests, card, police)

    traced = await asyncio.to_thread(fyhub_trace, CASE, store_path)
    assert traced.returncode == 0, traced.stderr
    for event_type in ("police.locate.requested.v1", "police.locate.answered.v1"):
        assert event_type in traced.stdout
    assert "police.refusal.handled.v1" in traced.stdout
