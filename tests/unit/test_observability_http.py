"""`/metrics` and `/healthz` as the metrics app answers them, probes included (no sockets: the
Starlette app is called in process through httpx's ASGI transport)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.parser import text_string_to_metric_families

from hub.observability.health import failing_probes, journal_lag_probe, store_probe
from hub.observability.http import metrics_app
from hub.observability.metrics import RouterMetrics

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hub.observability.health import Probe


async def passes() -> str | None:
    return None


async def kafka_down() -> str | None:
    return "Kafka did not answer within 2 s"


async def raises() -> str | None:
    raise ConnectionRefusedError("connect to 127.0.0.1:5432 refused\nsecond line")


async def hangs() -> str | None:
    await asyncio.sleep(60)
    return None


async def call(
    method: str,
    path: str,
    *,
    registry: CollectorRegistry | None = None,
    probes: Mapping[str, Probe] | None = None,
    accept: str | None = None,
) -> httpx.Response:
    app = metrics_app(registry or CollectorRegistry(), probes=probes)
    transport = httpx.ASGITransport(app=app)
    headers = {} if accept is None else {"Accept": accept}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        return await client.request(method, path, headers=headers)


async def test_metrics_are_the_registry_in_prometheus_text() -> None:
    registry = CollectorRegistry()
    RouterMetrics(registry).routed.labels("debtor.listed.v1", "tax.411121").inc(3)
    response = await call("GET", "/metrics", registry=registry)
    assert response.status_code == 200
    # What prometheus_client's own negotiation gives a client that names no format.
    assert response.headers["content-type"] == CONTENT_TYPE_PLAIN_0_0_4
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    labels = (("recipient", "tax.411121"), ("type", "debtor.listed.v1"))
    assert samples[("fyhub_events_routed_total", labels)] == 3


async def test_metrics_speak_openmetrics_to_a_scraper_that_asks_for_it() -> None:
    registry = CollectorRegistry()
    Counter("fyhub_example_total", "example", registry=registry).inc()
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    response = await call("GET", "/metrics?x=1", registry=registry, accept=accept)
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


async def test_health_is_200_while_every_probe_passes() -> None:
    response = await call("GET", "/healthz", probes={"broker": passes, "store": passes})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["content-type"] == "application/json"


async def test_health_is_503_naming_each_failing_probe() -> None:
    probes = {"broker": kafka_down, "store": raises, "journal_lag": passes}
    response = await call("GET", "/healthz", probes=probes)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "unhealthy",
        "problems": {
            "broker": "Kafka did not answer within 2 s",
            "store": "ConnectionRefusedError: connect to 127.0.0.1:5432 refused",
        },
    }


async def test_probes_added_after_the_app_was_built_are_run() -> None:
    # The composition root builds the metrics server before the services add their probes.
    probes: dict[str, Probe] = {}
    app = metrics_app(CollectorRegistry(), probes=probes)
    probes["router.kafka"] = kafka_down
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert set(response.json()["problems"]) == {"router.kafka"}


async def test_the_store_probe_fails_with_what_its_ping_raised() -> None:
    async def unreachable() -> None:
        raise OSError("[Errno 111] Connect call failed ('127.0.0.1', 5432)")

    problems = await failing_probes(
        {"ok": store_probe(passes), "store": store_probe(unreachable)}, timeout_s=1
    )
    assert problems == {"store": "OSError: [Errno 111] Connect call failed ('127.0.0.1', 5432)"}


async def test_a_probe_that_does_not_answer_in_time_fails() -> None:
    problems = await failing_probes({"store": hangs, "broker": passes}, timeout_s=0.05)
    assert problems == {"store": "no answer within 0.05 s"}


async def test_journal_lag_is_healthy_up_to_its_limit() -> None:
    behind = [10]
    probe = journal_lag_probe(lambda: behind[0], limit=10)
    assert await probe() is None
    behind[0] = 11
    assert await probe() == "11 journal records not yet in the store (limit 10)"


async def test_head_is_get_without_a_body() -> None:
    response = await call("HEAD", "/healthz", probes={"broker": passes})
    assert (response.status_code, response.content) == (200, b"")


async def test_other_paths_and_methods_are_refused() -> None:
    assert (await call("GET", "/")).status_code == 404
    refused = await call("POST", "/metrics")
    assert refused.status_code == 405
    assert "GET" in refused.headers["allow"]
    assert (await call("DELETE", "/healthz")).status_code == 405
