"""The demo scenario end to end: the driver files the court's work across all four families and
slips in bad records; the answers and the hub's rejections come back into the court database."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.court.store import answers, hub_notices
from connectors.demo.scenario import ScenarioDriver
from tests.e2e.departments import running_departments
from tests.e2e.harness import eventually, export_states, rows, running_court
from tests.hubkit import sdk_security
from tests.integration.rig import Rig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FAMILIES = {"enforcement", "debtor", "bankruptcy", "admincase", "judicial"}


async def test_the_scenario_keeps_every_family_flowing_and_bad_records_are_rejected(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    driver = ScenarioDriver(
        court_db,
        random.Random(8),
        region=rig.region,
        rate_per_s=10.0,
        bad_record_every=6,
        raw_producer_bootstrap=rig.bootstrap,
        raw_producer_security=sdk_security(rig.kafka),
    )
    stop = asyncio.Event()
    async with (
        running_departments(rig, tmp_path) as departments,
        running_court(rig, court_db, tmp_path / "court") as court,
    ):
        filing = asyncio.create_task(driver.run(stop))

        async def enough_steps() -> bool:
            return driver.steps >= 60

        await eventually(enough_steps, what="60 scenario steps")
        stop.set()
        await filing

        async def every_family_answered() -> bool:
            found = await rows(court_db, select(answers.c.type))
            return {row["type"].split(".", 1)[0] for row in found} >= FAMILIES

        async def bad_records_rejected() -> bool:
            notices = await rows(
                court_db, select(hub_notices).where(hub_notices.c.kind == "rejected")
            )
            return len(notices) >= driver.done["bad_record"]

        async def all_exported() -> bool:
            # the last steps may still be in the export table when the answers are all in
            return set(await export_states(court_db)) == {"exported"}

        await eventually(every_family_answered, what="answers of every family")
        await eventually(bad_records_rejected, what="a rejection of each bad record")
        await eventually(all_exported, what="the drainer to publish every export")

    # Every copy the hub delivered was one its recipient could read (a projection that left a
    # recipient an invalid payload would be refused by its connector, and never receipted).
    for connector in (departments.tax, departments.samr, court.connector):
        assert connector.stats.refused == 0, connector.unit

    assert driver.done["bad_record"] == 10
    assert set(driver.done) - {"bad_record"} >= {"enforcement_query", "listing", "admin_case_filed"}
    states = await export_states(court_db)
    assert set(states) == {"exported"}
    rejected = await rows(court_db, select(hub_notices).where(hub_notices.c.kind == "rejected"))
    assert {row["code"] for row in rejected} <= {"malformed", "bad_signature", "schema_invalid"}
    assert len(rejected) == driver.done["bad_record"]
