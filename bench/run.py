"""fyhub router benchmark, run by hand: `make bench` (or `python -m bench.run`).

Measures on a real broker of its own (never the one `make up` runs), in one run, and writes
`bench/REPORT.md` and `bench/results.json`:
1. throughput of the router against a raw aiokafka pass-through over the same pre-loaded outbox,
   for (a) targeted `enforcement.query.requested.v1` to one unit and (b) `debtor.listed.v1` to
   every unit of the county's `joint_punishment` group;
2. publish→inbox latency p50/p99 with the court publishing at a steady 1,000 events/s;
3. the auditor's journal lag during that run, and the router's resident memory.
Every figure is measured here; none is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import rig
from hub import bootstrap
from schemas.units import JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.fixtures import own_kafka

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess

HERE = Path(__file__).resolve().parent


@dataclass
class Throughput:
    scenario: str
    routers: int
    events: int
    fanout: int
    baseline_events_s: float
    router_events_s: float
    router_deliveries_s: float
    ratio: float
    router_peak_rss_mib: float


async def produce_all(kafka: KafkaAccess, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all", linger_ms=5)
    await producer.start()
    try:
        sent = [
            await producer.send(topic, value, key=b"%d" % (n % 64))
            for n, value in enumerate(values)
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def timed_drain(
    kafka: KafkaAccess, inboxes: list[str], base: int, target: int, workers: Any
) -> tuple[float, float]:
    """Seconds from the first to the last expected delivery, and the workers' peak RSS (summed).
    `base` is what the inboxes held before the workers started."""
    workers = workers if isinstance(workers, list) else [workers]
    peak = 0.0
    async with rig.EndOffsets(kafka, inboxes) as counter:
        waiting = asyncio.create_task(counter.wait_for(base, base + target, limit_s=600))
        while not waiting.done():
            for process in workers:
                if process.poll() is not None:
                    waiting.cancel()
                    msg = f"a worker exited with status {process.returncode}; see its log"
                    raise RuntimeError(msg)
            peak = max(peak, sum(rig.rss_mib(process.pid) for process in workers))
            await asyncio.sleep(0.2)
        first, last = await waiting
    return last - first, peak


def _metrics_port(env: dict[str, str], n: int) -> dict[str, str]:
    """The n-th router's environment: its own /metrics port, 4 above the previous one's."""
    base = int(env["FYHUB_OBSERVABILITY__PORT"])
    return env | {"FYHUB_OBSERVABILITY__PORT": str(base + 4 * n)} if n else env


def stop(process: Any) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except Exception:
        process.kill()


async def throughput(
    work: Path, kafka: KafkaAccess, scenario: str, count: int, *, routers: int = 1
) -> Throughput:
    """The pass-through, then `routers` router processes in one consumer group (the way the hub
    scales out), draining the same pre-loaded outbox."""
    county = scenario == "broadcast"
    region, settings = rig.new_region(work, kafka, county=county)
    await rig.provision(settings)
    contracts = bootstrap.load_contracts(settings)
    court = f"court.{region}"
    if county:
        recipients = sorted(contracts.registry.members("joint_punishment"))
        values = rig.events("debtor.listed.v1", region, count)
    else:
        recipients = [f"tax.{region}"]
        values = rig.events("enforcement.query.requested.v1", region, count, to=recipients[0])
    inboxes = [inbox_topic(unit) for unit in recipients]
    await produce_all(kafka, outbox_topic(court), values)
    target = count * len(recipients)
    log = work / f"{scenario}.log"
    passthrough = rig.start(
        [
            sys.executable,
            str(HERE / "passthrough.py"),
            kafka.bootstrap,
            f"bench.pass.{region}",
            outbox_topic(court),
            *inboxes,
        ],
        rig.env_for(settings),
        log,
    )
    base_s, _ = await timed_drain(kafka, inboxes, 0, target, passthrough)
    stop(passthrough)
    env = rig.env_for(settings)
    workers = [rig.hub_service("router", _metrics_port(env, n), log) for n in range(routers)]
    router_s, peak = await timed_drain(kafka, inboxes, target, target, workers)
    for worker in workers:
        stop(worker)
    return Throughput(
        scenario=scenario,
        routers=routers,
        events=count,
        fanout=len(recipients),
        baseline_events_s=round(count / base_s, 1),
        router_events_s=round(count / router_s, 1),
        router_deliveries_s=round(target / router_s, 1),
        ratio=round(base_s / router_s, 3),
        router_peak_rss_mib=round(peak, 1),
    )


async def latency(work: Path, kafka: KafkaAccess, rate: int, seconds: int) -> dict[str, Any]:
    region, settings = rig.new_region(work, kafka, county=False)
    await rig.provision(settings)
    tax, court = f"tax.{region}", f"court.{region}"
    env = rig.env_for(settings)
    router = rig.hub_service("router", env, work / "latency.log")
    auditor = rig.hub_service("auditor", env, work / "latency.log")
    values = rig.events("enforcement.query.requested.v1", region, rate * seconds + 1, to=tax)
    ids = [json.loads(value)["id"] for value in values]
    sent_at: dict[str, float] = {}
    seen: dict[str, float] = {}
    consumer = AIOKafkaConsumer(
        inbox_topic(tax),
        **kafka.client_options(),
        auto_offset_reset="earliest",
        fetch_max_wait_ms=5,
    )
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all", linger_ms=0)
    await consumer.start()
    await producer.start()
    lags: list[int] = []
    peak = 0.0

    async def read() -> None:
        while len(seen) < len(values):
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                now = time.monotonic()
                for record in batch:
                    seen.setdefault(json.loads(record.value)["id"], now)

    reader = asyncio.create_task(read())
    try:
        await producer.send_and_wait(outbox_topic(court), values[0])  # warm-up: both are up
        async with asyncio.timeout(120):
            while ids[0] not in seen:
                await asyncio.sleep(0.05)
        await _wait_for_auditor(kafka)
        start = time.monotonic()
        for n, value in enumerate(values[1:], start=1):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            sent_at[ids[n]] = time.monotonic()
            await producer.send(outbox_topic(court), value, key=b"%d" % n)
            if n % (rate // 2) == 0:
                lags.append(await rig.group_lag(kafka, "fyhub.auditor", JOURNAL_TOPIC))
                peak = max(peak, rig.rss_mib(router.pid))
        async with asyncio.timeout(120):
            await reader
    finally:
        reader.cancel()
        await consumer.stop()
        await producer.stop()
        stop(router)
        stop(auditor)
    delays = sorted((seen[i] - sent_at[i]) * 1000 for i in ids[1:] if i in seen)
    quantiles = statistics.quantiles(delays, n=100)
    return {
        "rate_events_s": rate,
        "events": len(delays),
        "p50_ms": round(quantiles[49], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(delays[-1], 1),
        "journal_lag_max_records": max(lags, default=-1),
        "journal_lag_max_s": round(max(lags, default=0) / rate, 3),
        "router_peak_rss_mib": round(peak, 1),
    }


async def _wait_for_auditor(kafka: KafkaAccess) -> None:
    # The auditor starts from the journal's beginning: let it catch up before measuring its lag.
    async with asyncio.timeout(300):
        while (await rig.group_lag(kafka, "fyhub.auditor", JOURNAL_TOPIC)) != 0:
            await asyncio.sleep(0.5)


async def main(args: argparse.Namespace) -> None:
    """On `--bootstrap` (or `FYHUB_KAFKA__BOOTSTRAP`) when given; otherwise on a broker of the
    bench's own, in `build/bench/kafka/` on free ports, removed afterwards: never on the broker
    that `make up` runs, whose journal the next `make up` would replay."""
    settings = bootstrap.load_settings()
    if args.bootstrap or settings.kafka.bootstrap:
        kafka = bootstrap.kafka_access(settings)
        await measure(args, replace(kafka, bootstrap=args.bootstrap or kafka.bootstrap))
        return
    home = own_kafka.new_home(own_kafka.REPO / "build" / "bench" / "kafka")
    async with own_kafka.running(own_kafka.single_broker(home), home) as own:
        await measure(args, own.access())


async def measure(args: argparse.Namespace, kafka: KafkaAccess) -> None:
    with tempfile.TemporaryDirectory(prefix="fyhub-bench-") as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
            f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}",
            "kafka": kafka.bootstrap,
            "throughput": [
                asdict(await throughput(work, kafka, "targeted", args.events)),
                asdict(await throughput(work, kafka, "targeted", args.events, routers=2)),
                asdict(await throughput(work, kafka, "broadcast", args.broadcast_events)),
                asdict(
                    await throughput(work, kafka, "broadcast", args.broadcast_events, routers=2)
                ),
            ],
            "latency": [
                await latency(work, kafka, rate, args.seconds)
                for rate in (int(rate) for rate in args.rates.split(","))
            ],
        }
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (HERE / "REPORT.md").write_text(render(results))
    print(render(results))


def render(results: dict[str, Any]) -> str:
    lines = [
        "# fyhub router benchmark",
        "",
        f"Machine: {results['machine']}. Broker: one local KRaft broker ({results['kafka']}).",
        "Baseline: `bench/passthrough.py`, a raw aiokafka consume-and-produce pass-through over",
        "the same pre-loaded outbox to the same inboxes, with the same durability settings.",
        "",
        "## Throughput (pre-loaded outbox, first to last delivery)",
        "",
        (
            "| scenario | routers | events | fan-out | baseline events/s | router events/s "
            "| router deliveries/s | router ÷ baseline | router peak RSS MiB |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["throughput"]:
        lines.append(
            f"| {row['scenario']} | {row['routers']} | {row['events']} | {row['fanout']} | "
            f"{row['baseline_events_s']} | {row['router_events_s']} | "
            f"{row['router_deliveries_s']} | {row['ratio']} | {row['router_peak_rss_mib']} |"
        )
    lines += [
        "",
        "## Publish → inbox latency (targeted query, court → tax inbox, one router, one auditor)",
        "",
        (
            "| rate events/s | events | p50 ms | p99 ms | max ms | journal lag max (records) "
            "| journal lag max (s) | router peak RSS MiB |"
        ),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lat in results["latency"]:
        lines.append(
            f"| {lat['rate_events_s']} | {lat['events']} | {lat['p50_ms']} | {lat['p99_ms']} | "
            f"{lat['max_ms']} | {lat['journal_lag_max_records']} | {lat['journal_lag_max_s']} | "
            f"{lat['router_peak_rss_mib']} |"
        )
    lines += ["", "## Against the targets", "", *_targets(results), ""]
    return "\n".join(lines)


def _targets(results: dict[str, Any]) -> list[str]:
    """Each target of the hub's performance brief, with what this run measured."""
    one = {row["scenario"]: row for row in results["throughput"] if row["routers"] == 1}
    at_1000 = next((lat for lat in results["latency"] if lat["rate_events_s"] == 1000), None)
    checks = [
        ("router ≥ 0.6× the pass-through (targeted, one router)", one["targeted"]["ratio"], 0.6),
        (
            "broadcast ≥ 50,000 deliveries/s (one router)",
            one["broadcast"]["router_deliveries_s"],
            50_000,
        ),
    ]
    lines = [
        f"- {name}: measured {value} — {'met' if value >= goal else 'not met'}"
        for name, value, goal in checks
    ]
    if at_1000 is not None:
        p99, lag = at_1000["p99_ms"], at_1000["journal_lag_max_s"]
        lines.append(
            f"- p99 ≤ 50 ms at 1,000 events/s: measured {p99} ms — "
            f"{'met' if p99 <= 50 else 'not met'}"
        )
        lines.append(
            f"- journal lag under 1 s: measured {lag} s — {'met' if lag < 1 else 'not met'}"
        )
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", help="Kafka bootstrap; default: a broker of the bench's own")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--broadcast-events", type=int, default=3_000)
    parser.add_argument(
        "--rates", default="1000,300", help="publish rates (events/s) for the latency runs"
    )
    parser.add_argument("--seconds", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
