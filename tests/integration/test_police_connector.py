"""The police connector over its own database (SQLite and PostgreSQL), without a broker, with
copies made by the router's own decision function: each request is handled once per event id, a
lift ends the restriction it names, and a running watch reports each newer trace once and answers
not found on its last day, through the connector's outbox."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, update

from connectors.demo.police_books import seed_police_demo
from connectors.police.app import PoliceApp
from connectors.police.store import (
    border_controls,
    create_police_schema,
    handled_requests,
    persons,
    watches,
)
from connectors.sdk import store as sdk_store
from schemas.catalogue import CATALOGUE
from schemas.dates import CHINA_TIME
from tests.hubkit import corpus_event, router_context
from tests.integration.test_tax_samr_connectors import Desk, idle_connector

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import Connector
    from hub.router.context import RouterContext
    from schemas.common import Payload

POLICE = "police.411121"
WANG = ("王建军", "resident_id", "411121198503152315")


@pytest.fixture(scope="module")
def ctx() -> RouterContext:
    return router_context()


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, dt.time(10), CHINA_TIME)

    def __call__(self) -> dt.datetime:
        return self.now


def sample(event_type: str, variant: str = "valid-basic", **changes: Any) -> Payload:
    data = corpus_event(event_type, variant)["data"] | changes
    return CATALOGUE[event_type].validate_payload(data)


async def count(engine: AsyncEngine, table: Any, *where: Any) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).select_from(table).where(*where)
        return int((await connection.execute(query)).scalar_one())


def outbox_records(connector: Connector) -> list[bytes]:
    with contextlib.closing(sqlite3.connect(connector.outbox.path)) as db:
        return [row[0] for row in db.execute("SELECT record FROM outbox ORDER BY seq")]


def outbox_answers(connector: Connector) -> list[dict[str, Any]]:
    return [json.loads(record)["data"] for record in outbox_records(connector)]


async def police_app(engine: AsyncEngine, ctx: RouterContext, tmp: Path, clock: Clock) -> PoliceApp:
    await create_police_schema(engine)
    await seed_police_demo(engine, random.Random(3), debtors=[WANG], count=3, today=clock().date())
    connector = idle_connector(POLICE, ctx, tmp)
    sdk_store.connect(connector.outbox.path).close()  # the outbox's tables, as `start` makes them
    return PoliceApp(connector, engine, clock=clock)


async def test_a_restriction_is_entered_once_and_its_lift_ends_it(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    clock = Clock(dt.date(2026, 12, 4))
    app = await police_app(store_engine, ctx, tmp_path, clock)
    desk = Desk(ctx)
    restrict = sample("police.exit_control.requested.v1", capacity="debtor", debtor_unit=None)
    restrict = restrict.model_copy(update={"person": sample("police.locate.requested.v1").person})
    copy = desk.copy(restrict, POLICE, to=POLICE)
    first, again = desk.delivered(copy, POLICE), desk.delivered(copy, POLICE)
    await app.control_exit(first)
    await app.control_exit(again)  # the handler run again, e.g. after a crash
    (reply,), (repeated,) = first.replies, again.replies
    assert reply.event_id == repeated.event_id
    assert json.loads(reply.value)["data"]["outcome"] == "entered"
    assert await count(store_engine, border_controls, border_controls.c.state == "active") == 1

    lift = sample(
        "police.exit_control.requested.v1",
        request_no="XC4111212026120900002",
        action="lift",
        previous_request_no=restrict.request_no,  # type: ignore[attr-defined]
    )
    lifted = desk.delivered(desk.copy(lift, POLICE, to=POLICE), POLICE)
    await app.control_exit(lifted)
    (answer,) = lifted.replies
    assert json.loads(answer.value)["data"]["outcome"] == "lifted"
    assert await count(store_engine, border_controls, border_controls.c.state == "lifted") == 1
    assert await count(store_engine, handled_requests) == 2


async def test_a_running_watch_reports_each_newer_trace_once_then_not_found_on_its_last_day(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    clock = Clock(dt.date(2026, 12, 4))
    app = await police_app(store_engine, ctx, tmp_path, clock)
    desk = Desk(ctx)
    request = sample("police.locate.requested.v1", end="2026-12-20")
    async with store_engine.begin() as connection:  # no trace yet
        await connection.execute(
            update(persons).where(persons.c.id_no == WANG[2]).values(seen_place=None, seen_at=None)
        )
    event = desk.delivered(desk.copy(request, POLICE, to=POLICE), POLICE)
    await app.watch(event)
    assert event.replies == ()
    assert await count(store_engine, watches, watches.c.state == "open") == 1
    assert await app.watches.sweep() == 0

    seen = clock() - dt.timedelta(hours=2)
    async with store_engine.begin() as connection:
        await connection.execute(
            update(persons)
            .where(persons.c.id_no == WANG[2])
            .values(seen_place="郑州东站", seen_at=seen)
        )
    assert await app.watches.sweep() == 1
    assert await app.watches.sweep() == 0  # reported once
    clock.now = dt.datetime(2026, 12, 20, 9, tzinfo=CHINA_TIME)
    assert await app.watches.sweep() == 1
    assert await app.watches.sweep() == 0
    sighting, ended = outbox_answers(app.connector)
    assert (sighting["outcome"], sighting["place"]) == ("sighted", "郑州东站")
    assert (ended["outcome"], ended["answered_on"]) == ("not_found", "2026-12-20")
    assert await count(store_engine, watches, watches.c.state == "closed") == 1
