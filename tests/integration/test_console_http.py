"""The office's console served over real HTTP (uvicorn on a free port) from a real SQLite store
that the auditor wrote from the journal (the router's entries and the tracker's)."""

from __future__ import annotations

import asyncio
import csv
import io
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.overdue import OverdueNotice
from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, Stage
from hub.registry import load_registry
from hub.routing.deadlines import CHINA_TZ
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import DeliveryRow
from hub.supervision.console import ConsoleServer, create_console_app
from hub.tracker.work import escalated_mark, overdue_mark
from schemas.units import source_uri
from tests.fixtures.journal import CASE, COURT, ID_NO, NR, T0, TAX, Journal, event_id
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=CHINA_TZ)
E1, E2, E3 = event_id(1), event_id(2), event_id(3)
JUSTICE = "justice.411121"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: str
    url: str


async def get(base: str, path: str) -> Reply:
    def fetch() -> Reply:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                body = response.read().decode()
                return Reply(response.status, response.headers["content-type"], body, response.url)
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            return Reply(error.code, error.headers["content-type"], body, error.url)

    return await asyncio.to_thread(fetch)


def q(value: str) -> str:
    return urllib.parse.quote(value)


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """E1 to tax (receipted and answered in time) and nr (never receipted: escalated); E2 about
    a person, to tax, not receipted; E3 refused."""
    await upgrade_engine(sqlite_engine)
    j = Journal()
    records = j.records(
        j.routed(E1),
        j.answer(event_id(101), E1, at=T0 + timedelta(hours=1)),
        j.answer(event_id(102), E1, at=T0 + timedelta(days=1), receipt=False),
        j.routed(
            E2,
            at=T0 + timedelta(hours=2),
            subject=ID_NO,
            data={"subjects": [{"id_no": ID_NO}]},
            to=((TAX, ["name"]),),
        ),
        j.rejected(eid=E3, at=T0 + timedelta(hours=3)),
    )
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, records)
    key = DeliveryKey(source_uri(COURT), E1, NR)
    due = T0 + timedelta(days=1)
    notice = OverdueNotice(
        key=key, subject=CASE, stage=Stage.RECEIPT, due=due, overdue_by=timedelta(days=2)
    )
    escalate = Escalate(key=key, attempts=3, receipt_due=due)
    marked_at = T0 + timedelta(days=3)
    marks = j.records(
        overdue_mark(notice, office_unit=JUSTICE, now=marked_at),
        escalated_mark(escalate, office_unit=JUSTICE, now=marked_at),
    )
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, marks)
    return sqlite_engine


@pytest.fixture
async def console(store: AsyncEngine) -> AsyncIterator[str]:
    app = create_console_app(store, load_registry(TEST_REGISTRY), clock=lambda: NOW)
    server = ConsoleServer(app, port=0)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


async def test_the_home_page_is_the_overdue_list(console: str) -> None:
    reply = await get(console, "/")

    assert reply.status == 200
    assert reply.url.endswith("/overdue")
    assert "逾期未签收、未答复事项" in reply.body


async def test_overdue_items_are_listed_per_unit_with_their_supervision_state(
    console: str,
) -> None:
    reply = await get(console, "/overdue")

    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    body = reply.body
    # nr owes E1's receipt and reply; tax owes E2's receipt and reply.
    assert "共 4 项逾期" in body
    assert "舞阳县自然资源局" in body
    assert "已升级至联席会议办公室" in body
    assert "待督办" in body
    assert f'data-event-id="{E1}"' in body
    assert f'href="/trace?q={q(CASE)}"' in body
    # E2's subject is a person's ID number: shown masked, linked by event id.
    assert "411121********1234" in body
    assert ID_NO not in body
    assert f'href="/trace?q={E2}"' in body


async def test_the_overdue_list_of_one_unit(console: str) -> None:
    body = (await get(console, f"/overdue?unit={NR}")).body

    assert "共 2 项逾期" in body
    assert f'data-event-id="{E2}"' not in body


async def test_a_case_trace_shows_its_events_deliveries_and_timeline(console: str) -> None:
    reply = await get(console, f"/trace?q={q(CASE)}")

    assert reply.status == 200
    body = reply.body
    assert f"案件 {CASE}" in body
    assert "执行查询请求" in body
    assert "签收回执" in body
    assert "已答复" in body  # tax's copy
    assert "升级督办" in body  # nr's copy
    assert "审计日志" in body


async def test_an_unknown_trace_is_a_404_page(console: str) -> None:
    reply = await get(console, "/trace?q=nothing-like-this")

    assert reply.status == 404
    assert "未找到" in reply.body


async def test_the_trace_page_without_a_query_offers_the_search(console: str) -> None:
    reply = await get(console, "/trace")

    assert reply.status == 200
    assert 'name="q"' in reply.body


async def test_the_monthly_scorecard_page_and_its_csv(console: str) -> None:
    page = await get(console, "/scorecard?month=2024-03")
    sheet = await get(console, "/scorecard.csv?month=2024-03")

    assert page.status == 200
    assert "2024年3月成员单位签收答复考核" in page.body
    assert "按时签收率" in page.body
    assert "统计口径" in page.body
    assert sheet.content_type.startswith("text/csv")
    rows = {row["unit"]: row for row in csv.DictReader(io.StringIO(sheet.body))}
    # Every registry unit has a row. As of NOW: tax received E1 in time and answered it in
    # time, but has not received E2; nr received nothing and was escalated.
    assert len(rows) == len(load_registry(TEST_REGISTRY).units) + 1
    assert (rows[TAX]["deliveries"], rows[TAX]["receipt_on_time_rate"]) == ("2", "0.5000")
    assert (rows[NR]["still_overdue"], rows[NR]["escalated"]) == ("1", "1")


async def test_a_bad_month_is_a_400_page(console: str) -> None:
    reply = await get(console, "/scorecard?month=2024-3")

    assert reply.status == 400
    assert "YYYY-MM" in reply.body


async def test_the_annual_page_and_a_bad_year(console: str) -> None:
    page = await get(console, "/annual?year=2024")
    bad = await get(console, "/annual?year=24")

    assert page.status == 200
    assert "2024年度行政案件及司法建议情况" in page.body
    assert "负责人出庭应诉率" in page.body
    assert bad.status == 400


async def test_the_liaison_list(console: str) -> None:
    reply = await get(console, "/liaisons")

    assert reply.status == 200
    assert "李红梅" in reply.body
    assert "联席会议办公室" in reply.body
    assert "0395-7212302" in reply.body


async def test_a_store_that_cannot_be_read_gives_a_503_page(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    server = ConsoleServer(create_console_app(engine, load_registry(TEST_REGISTRY)), port=0)
    await server.start()
    try:
        reply = await get(server.url, "/overdue")
        health = await get(server.url, "/healthz")
    finally:
        await server.stop()
        await engine.dispose()

    assert reply.status == 503
    assert "审计数据库暂时无法读取" in reply.body
    assert (health.status, health.body) == (200, "ok\n")


async def test_a_port_in_use_fails_at_start(console: str) -> None:
    port = int(console.rsplit(":", 1)[1])
    engine = build_engine("sqlite+aiosqlite:///:memory:")
    server = ConsoleServer(create_console_app(engine, load_registry(TEST_REGISTRY)), port=port)

    with pytest.raises(OSError, match="in use"):
        await server.start()
    await engine.dispose()


async def test_no_banner_while_every_open_deadline_is_official(console: str) -> None:
    reply = await get(console, "/overdue")
    assert "暂定日历" not in reply.body


async def test_a_banner_says_when_open_deadlines_are_provisional(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        query = select(DeliveryRow).where(DeliveryRow.event_id == E2)
        assert (await session.execute(query)).scalar_one().status == "routed"
    async with async_sessionmaker(store)() as session, session.begin():
        await session.execute(
            update(DeliveryRow).where(DeliveryRow.event_id == E2).values(calendar="provisional")
        )
    app = create_console_app(store, load_registry(TEST_REGISTRY), clock=lambda: NOW)
    server = ConsoleServer(app, port=0)
    await server.start()
    try:
        reply = await get(server.url, "/overdue")
    finally:
        await server.stop()
    assert "1 件未办结事项的期限按暂定日历计算" in reply.body
    assert "fyhub calendar apply" in reply.body
