"""Provisional deadlines are visible: the gauge `fyhub_deadlines_provisional`, the `/healthz`
detail (never a failure), and the count the tracker and the console read from the store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import pytest
from prometheus_client import CollectorRegistry

from hub.auditor.apply import apply_journal_batch
from hub.journal.entries import Delivered
from hub.observability.health import provisional_deadlines_detail
from hub.observability.http import metrics_app
from hub.observability.metrics import TrackerMetrics
from hub.routing.deadlines import CHINA_TZ
from hub.store.migrate import upgrade_engine
from hub.tracker.store import provisional_open_count
from tests.fixtures.journal import NR, TAX, Journal, event_id

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.applications import Starlette

from sqlalchemy.ext.asyncio import async_sessionmaker


def test_the_gauge_counts_the_last_sweep() -> None:
    registry = CollectorRegistry()
    metrics = TrackerMetrics(registry)
    metrics.provisional_counted(3)
    assert registry.get_sample_value("fyhub_deadlines_provisional") == 3
    metrics.provisional_counted(0)
    assert registry.get_sample_value("fyhub_deadlines_provisional") == 0


async def healthz(app: Starlette) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        return await client.get("/healthz")


async def test_healthz_stays_ok_and_adds_the_detail() -> None:
    count = 0
    app = metrics_app(
        CollectorRegistry(),
        probes={},
        details={"tracker.calendar": provisional_deadlines_detail(lambda: count)},
    )
    quiet = await healthz(app)
    assert (quiet.status_code, quiet.content) == (200, b'{"status":"ok"}')
    count = 2
    noted = await healthz(app)
    body = noted.json()
    assert noted.status_code == 200
    assert body["status"] == "ok"
    assert body["details"]["tracker.calendar"].startswith("2 open deliveries have provisional")
    assert "fyhub calendar apply" in body["details"]["tracker.calendar"]


async def test_an_unhealthy_service_keeps_its_details() -> None:
    async def broken() -> str | None:
        return "Kafka did not answer"

    app = metrics_app(
        CollectorRegistry(),
        probes={"router.kafka": broken},
        details={"tracker.calendar": provisional_deadlines_detail(lambda: 1)},
    )
    reply = await healthz(app)
    body = json.loads(reply.content)
    assert reply.status_code == 503
    assert set(body) == {"status", "problems", "details"}


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    return sqlite_engine


async def test_the_store_counts_open_provisional_deliveries(store: AsyncEngine) -> None:
    journal = Journal()
    due = datetime(2027, 1, 4, 23, 59, 59, tzinfo=CHINA_TZ)
    provisional = journal.routed(event_id(1)).model_copy(
        update={
            "deliveries": [
                Delivered(
                    recipient=unit, fields="all", receipt_by=due, reply_by=None, calendar=label
                )
                for unit, label in ((TAX, "provisional"), (NR, "official"))
            ]
        }
    )
    receipt = journal.answer(event_id(101), event_id(1), by=TAX)
    async with async_sessionmaker(store)() as session, session.begin():
        await apply_journal_batch(session, journal.records(provisional))
    async with async_sessionmaker(store)() as session:
        assert await provisional_open_count(session) == 1
    # Receipted, and no reply owed: closed, so no longer open.
    async with async_sessionmaker(store)() as session, session.begin():
        await apply_journal_batch(session, journal.records(receipt))
    async with async_sessionmaker(store)() as session:
        assert await provisional_open_count(session) == 0
