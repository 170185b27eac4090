"""The hub's metrics and health over HTTP, with traffic through a real router and auditor on the
real broker: counters and histograms move by exactly what was sent.

The services are built here from the hub's parts the way the composition root is to build them
with metrics: one registry per process, FastStream's Kafka middleware on each broker, each
service's metrics hook, and one metrics server with the services' health probes.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub import bootstrap
from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.observability.health import broker_probe, store_probe
from hub.observability.http import MetricsServer
from hub.store.engine import ping
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow
from schemas.units import JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, random_region, signed_by
from tests.integration.rig import Rig, bodies, hub_settings, read_records, start_group_at_end

pytestmark = [pytest.mark.kafka]

QUERY = "enforcement.query.requested.v1"
RECEIPT = "hub.receipt.v1"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass
class MeteredHub:
    rig: Rig
    server: MetricsServer
    engine: AsyncEngine

    async def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.server.port}{path}"
        return await asyncio.to_thread(http_get, url)

    async def samples(self) -> Samples:
        status, text = await self.get("/metrics")
        assert status == 200
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    async def wait_for(self, done: Callable[[Samples], bool], timeout: float = 60) -> Samples:
        async with asyncio.timeout(timeout):
            while not done(samples := await self.samples()):
                await asyncio.sleep(0.2)
        return samples


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(value for (n, have), value in samples.items() if n == name and wanted <= have)


@asynccontextmanager
async def metered_hub(tmp: Path, kafka: KafkaAccess) -> AsyncIterator[MeteredHub]:
    region = random_region()
    settings = hub_settings(tmp, kafka, region)
    contracts = bootstrap.load_contracts(settings)
    await apply_topics(kafka, planned_topics(contracts.registry.units, settings.kafka))
    group = f"fyhub.auditor.{region}"
    await start_group_at_end(kafka, JOURNAL_TOPIC, group)
    async with AsyncExitStack() as stack:
        engine = bootstrap.build_engine(settings)
        stack.push_async_callback(engine.dispose)
        await upgrade_engine(engine)
        # The services as `fyhub up` builds them, reporting into one observation.
        observed = bootstrap.Observation()
        router = bootstrap.build_router(settings, observed=observed)
        auditor = bootstrap.build_auditor(
            settings, engine=engine, group_id=group, observed=observed
        )
        server = MetricsServer(observed.registry, probes=observed.health, probe_timeout_s=15)
        producer = AIOKafkaProducer(**kafka.client_options(), acks="all")
        for service in (producer, server, auditor, router):
            await service.start()
            stack.push_async_callback(service.stop)
        yield MeteredHub(Rig(settings, region, kafka, producer), server, engine)


@pytest.fixture
async def hub(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[MeteredHub]:
    async with metered_hub(tmp_path, kafka_access) as running:
        yield running


def query_to(rig: Rig, dept: str) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event(QUERY)), rig.region) | {"to": rig.unit(dept)}
    return signed_by(event, rig.unit("court"))


def receipt_for(rig: Rig, copy: dict[str, Any], dept: str) -> dict[str, Any]:
    receipt = as_region(fresh_id(corpus_event(RECEIPT)), rig.region) | {
        "source": f"fy:unit:{rig.unit(dept)}",
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    return signed_by(receipt, rig.unit(dept))


async def receipts_applied(engine: AsyncEngine, event_id: str) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(
            AuditLogRow.kind == "receipt.received", AuditLogRow.event_id == event_id
        )
        return (await connection.execute(query)).scalar() or 0


async def test_routed_and_refused_records_move_the_counters_by_what_was_sent(
    hub: MeteredHub,
) -> None:
    rig = hub.rig
    court, tax = rig.unit("court"), rig.unit("tax")
    for _ in range(5):
        await rig.send_event(outbox_topic(court), query_to(rig, "tax"))
    for garbage in (b"\x00 not json", b"[]", b'{"specversion": "1.0"}'):
        await rig.send_raw(outbox_topic(court), garbage)

    samples = await hub.wait_for(
        lambda s: total(s, "fyhub_events_received_total", source=court) >= 8
    )
    assert total(samples, "fyhub_events_received_total", source=court) == 8
    assert total(samples, "fyhub_events_received_total", type=QUERY, source=court) == 5
    assert total(samples, "fyhub_events_routed_total", type=QUERY, recipient=tax) == 5
    assert total(samples, "fyhub_events_routed_total", type=QUERY) == 5
    assert total(samples, "fyhub_events_rejected_total", code="malformed", source=court) == 3
    assert total(samples, "fyhub_events_rejected_total") == 3
    assert total(samples, "fyhub_dlq_records_total", code="malformed") == 3
    # FastStream's middleware on the router's broker counted the same records, in batches.
    assert total(samples, "faststream_received_messages_total", app_name="fyhub-router") == 8
    acked = total(
        samples,
        "faststream_received_processed_messages_total",
        app_name="fyhub-router",
        status="acked",
    )
    assert 1 <= acked <= 8


async def test_a_receipt_is_timed_once_per_delivery_and_the_journal_lag_is_shown(
    hub: MeteredHub,
) -> None:
    rig = hub.rig
    court, tax = rig.unit("court"), rig.unit("tax")
    await rig.send_event(outbox_topic(court), query_to(rig, "tax"))
    (copy,) = bodies(await read_records(rig.kafka, inbox_topic(tax), 1))
    await rig.send_event(outbox_topic(tax), receipt_for(rig, copy, "tax"))

    timed = {"type": QUERY, "recipient": tax}
    samples = await hub.wait_for(lambda s: total(s, "fyhub_receipt_seconds_count", **timed) >= 1)
    assert total(samples, "fyhub_receipt_seconds_count", **timed) == 1
    assert total(samples, "fyhub_receipt_seconds_sum", **timed) > 0  # routed in an earlier batch
    assert total(samples, "fyhub_receipt_seconds_bucket", le="+Inf", **timed) == 1
    assert total(samples, "fyhub_reply_seconds_count", **timed) == 0
    assert total(samples, "fyhub_events_routed_total", type=RECEIPT, recipient=court) == 1
    assert ("fyhub_journal_lag", frozenset()) in samples

    # A second receipt for the same copy is routed and recorded, but the delivery is timed once.
    await rig.send_event(outbox_topic(tax), receipt_for(rig, copy, "tax"))
    async with asyncio.timeout(60):
        while await receipts_applied(hub.engine, copy["id"]) < 2:
            await asyncio.sleep(0.2)
    samples = await hub.samples()
    assert total(samples, "fyhub_events_routed_total", type=RECEIPT, recipient=court) == 2
    assert total(samples, "fyhub_receipt_seconds_count", **timed) == 1


async def test_health_is_ok_while_broker_store_and_journal_are(hub: MeteredHub) -> None:
    status, body = await hub.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _ = await hub.get("/nothing")
    assert status == 404


async def test_health_names_an_unreachable_store_and_a_broker_never_connected(
    tmp_path: Path, kafka_access: KafkaAccess
) -> None:
    settings = hub_settings(tmp_path, kafka_access, random_region())
    broker = bootstrap.build_broker(settings, client_id="fyhub-router")  # never started
    missing = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/store.db")
    probes = {
        "broker": broker_probe(broker, timeout_s=1),
        "store": store_probe(partial(ping, missing)),
    }
    server = MetricsServer(CollectorRegistry(), probes=probes)
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/healthz"
        status, body = await asyncio.to_thread(http_get, url)
    finally:
        await server.stop()
        await missing.dispose()
    assert status == 503
    answer = json.loads(body)
    assert answer["status"] == "unhealthy"
    assert set(answer["problems"]) == {"broker", "store"}
    assert answer["problems"]["store"].startswith("OperationalError")
