"""`/metrics` and `/healthz` over real HTTP: the Starlette app served by uvicorn inside the test's
event loop (`MetricsServer`), on a free port, built as the composition root builds it."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from hub import bootstrap
from hub.observability.http import SERVICE_PORT_OFFSETS, MetricsServer
from hub.observability.metrics import RouterMetrics
from tests.fixtures.ports import free_port_block

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hub.observability.health import Probe

TAX = "tax.411121"
QUERY = "enforcement.query.requested.v1"


async def passes() -> str | None:
    return None


async def kafka_down() -> str | None:
    return "Kafka did not answer within 2 s"


@pytest.fixture
async def served() -> AsyncIterator[tuple[MetricsServer, CollectorRegistry, dict[str, Probe]]]:
    registry, probes = CollectorRegistry(), {"router.kafka": passes}
    server = MetricsServer(registry, probes=probes)  # port 0: a free one
    await server.start()
    try:
        yield server, registry, probes
    finally:
        await server.stop()


def url(server: MetricsServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def test_metrics_and_health_answer_over_http(
    served: tuple[MetricsServer, CollectorRegistry, dict[str, Probe]],
) -> None:
    server, registry, probes = served
    RouterMetrics(registry).routed.labels(QUERY, TAX).inc(2)
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        metrics = await client.get(url(server, "/metrics"))
        healthy = await client.get(url(server, "/healthz"))
        probes["router.kafka"] = kafka_down
        unhealthy = await client.get(url(server, "/healthz"))
        head = await client.head(url(server, "/metrics"))
        missing = await client.get(url(server, "/nothing"))

    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
    }
    labels = frozenset({("type", QUERY), ("recipient", TAX)})
    assert samples[("fyhub_events_routed_total", labels)] == 2
    assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
    assert unhealthy.status_code == 503
    assert unhealthy.json() == {
        "status": "unhealthy",
        "problems": {"router.kafka": "Kafka did not answer within 2 s"},
    }
    assert (head.status_code, head.content) == (200, b"")
    assert missing.status_code == 404


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_requests_never_reach_the_hub_s_log_handler(
    served: tuple[MetricsServer, CollectorRegistry, dict[str, Probe]],
) -> None:
    # The hub logs through one handler on the root logger (hub.observability.logs); uvicorn's
    # access log, off, does not propagate there. A scraper's every request is not news.
    server, _, _ = served
    kept, root = Kept(), logging.getLogger()
    level = root.level
    root.addHandler(kept)
    root.setLevel(logging.DEBUG)
    try:
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            assert (await client.get(url(server, "/healthz?case=1"))).status_code == 200
    finally:
        root.removeHandler(kept)
        root.setLevel(level)
    assert not [r for r in kept.records if r.name.startswith("uvicorn")]


async def test_a_port_in_use_fails_at_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = MetricsServer(CollectorRegistry(), port=taken.getsockname()[1])
        with pytest.raises(OSError, match="in use"):
            await server.start()


async def test_the_composition_root_serves_on_the_configured_port_plus_the_service_offset() -> None:
    base = free_port_block()
    settings = bootstrap.load_settings(observability={"host": "127.0.0.1", "port": base})
    observed = bootstrap.Observation()
    offset = SERVICE_PORT_OFFSETS["auditor"]
    server = bootstrap.build_metrics_server(settings, observed, port_offset=offset)
    # A probe added after the server was built, as the services add theirs.
    observed.health["auditor.kafka"] = kafka_down
    await server.start()
    try:
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            reply = await client.get(f"http://127.0.0.1:{base + offset}/healthz")
    finally:
        await server.stop()
    assert server.port == base + offset
    assert reply.status_code == 503
    assert set(reply.json()["problems"]) == {"auditor.kafka"}


async def test_a_stopped_server_frees_its_port_for_the_next() -> None:
    first = MetricsServer(CollectorRegistry())
    await first.start()
    port = first.port
    await first.stop()
    second = MetricsServer(CollectorRegistry(), port=port)
    await second.start()
    try:
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    finally:
        await second.stop()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback(), reason="this machine has no IPv6 loopback")
async def test_an_ipv6_host_is_served() -> None:
    server = MetricsServer(CollectorRegistry(), host="::1")
    await server.start()
    try:
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            reply = await client.get(f"http://[::1]:{server.port}/healthz")
    finally:
        await server.stop()
    assert reply.status_code == 200
