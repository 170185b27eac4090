"""The court connector under failure, end to end: killed mid-stream and restarted, and cut off
from Kafka for 30 seconds while the court keeps working."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.court.app import file_enforcement_query
from connectors.court.export import load_payload, subject_of
from connectors.court.store import answers, enforcement_answers, exports
from connectors.demo.court import CourtDemo
from connectors.demo.scenario import ScenarioDriver
from hub import bootstrap
from schemas.identifiers import china_today
from schemas.signing import dump_public_key
from schemas.units import inbox_topic, outbox_topic
from tests.e2e.departments import debtors_of, running_departments
from tests.e2e.harness import (
    count,
    events_in,
    eventually,
    export_states,
    first_seen_per_subject,
    rows,
    running_court,
    sqlite_url,
    wait_for_answers,
)
from tests.fixtures.ports import free_port
from tests.hubkit import ROOT, kafka_env
from tests.integration.rig import Rig

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

OUTAGE_S = 30.0
GROUP_TYPES = {
    "debtor.listed.v1",
    "debtor.corrected.v1",
    "debtor.delisted.v1",
    "bankruptcy.accepted.v1",
    "bankruptcy.declared.v1",
    "bankruptcy.reorganization.approved.v1",
    "bankruptcy.terminated.v1",
}
"""Types routed to groups tax belongs to (joint_punishment, bankruptcy_linkage)."""


class CourtProcess:
    """The court connector running in `python -m tests.e2e.court_process`."""

    def __init__(self, rig: Rig, database: Path, state_dir: Path, log: Path) -> None:
        hub_key = bootstrap.load_hub_signing_key(rig.settings).public_key()
        self.argv = [
            sys.executable,
            "-m",
            "tests.e2e.court_process",
            *("--kafka", rig.bootstrap, "--region", rig.region),
            *("--db", sqlite_url(database), "--state", str(state_dir)),
            *("--hub-key-id", rig.settings.security.signing_key_id),
            *("--hub-key", dump_public_key(hub_key)),
        ]
        self.log, self.kafka = log, rig.kafka
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                env=os.environ | kafka_env(self.kafka) | {"PYTHONUNBUFFERED": "1"},
            )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        assert line.strip() == b"ready", self.log.read_text(errors="replace")[-2000:]

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight stays half done."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self.process = None


async def test_the_court_connector_killed_mid_stream_loses_no_answer_and_applies_none_twice(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    court = CourtDemo(random.Random(5), china_today())
    cases = [court.enforcement_case() for _ in range(4)]
    inquiries = [court.query(cases[n % len(cases)], ("tax",)) for n in range(40)]
    tax = rig.unit("tax")
    connector_process = CourtProcess(
        rig, tmp_path / "court.db", tmp_path / "court", tmp_path / "court.log"
    )
    debtors = debtors_of(*(debtor for case in cases for debtor in case.debtors))
    async with running_departments(rig, tmp_path, debtors=debtors):
        await connector_process.start()
        try:
            sent = [await file_enforcement_query(court_db, i, to=tax) for i in inquiries[:25]]

            async def some_answers_in() -> bool:
                return await count(court_db, answers) >= 8

            await eventually(some_answers_in, what="the first answers")
            await connector_process.kill()
            # The court's case system goes on filing while its connector is down.
            sent += [await file_enforcement_query(court_db, i, to=tax) for i in inquiries[25:]]
            await connector_process.start()
            await wait_for_answers(court_db, {event_id: {tax} for event_id in sent})
        finally:
            await connector_process.kill()

    per_request = await rows(
        court_db,
        select(enforcement_answers.c.request_no, func.count().label("n")).group_by(
            enforcement_answers.c.request_no
        ),
    )
    assert {row["request_no"]: row["n"] for row in per_request} == {
        inquiry.request_no: 1 for inquiry in inquiries
    }
    assert await count(court_db, answers) == len(inquiries)
    assert await export_states(court_db) == {"exported": len(inquiries)}
    published = await events_in(rig, outbox_topic(rig.unit("court")), set(sent))
    event_ids_per_request: dict[str, set[str]] = defaultdict(set)
    for event in published:
        event_ids_per_request[event["data"]["request_no"]].add(event["id"])
    assert all(len(ids) == 1 for ids in event_ids_per_request.values())
    assert len(event_ids_per_request) == len(inquiries)


async def test_while_kafka_is_unreachable_the_court_keeps_exporting_and_all_arrives_in_order(
    rig: Rig, tmp_path: Path, court_db: AsyncEngine
) -> None:
    tax, samr = rig.unit("tax"), rig.unit("samr")
    driver = ScenarioDriver(
        court_db, random.Random(6), region=rig.region, rate_per_s=3.0, bad_record_every=0
    )
    stop = asyncio.Event()
    async with running_departments(rig, tmp_path):
        cut_off = f"127.0.0.1:{free_port()}"
        async with running_court(rig, court_db, tmp_path / "court", kafka=cut_off) as offline:
            filing = asyncio.create_task(driver.run(stop))
            await asyncio.sleep(OUTAGE_S)
            stop.set()
            await filing
            filed = await count(court_db, exports)

            async def all_exported() -> bool:
                return await export_states(court_db) == {"exported": filed}

            await eventually(all_exported, what="the exports to reach the SDK outbox")
            assert await offline.connector.unsent() == filed
            assert offline.connector.stats.sent == 0
        async with running_court(rig, court_db, tmp_path / "court") as online:
            await online.connector.flush(60)
            order, at_tax, owed = await _exported(court_db, tax, samr)
            await wait_for_answers(court_db, owed)

    assert filed >= 60
    ids = {event_id for ids in order.values() for event_id in ids}
    published = await events_in(rig, outbox_topic(rig.unit("court")), ids)
    assert first_seen_per_subject(published) == order
    delivered = await events_in(rig, inbox_topic(tax), at_tax)
    assert first_seen_per_subject(delivered) == {
        subject: [event_id for event_id in ids if event_id in at_tax]
        for subject, ids in order.items()
        if any(event_id in at_tax for event_id in ids)
    }


async def _exported(
    engine: AsyncEngine, tax: str, samr: str
) -> tuple[dict[str, list[str]], set[str], dict[str, set[str]]]:
    """The exports' event ids per subject in export order, those delivered to tax, and the
    inquiries and listings with the units that owe an answer to them."""
    order: dict[str, list[str]] = defaultdict(list)
    at_tax: set[str] = set()
    owed: dict[str, set[str]] = {}
    async with engine.connect() as connection:
        exported = (await connection.execute(select(exports).order_by(exports.c.id))).mappings()
        for export in list(exported):
            payload: Any = await load_payload(connection, export["event_type"], export["ref_id"])
            order[subject_of(payload) or payload.case_no].append(export["event_id"])
            if tax in (export["to_units"] or "").split() or export["event_type"] in GROUP_TYPES:
                at_tax.add(export["event_id"])
            if export["event_type"] in {"enforcement.query.requested.v1", "debtor.listed.v1"}:
                owed[export["event_id"]] = {tax, samr}
    return dict(order), at_tax, owed
