"""Kafka itself stopped for 30 seconds while the court keeps working: the court connector, the
router and the departments ride it out, and once the broker is back everything the court filed
arrives, in order per case, and is answered.

The test runs its own broker (the session's is shared by every test), stops it cleanly, and
starts it again on the same data and ports, as an operator restarting Kafka would."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from connectors.court.store import exports
from connectors.demo.scenario import ScenarioDriver
from hub import bootstrap
from hub.devkit import demo
from schemas.units import inbox_topic, outbox_topic
from tests.e2e.departments import running_departments
from tests.e2e.harness import (
    count,
    events_in,
    eventually,
    export_states,
    first_seen_per_subject,
    running_court,
    wait_for_answers,
)
from tests.e2e.test_court_failures import _exported
from tests.fixtures.ports import server_port_block
from tests.integration.rig import Rig, running_rig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.devkit.local_kafka import LocalKafka

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

OUTAGE_S = 30.0


@pytest.fixture
async def own_broker(tmp_path: Path) -> AsyncIterator[LocalKafka]:
    port = server_port_block(2)
    settings = bootstrap.load_settings(
        local_kafka={"home": tmp_path / "kafka", "port": port, "controller_port": port + 1}
    )
    local = demo.build_local_kafka(settings)
    await local.up()
    try:
        yield local
    finally:
        await local.down()


@pytest.fixture
async def rig_on_own_broker(own_broker: LocalKafka, tmp_path: Path) -> AsyncIterator[Rig]:
    # The same broker manager as `fyhub kafka up`, secured the same way: reached as its admin.
    async with running_rig(tmp_path, own_broker.access()) as running:
        yield running


async def test_kafka_stopped_for_30_seconds_loses_nothing_and_keeps_case_order(
    own_broker: LocalKafka, rig_on_own_broker: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    rig = rig_on_own_broker
    tax, samr = rig.unit("tax"), rig.unit("samr")
    driver = ScenarioDriver(
        court_db, random.Random(9), region=rig.region, rate_per_s=3.0, bad_record_every=0
    )
    stop = asyncio.Event()
    async with (
        running_departments(rig, tmp_path),
        running_court(rig, court_db, tmp_path / "court") as court,
    ):
        filing = asyncio.create_task(driver.run(stop))
        await asyncio.sleep(3)  # some traffic before the outage
        stopped = await own_broker.down()
        assert stopped, "the test's broker was not running"
        before = driver.steps
        await asyncio.sleep(OUTAGE_S)  # the court keeps filing; nothing can reach Kafka
        during = driver.steps - before
        await own_broker.up()
        await asyncio.sleep(3)  # and a little after
        stop.set()
        await filing

        filed = await count(court_db, exports)

        async def all_exported() -> bool:
            return await export_states(court_db) == {"exported": filed}

        await eventually(all_exported, timeout=120, what="every export to reach the SDK outbox")
        await court.connector.flush(120)
        order, at_tax, owed = await _exported(court_db, tax, samr)
        await wait_for_answers(court_db, owed, timeout=180)

    assert during >= OUTAGE_S, f"the court filed only {during} steps during the outage"
    ids = {event_id for ids in order.values() for event_id in ids}
    published = await events_in(rig, outbox_topic(rig.unit("court")), ids, timeout=120)
    assert first_seen_per_subject(published) == order
    delivered = await events_in(rig, inbox_topic(tax), at_tax, timeout=120)
    assert first_seen_per_subject(delivered) == {
        subject: [event_id for event_id in ids if event_id in at_tax]
        for subject, ids in order.items()
        if any(event_id in at_tax for event_id in ids)
    }
