"""What production does to the hub, on a hub shaped as production runs it (`production_hub`):
a broker killed, a router killed, the database stopped, the whole cluster down, one after the
other on the same running hub, as a county's hub lives through them. The court sends 20,000
events while a broker is killed and 10,000 in each of the other faults (queries to tax or samr,
and one in twenty a listing that reaches every entitled unit); all must reach every entitled
inbox, the store must hold each delivery exactly once, and the audit chain must verify. Each
test prints its counts, and the run's summary repeats them."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

import pytest

from hub.kafka.admin import admin_client
from schemas.units import JOURNAL_TOPIC
from tests.faults.production_hub import Counts, ProductionHub, production_hub

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.cluster,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(900),
]

EVENTS = 20_000
"""Events sent while the journal's leader is killed."""
FEWER_EVENTS = 10_000
"""Events sent in each of the other faults: as much traffic in flight when the fault strikes, half
the catch-up afterwards (the suite runs within CI's time)."""
MID_STREAM = 1_500
"""Copies in tax's inbox before the fault: the hub is busy, far from done."""


def assert_nothing_lost(hub: ProductionHub, counts: Counts) -> None:
    dead = hub.dead_services()
    assert not dead, f"hub processes exited: {dead}\n{hub.logs()}"
    assert counts.lost == 0, f"{counts.line()}\n{hub.logs()}"
    assert counts.delivered == counts.expected == counts.stored_once, counts.line()


@pytest.fixture(scope="module")
async def hub() -> AsyncIterator[ProductionHub]:
    async with production_hub() as running:
        yield running


async def _journal_leader(hub: ProductionHub) -> int:
    async with admin_client(hub.admin) as admin:
        (described,) = await admin.describe_topics([JOURNAL_TOPIC])
    return int(described["partitions"][0]["leader"])


async def test_a_broker_killed_with_sigkill_mid_stream_loses_nothing(hub: ProductionHub) -> None:
    publishing = asyncio.create_task(hub.publish(hub.events(EVENTS)))
    await hub.wait_until_delivered(hub.unit("tax"), MID_STREAM)
    # The journal's leader: every routed event goes through its one partition.
    victim = await _journal_leader(hub)
    hub.cluster.kill(victim, signal.SIGKILL)
    await asyncio.sleep(10)
    await hub.cluster.up()  # restarts the killed node on its data
    await publishing
    counts = await hub.count("broker SIGKILL")
    assert_nothing_lost(hub, counts)


async def test_a_router_killed_mid_stream_while_the_other_carries_on_loses_nothing(
    hub: ProductionHub,
) -> None:
    publishing = asyncio.create_task(hub.publish(hub.events(FEWER_EVENTS)))
    await hub.wait_until_delivered(hub.unit("tax"), MID_STREAM)
    hub.kill("router-1")  # not restarted: router-2 takes its partitions
    await publishing
    counts = await hub.count("router SIGKILL")
    assert_nothing_lost(hub, counts)
    hub.start("router-1")  # two routers again for the next fault


async def test_postgresql_stopped_for_30_seconds_under_traffic_loses_nothing(
    hub: ProductionHub,
) -> None:
    publishing = asyncio.create_task(hub.publish(hub.events(FEWER_EVENTS)))
    await hub.wait_until_delivered(hub.unit("tax"), MID_STREAM)
    hub.postgres.down()
    await asyncio.sleep(30)
    hub.postgres.up()
    await publishing
    counts = await hub.count("PostgreSQL stopped 30 s")  # the auditor caught up
    assert_nothing_lost(hub, counts)


async def test_the_whole_cluster_down_for_60_seconds_while_the_court_keeps_publishing(
    hub: ProductionHub,
) -> None:
    # Slower filing (about 40 s of it), so that the court is still filing when the cluster goes.
    events = hub.events(FEWER_EVENTS)
    publishing = asyncio.create_task(hub.publish(events, chunk=200, pause_s=0.8))
    await hub.wait_until_delivered(hub.unit("tax"), MID_STREAM // 3)
    stopped = await hub.cluster.down()
    assert len(stopped) == 3
    waiting_before = await hub.court.unsent()
    await asyncio.sleep(60)
    waiting_after = await hub.court.unsent()
    await hub.cluster.up()
    await publishing
    assert waiting_after > waiting_before, "the court filed nothing during the outage"
    counts = await hub.count("cluster down 60 s")
    assert_nothing_lost(hub, counts)
