"""Forged journal records on a real broker: a client that may write to the journal (here the
administrator) writes entries the hub never sealed, one sealed with a key that is not the hub's
under the hub's key id, and one the hub's key sealed around an event its unit never signed. The
auditor refuses all three (stored as refused, never applied), counts them on
`fyhub_journal_refused_total`, `fyhub audit verify` lists them, a replay refuses them alike, and
the genuine entries around them are applied."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.journal.seal import HubSigner, journal_record
from hub.kafka.records import Outbound
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, EventRow, ProcessedRow, UnreadableEntryRow
from schemas.signing import generate_keypair
from tests.fixtures.journal import CASE, HUB_KEY_ID, HUB_SIGNER, Journal, event_id, write_hub_key
from tests.hubkit import TEST_REGISTRY, kafka_overrides

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess
    from hub.settings import Settings
    from tests.fixtures.kafka import NewTopicFactory

pytestmark = [pytest.mark.kafka]

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"
GENUINE_BEFORE, UNSEALED, WRONG_KEY, UNSIGNED_EVENT, GENUINE_AFTER = (
    event_id(n) for n in range(1, 6)
)


def forged_records(topic: str) -> list[Outbound]:
    """Two genuine entries around three forgeries, in journal order."""
    journal = Journal()
    forger = HubSigner(HUB_KEY_ID, generate_keypair()[0])
    unsealed = journal.routed(UNSEALED)
    altered = journal.routed(UNSIGNED_EVENT)
    altered = altered.model_copy(update={"event": altered.event | {"purpose": "forged"}})
    key = CASE.encode()
    genuine = [
        journal_record(journal.routed(e), key, HUB_SIGNER, topic=topic)
        for e in (GENUINE_BEFORE, GENUINE_AFTER)
    ]
    return [
        genuine[0],
        Outbound(topic, key, unsealed.model_dump_json().encode()),
        journal_record(journal.routed(WRONG_KEY), key, forger, topic=topic),
        journal_record(altered, key, HUB_SIGNER, topic=topic),
        genuine[1],
    ]


async def write_as(access: KafkaAccess, records: list[Outbound]) -> None:
    producer = AIOKafkaProducer(**access.client_options(), acks="all")
    await producer.start()
    try:
        for out in records:
            await producer.send_and_wait(
                out.topic, out.value, key=out.key, headers=list(out.headers)
            )
    finally:
        await producer.stop()


def auditor_settings(tmp_path: Path, kafka: KafkaAccess, database: Path) -> Settings:
    return bootstrap.load_settings(
        kafka=kafka_overrides(kafka),
        registry=TEST_REGISTRY,
        security={
            "signing_key_file": write_hub_key(tmp_path / "hub.key"),
            "signing_key_id": HUB_KEY_ID,
        },
        db={"url": f"sqlite+aiosqlite:///{database}"},
    )


async def applied_records(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(ProcessedRow.consumer == "auditor")
        return (await connection.execute(query)).scalar() or 0


async def wait_until_applied(engine: AsyncEngine, count: int) -> None:
    deadline = time.monotonic() + 60
    while (done := await applied_records(engine)) < count:
        assert time.monotonic() < deadline, f"the auditor took {done} of {count} records"
        await asyncio.sleep(0.2)


def audit_verify(database: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    environment["FYHUB_DB__URL"] = f"sqlite+aiosqlite:///{database}"
    return subprocess.run(
        [str(FYHUB), "audit", "verify"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_forged_journal_entries_are_refused_counted_and_listed_and_the_genuine_applied(
    tmp_path: Path, kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    database = tmp_path / "fyhub.db"
    settings = auditor_settings(tmp_path, kafka_access, database)
    store = bootstrap.build_engine(settings)
    await upgrade_engine(store)
    await write_as(kafka_access, forged_records(topic))
    observed = bootstrap.Observation()
    auditor = bootstrap.build_auditor(settings, engine=store, topic=topic, observed=observed)
    await auditor.start()
    try:
        await wait_until_applied(store, 5)
    finally:
        await auditor.stop()

    async with async_sessionmaker(store)() as session:
        events = set((await session.execute(select(EventRow.event_id))).scalars())
        refused = (
            await session.execute(
                select(UnreadableEntryRow.journal_offset, UnreadableEntryRow.refusal).order_by(
                    UnreadableEntryRow.journal_offset
                )
            )
        ).all()
        kinds = list((await session.execute(select(AuditLogRow.kind))).scalars())
    await store.dispose()
    assert events == {GENUINE_BEFORE, GENUINE_AFTER}
    assert [tuple(row) for row in refused] == [
        (1, "unsealed"),
        (2, "bad_seal"),
        (3, "bad_event_signature"),
    ]
    assert kinds.count("journal.refused") == 3
    assert auditor.stats.refused == 3
    counted = {
        refusal: observed.registry.get_sample_value(
            "fyhub_journal_refused_total", {"refusal": refusal}
        )
        for refusal in ("unsealed", "bad_seal", "bad_event_signature", "unknown_key")
    }
    assert counted == {"unsealed": 1, "bad_seal": 1, "bad_event_signature": 1, "unknown_key": 0}

    verified = await asyncio.to_thread(audit_verify, database)
    assert verified.returncode == 0, verified.stderr
    lines = verified.stdout.splitlines()
    assert lines[0].startswith("chain intact")
    assert lines[1] == "3 journal records refused as untrusted (never applied):"
    assert [line.split()[0] for line in lines[2:]] == ["0:1", "0:2", "0:3"]
    assert "unsealed: not sealed by the hub" in lines[2]
    assert f"bad_seal: the seal does not verify with hub key '{HUB_KEY_ID}'" in lines[3]


async def test_a_replay_refuses_the_forgeries_as_the_auditor_does(
    tmp_path: Path, kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    database = tmp_path / "replayed.db"
    settings = auditor_settings(tmp_path, kafka_access, database)
    await write_as(kafka_access, forged_records(topic))
    engine = build_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade_engine(engine)
        report = await bootstrap.build_journal_replay(settings, engine, topic=topic).run(
            from_beginning=True
        )
    finally:
        await engine.dispose()
    assert (report.records, report.applied, report.refused, report.unreadable) == (5, 2, 3, 0)
