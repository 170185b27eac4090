"""The router killed with SIGKILL mid-stream and restarted loses nothing (at-least-once)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from hub import bootstrap
from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.store.tables import DeliveryRow
from schemas.units import inbox_topic, outbox_topic
from tests.fixtures.ports import free_port_block
from tests.hubkit import as_region, corpus_event, fresh_id, kafka_env, random_region, signed_by
from tests.integration.rig import (
    hub_settings,
    journal_auditor,
    read_matching,
    wait_for_rows,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 10_000


def router_env(tmp: Path, kafka: KafkaAccess, region: str) -> dict[str, str]:
    settings = hub_settings(tmp, kafka, region)
    env = {key: value for key, value in os.environ.items() if not key.startswith("FYHUB_")}
    return env | {
        "FYHUB_REGISTRY": str(settings.registry),
        **kafka_env(kafka),
        "FYHUB_SECURITY__TOKEN_SECRET": settings.security.token_secret.get_secret_value(),
        "FYHUB_SECURITY__SIGNING_KEY_FILE": str(settings.security.signing_key_file),
        "FYHUB_SECURITY__SIGNING_KEY_ID": settings.security.signing_key_id,
        "FYHUB_ROUTER__GROUP_ID": settings.router.group_id,
        "FYHUB_ROUTER__MAX_RECORDS": "200",
        "FYHUB_ROUTER__MAX_AGE_S": str(settings.router.max_age_s),
        "FYHUB_OBSERVABILITY__PORT": str(free_port_block()),
    }


def start_router(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "run", "router"], env=env, stdout=out, stderr=out
        )


def queries(region: str, count: int) -> list[dict[str, Any]]:
    court, tax = f"court.{region}", f"tax.{region}"
    template = as_region(corpus_event("enforcement.query.requested.v1"), region)
    return [signed_by(fresh_id(template) | {"to": tax}, court) for _ in range(count)]


async def test_a_killed_router_loses_nothing(
    kafka_access: KafkaAccess, tmp_path: Path, sqlite_engine: AsyncEngine
) -> None:
    region = random_region()
    settings = hub_settings(tmp_path, kafka_access, region)
    units = bootstrap.load_contracts(settings).registry.units
    await apply_topics(kafka_access, planned_topics(units, settings.kafka))
    auditor = await journal_auditor(settings, sqlite_engine, region)
    await auditor.start()
    env, log = router_env(tmp_path, kafka_access, region), tmp_path / "router.log"
    events = queries(region, EVENTS)
    router = start_router(env, log)
    producer = AIOKafkaProducer(**kafka_access.client_options(), acks="all")
    await producer.start()
    try:
        sent = []
        for n, event in enumerate(events):
            raw = json.dumps(event, ensure_ascii=False).encode()
            sent.append(await producer.send(outbox_topic(f"court.{region}"), raw, key=b"%d" % n))
            if n == EVENTS // 3:
                await asyncio.gather(*sent)
                await _wait_for_some_routing(kafka_access, inbox_topic(f"tax.{region}"))
                router.send_signal(signal.SIGKILL)
                router.wait()
                router = start_router(env, log)
        await asyncio.gather(*sent)
        wanted = {event["id"] for event in events}
        copies = await read_matching(
            kafka_access,
            inbox_topic(f"tax.{region}"),
            lambda record: True,
            EVENTS,
            timeout=240,
        )
        delivered = {json.loads(record.value)["id"] for record in copies}
        assert wanted <= delivered, f"{len(wanted - delivered)} events never reached tax"
        # Some events were decided twice (before and after the kill); the store has each once.
        to_tax = select(DeliveryRow).where(DeliveryRow.recipient == f"tax.{region}")
        assert await wait_for_rows(sqlite_engine, to_tax, EVENTS, timeout=240) == EVENTS
        async with sqlite_engine.connect() as connection:
            stored = (await connection.execute(select(DeliveryRow.event_id))).scalars().all()
        assert sorted(stored) == sorted(wanted)
    finally:
        await auditor.stop()
        await producer.stop()
        router.terminate()
        router.wait(timeout=30)


async def _wait_for_some_routing(kafka: KafkaAccess, inbox: str) -> None:
    # The kill must land mid-stream: after the router has routed (and maybe committed) some.
    await read_matching(kafka, inbox, lambda record: True, 100, timeout=60)
