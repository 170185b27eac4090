"""`/metrics` and `/healthz` as the metrics server answers them, probes included (no sockets:
the server's `respond` is what every connection is given)."""

from __future__ import annotations

import asyncio
import json

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families

from hub.observability.health import failing_probes, journal_lag_probe
from hub.observability.http import MetricsServer
from hub.observability.metrics import RouterMetrics


async def passes() -> str | None:
    return None


async def kafka_down() -> str | None:
    return "Kafka did not answer within 2 s"


async def raises() -> str | None:
    raise ConnectionRefusedError("connect to 127.0.0.1:5432 refused\nsecond line")


async def hangs() -> str | None:
    await asyncio.sleep(60)
    return None


async def test_metrics_are_the_registry_in_prometheus_text() -> None:
    registry = CollectorRegistry()
    RouterMetrics(registry).routed.labels("debtor.listed.v1", "tax.411121").inc(3)
    response = await MetricsServer(registry).respond("GET", "/metrics")
    assert response.status == 200
    assert response.content_type.startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.body.decode())
        for sample in family.samples
    }
    labels = (("recipient", "tax.411121"), ("type", "debtor.listed.v1"))
    assert samples[("fyhub_events_routed_total", labels)] == 3


async def test_metrics_speak_openmetrics_to_a_scraper_that_asks_for_it() -> None:
    registry = CollectorRegistry()
    Counter("fyhub_example_total", "example", registry=registry).inc()
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    response = await MetricsServer(registry).respond("GET", "/metrics?x=1", accept)
    assert response.content_type.startswith("application/openmetrics-text")
    assert response.body.endswith(b"# EOF\n")


async def test_health_is_200_while_every_probe_passes() -> None:
    server = MetricsServer(CollectorRegistry(), probes={"broker": passes, "store": passes})
    response = await server.respond("GET", "/healthz")
    assert (response.status, json.loads(response.body)) == (200, {"status": "ok"})


async def test_health_is_503_naming_each_failing_probe() -> None:
    probes = {"broker": kafka_down, "store": raises, "journal_lag": passes}
    response = await MetricsServer(CollectorRegistry(), probes=probes).respond("GET", "/healthz")
    assert response.status == 503
    assert response.content_type == "application/json"
    assert json.loads(response.body) == {
        "status": "unhealthy",
        "problems": {
            "broker": "Kafka did not answer within 2 s",
            "store": "ConnectionRefusedError: connect to 127.0.0.1:5432 refused",
        },
    }


async def test_a_probe_that_does_not_answer_in_time_fails() -> None:
    problems = await failing_probes({"store": hangs, "broker": passes}, timeout_s=0.05)
    assert problems == {"store": "no answer within 0.05 s"}


async def test_journal_lag_is_healthy_up_to_its_limit() -> None:
    behind = [10]
    probe = journal_lag_probe(lambda: behind[0], limit=10)
    assert await probe() is None
    behind[0] = 11
    assert await probe() == "11 journal records not yet in the store (limit 10)"


async def test_other_paths_and_methods_are_refused() -> None:
    server = MetricsServer(CollectorRegistry())
    assert (await server.respond("GET", "/")).status == 404
    refused = await server.respond("POST", "/metrics")
    assert refused.status == 405
    assert ("Allow", "GET, HEAD") in refused.headers
