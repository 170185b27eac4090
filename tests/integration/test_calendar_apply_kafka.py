"""Provisional deadlines mended on the real broker: a listing routed in mid-December 2026 has its
15 working days counted into 2027, a year no source covers (provisional); the office adds a 2027
arrangement and runs `fyhub calendar apply`; the auditor moves the store's due times, and a
replay of the journal into a fresh store agrees."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from typer.testing import CliRunner

from hub import bootstrap
from hub.auditor.replay import JournalReplay
from hub.cli.main import app
from hub.kafka.access import KafkaAccess
from hub.kafka.records import Outbound, encode_json
from hub.kafka.topics import apply_topics, planned_topics
from hub.kafka.writer import RecordWriter
from hub.router.service import RouterService, register_router
from hub.routing.deadlines import CHINA_TZ
from hub.store.migrate import upgrade_engine
from hub.store.tables import DeliveryRow
from hub.supervision import reads
from hub.supervision.text import trace_lines
from schemas.units import JOURNAL_TOPIC, outbox_topic
from tests.calendars import SHIPPED_CALENDAR
from tests.hubkit import as_region, corpus_event, fresh_id, kafka_env, random_region, signed_by
from tests.integration.rig import hub_settings, journal_auditor, start_group_at_end

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine
    from typer.testing import Result

    from hub.routing.loader import Contracts
    from hub.settings import Settings

pytestmark = [pytest.mark.kafka]

ROUTED_AT = datetime(2026, 12, 15, 10, tzinfo=CHINA_TZ)  # a Tuesday
RECIPIENTS = ("tax", "samr", "nr", "pboc", "police", "justice")
# A made-up 2027 notice for the test: 元旦 from Friday 01-01 to Monday 01-04.
NOTICE_2027 = """\
year: 2027
notice: {title: 国务院办公厅关于2027年部分节假日安排的通知（测试用）}
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-04}
"""


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


async def due_rows(store: AsyncEngine, event_id: str) -> dict[str, tuple[object, ...]]:
    async with store.connect() as connection:
        rows = await connection.execute(select(DeliveryRow).where(DeliveryRow.event_id == event_id))
        return {r.recipient: (r.receipt_due, r.reply_due, r.calendar) for r in rows}


async def wait_until(check: object, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not await check():  # type: ignore[operator]
            await asyncio.sleep(0.2)


async def trace_text(store: AsyncEngine, event_id: str) -> str:
    async with async_sessionmaker(store)() as session:
        found = await reads.trace(session, event_id)
    assert found is not None
    return "\n".join(trace_lines(found))


async def calendar_apply(settings: Settings) -> Result:
    """`fyhub calendar apply` as the office runs it, on the test's calendar, store and broker."""
    env = {
        "FYHUB_CALENDAR": str(settings.calendar),
        "FYHUB_DB__URL": settings.db.url,
        **kafka_env(bootstrap.kafka_access(settings)),
        "FYHUB_REGISTRY": str(settings.registry),
        # the hub's own key, which seals what it writes to the journal
        "FYHUB_SECURITY__SIGNING_KEY_FILE": str(settings.security.signing_key_file),
        "FYHUB_SECURITY__SIGNING_KEY_ID": settings.security.signing_key_id,
    }
    # In a thread: the command runs its own event loop.
    result = await asyncio.to_thread(CliRunner().invoke, app, ["calendar", "apply"], env=env)
    assert result.exit_code == 0, result.output
    return result


def router_at(settings: Settings, contracts: Contracts, now: datetime) -> RouterService:
    """The router as `bootstrap.build_router` makes it, on a clock fixed at `now`."""
    broker = bootstrap.build_broker(settings, client_id="fyhub-router")
    writer = RecordWriter(
        bootstrap.kafka_access(settings), client_id="fyhub-router", max_request_size=4_194_304
    )
    pipeline = register_router(
        broker,
        writer,
        bootstrap.build_router_context(settings, contracts),
        [outbox_topic(code) for code in sorted(contracts.registry.units)],
        group_id=settings.router.group_id,
        max_records=settings.router.max_records,
        clock=lambda: now,
    )
    return RouterService(broker, writer, pipeline=pipeline)


async def test_calendar_apply_mends_provisional_deadlines_and_a_replay_agrees(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    calendar_dir = tmp_path / "calendar"
    shutil.copytree(SHIPPED_CALENDAR, calendar_dir)
    region = random_region()
    settings = hub_settings(tmp_path, kafka_access, region, calendar=calendar_dir)
    contracts = bootstrap.load_contracts(settings)
    await apply_topics(kafka_access, planned_topics(contracts.registry.units, settings.kafka))
    replay_group = f"fyhub.replay.{region}"
    await start_group_at_end(kafka_access, JOURNAL_TOPIC, replay_group)

    store = bootstrap.build_engine(settings)
    auditor = await journal_auditor(settings, store, region)
    router = router_at(settings, contracts, ROUTED_AT)
    fresh = bootstrap.build_engine(
        settings.model_copy(
            update={
                "db": settings.db.model_copy(
                    update={"url": f"sqlite+aiosqlite:///{tmp_path}/replayed.db"}
                )
            }
        )
    )
    producer_writer = RecordWriter(kafka_access, client_id="test-court", max_request_size=4_194_304)
    await auditor.start()
    await router.start()
    await producer_writer.start()
    try:
        court = f"court.{region}"
        listing = as_region(fresh_id(corpus_event("debtor.listed.v1")), region)
        listing["time"] = "2026-12-15T09:30:00+08:00"
        listing = signed_by(listing, court)
        await producer_writer.write_all(
            [Outbound(outbox_topic(court), listing["subject"].encode(), encode_json(listing))]
        )

        # 15 working days from Tue 12-15: 12-16…12-31 (12), 元旦 Fri 01-01 by statute, then
        # Mon 01-04 (13) … Wed 01-06 (15): provisional.
        provisional = (end_of(date(2026, 12, 16)), end_of(date(2027, 1, 6)), "provisional")

        async def routed() -> bool:
            rows = await due_rows(store, listing["id"])
            return len(rows) == len(RECIPIENTS)

        await wait_until(routed)
        before = await due_rows(store, listing["id"])
        assert set(before.values()) == {provisional}, before

        (calendar_dir / "2027.yaml").write_text(NOTICE_2027, encoding="utf-8")
        result = await calendar_apply(settings)
        assert f"{listing['id']} → tax.{region}" in result.stdout

        # With Monday 01-04 off too: the 15th working day is Thu 01-07, now official.
        official = (end_of(date(2026, 12, 16)), end_of(date(2027, 1, 7)), "official")

        async def rescheduled() -> bool:
            return set((await due_rows(store, listing["id"])).values()) == {official}

        await wait_until(rescheduled)

        text = await trace_text(store, listing["id"])
        assert "official calendar" in text
        assert "deadlines.recomputed" in text

        await upgrade_engine(fresh)
        replay = JournalReplay(
            kafka_access,
            async_sessionmaker(fresh, expire_on_commit=False),
            group_id=replay_group,
            trust=bootstrap.build_journal_trust(settings),
        )
        await replay.run(from_beginning=False)
        assert await due_rows(fresh, listing["id"]) == await due_rows(store, listing["id"])
    finally:
        await producer_writer.stop()
        await router.stop()
        await auditor.stop()
        await store.dispose()
        await fresh.dispose()
