"""fyhub router benchmark, run by hand: `make bench` (or `python -m bench.run [--quick]`).

On a broker of its own (`build/bench/kafka/`, secured as the test fixtures' brokers are, free
ports), in one run, and writes `bench/REPORT.md` and `bench/results.json`:

1. throughput over a pre-loaded outbox of three workers, alternating a, b, c in each repeat:
   (a) `bench/passthrough.py`, raw aiokafka; (b) `bench/copy_as_is.py`, FastStream with the hub's
   `RecordWriter`; (c) the router (`fyhub run router`). Targeted `enforcement.query.requested.v1`
   court→tax and broadcast `debtor.listed.v1` to the county's `joint_punishment` group;
2. one router against two on the same 6 partitions;
3. publish→inbox latency at steady rates; 4. the auditor's journal lag with the router at full
   rate, on SQLite and on a PostgreSQL of the bench's own; 5. the tracker's sweep over 100,000
   open deliveries.

Every run of a scenario reads the same number of new records: each worker gets a new consumer
group committed at the outbox's end, and its events are written just before it starts. Before
the timed runs every worker runs once untimed on every scenario's topics (warm-up). Every figure
is measured here; none is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import report, rig, stats
from bench.tracker_sweep import seed_and_sweep
from hub import bootstrap
from schemas.units import JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.fixtures import own_kafka
from tests.fixtures.kafka import EndOffsets
from tests.fixtures.ports import free_port_block

if TYPE_CHECKING:
    import subprocess

    from hub.kafka.access import KafkaAccess
    from hub.settings import Settings

HERE = Path(__file__).resolve().parent
STATE = own_kafka.REPO / "build" / "bench"

FULL = {
    "targeted_events": 6_000,
    "broadcast_events": 600,
    "scaling_events": 6_000,
    "latency_seconds": 8,
    "latency_repeats": 3,
    "auditor_events": 6_000,
    "open_deliveries": 100_000,
}
QUICK = {
    "targeted_events": 1_000,
    "broadcast_events": 100,
    "scaling_events": 1_000,
    "latency_seconds": 3,
    "latency_repeats": 1,
    "auditor_events": 1_000,
    "open_deliveries": 10_000,
}
WARM_UP_EVENTS = 200


@dataclass
class Scenario:
    """One region's topics, shared by every run of the scenario (each with its own group)."""

    name: str
    region: str
    settings: Settings
    event_type: str
    recipients: list[str]
    runs: int = 0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def outbox(self) -> str:
        return outbox_topic(f"court.{self.region}")

    @property
    def inboxes(self) -> list[str]:
        return [inbox_topic(unit) for unit in self.recipients]

    def events(self, count: int) -> list[bytes]:
        to = {} if self.event_type == "debtor.listed.v1" else {"to": self.recipients[0]}
        return rig.events(self.event_type, self.region, count, **to)


class Bench:
    def __init__(self, work: Path, kafka: KafkaAccess, broker_pids: list[int]) -> None:
        self.work, self.kafka, self.broker_pids = work, kafka, broker_pids
        self.processes = rig.Processes()
        self.log = work / "workers.log"

    async def scenario(
        self, name: str, *, county: bool, partitions: int = 3, event_type: str
    ) -> Scenario:
        region, settings = rig.new_region(
            self.work, self.kafka, county=county, partitions=partitions
        )
        await rig.provision(settings)
        if county:
            members = bootstrap.load_contracts(settings).registry.members("joint_punishment")
            recipients = sorted(members)
        else:
            recipients = [f"tax.{region}"]
        return Scenario(name, region, settings, event_type, recipients, env=rig.env_for(settings))

    def _command(self, worker: str, sc: Scenario, group: str) -> list[str]:
        if worker == "raw":
            return [
                sys.executable,
                str(HERE / "passthrough.py"),
                self.kafka.bootstrap,
                group,
                sc.outbox,
                *sc.inboxes,
            ]
        if worker == "copy":
            return [sys.executable, str(HERE / "copy_as_is.py"), group, sc.outbox, *sc.inboxes]
        return [sys.executable, "-m", "hub", "run", "router"]

    def _start(self, worker: str, sc: Scenario, group: str, n: int) -> subprocess.Popen[bytes]:
        env = sc.env | {"FYHUB_ROUTER__GROUP_ID": group}
        # each router serves /metrics on its own port (4 apart: a router's offset is 1)
        env["FYHUB_OBSERVABILITY__PORT"] = str(int(env["FYHUB_OBSERVABILITY__PORT"]) + 4 * n)
        return self.processes.start(self._command(worker, sc, group), env, self.log)

    async def run(
        self, sc: Scenario, worker: str, count: int, *, workers: int = 1, join_first: bool = False
    ) -> dict[str, Any]:
        """One run of `worker` (`workers` processes in one group) over `count` new events.

        Pre-loaded: the events are in the outbox before the workers start. `join_first` instead
        waits until every worker holds partitions, then writes the events as fast as it can: two
        routers starting one after the other would rebalance in the middle of the timed run."""
        sc.runs += 1
        group = f"bench.{worker}.{sc.region}.{sc.runs}"
        await rig.start_group_at_end(self.kafka, group, sc.outbox)
        values = sc.events(count)
        if not join_first:
            await produce_all(self.kafka, sc.outbox, values)
        async with EndOffsets(self.kafka, sc.inboxes) as counter:
            base = await counter.total()
            started = [self._start(worker, sc, group, n) for n in range(workers)]
            try:
                if join_first:
                    await wait_for_members(self.kafka, group, workers, started)
                window = rig.CpuWindow([os.getpid(), *self.broker_pids, *(p.pid for p in started)])
                loading = (
                    asyncio.create_task(produce_all(self.kafka, sc.outbox, values))
                    if join_first
                    else None
                )
                target = count * len(sc.recipients)
                seconds, peak = await timed_drain(counter, base, target, started)
                if loading is not None:
                    await loading
                load = window.close()
            finally:
                for process in started:
                    self.processes.stop(process)
        return {
            "events": count,
            "deliveries": target,
            "seconds": round(seconds, 3),
            "events_s": round(count / seconds, 1),
            "deliveries_s": round(target / seconds, 1),
            "peak_rss_mib": round(peak, 1),
            "load": load,
        }

    async def throughput(self, sc: Scenario, count: int, repeats: int) -> dict[str, Any]:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in stats.WORKERS}
        for repeat in range(repeats):
            for worker in stats.WORKERS:  # a, b, c alternating in every repeat
                runs[worker].append(await self.run(sc, worker, count))
                say(f"{sc.name} #{repeat + 1} {worker}: {runs[worker][-1]['deliveries_s']} /s")
        return {
            "events": count,
            "fanout": len(sc.recipients),
            "partitions": sc.settings.kafka.partitions,
            "runs": runs,
        }

    async def scaling(self, sc: Scenario, count: int, repeats: int) -> dict[str, Any]:
        runs: dict[str, list[dict[str, Any]]] = {"one": [], "two": []}
        for repeat in range(repeats):
            for label, workers in (("one", 1), ("two", 2)):
                run = await self.run(sc, "router", count, workers=workers, join_first=True)
                runs[label].append(run)
                say(f"6 partitions #{repeat + 1} {label}: {run['deliveries_s']} /s")
        return {"events": count, "partitions": sc.settings.kafka.partitions, "runs": runs}

    async def latency(self, sc: Scenario, rate: int, seconds: int) -> dict[str, Any]:
        """The court publishing one event every 1/rate s; the time from each send to its copy
        being read from the tax inbox. One router, on its own."""
        sc.runs += 1
        group = f"bench.latency.{sc.region}.{sc.runs}"
        await rig.start_group_at_end(self.kafka, group, sc.outbox)
        values = sc.events(rate * seconds + 1)
        ids = [json.loads(value)["id"] for value in values]
        sent_at: dict[str, float] = {}
        seen: dict[str, float] = {}
        consumer = AIOKafkaConsumer(**self.kafka.client_options(), fetch_max_wait_ms=5)
        producer = AIOKafkaProducer(**self.kafka.client_options(), acks="all", linger_ms=0)
        await consumer.start()
        await producer.start()
        parts = await rig_partitions(consumer, sc.inboxes[0])
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        router = self._start("router", sc, group, 0)
        peak = 0.0

        async def read() -> None:
            while len(seen) < len(values):
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.monotonic()
                    for record in batch:
                        seen.setdefault(json.loads(record.value)["id"], now)

        reader = asyncio.create_task(read())
        try:
            await producer.send_and_wait(sc.outbox, values[0])  # the router is up and assigned
            async with asyncio.timeout(120):
                while ids[0] not in seen:
                    check_alive([router])
                    await asyncio.sleep(0.05)
            window = rig.CpuWindow([os.getpid(), *self.broker_pids, router.pid])
            start = time.monotonic()
            for n, value in enumerate(values[1:], start=1):
                await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                sent_at[ids[n]] = time.monotonic()
                await producer.send(sc.outbox, value, key=b"%d" % n)
                if n % (rate // 4 or 1) == 0:
                    peak = max(peak, rig.rss_mib(router.pid))
            async with asyncio.timeout(120):
                await reader
            load = window.close()
        finally:
            reader.cancel()
            await consumer.stop()
            await producer.stop()
            self.processes.stop(router)
        delays = [(seen[i] - sent_at[i]) * 1000 for i in ids[1:] if i in seen]
        return {
            "rate": rate,
            "events": len(delays),
            **stats.quantiles_ms(delays),
            "router_peak_rss_mib": round(peak, 1),
            "load": load,
        }

    async def auditor_lag(
        self, sc: Scenario, store: str, db_url: str, count: int
    ) -> dict[str, Any]:
        """The router draining `count` pre-loaded events at its full rate while the auditor applies
        the journal to `db_url`; the auditor's lag sampled every 0.1 s (`stats.time_lag_s`)."""
        # The auditor's group starts at the journal's end: the earlier runs' entries are not
        # this measurement's (the store does not need them).
        auditor_group = "fyhub.auditor"
        await rig.start_group_at_end(self.kafka, auditor_group, JOURNAL_TOPIC)
        env = sc.env | {"FYHUB_DB__URL": db_url}
        auditor = self.processes.hub_service("auditor", env, self.log)
        try:
            await wait_for_members(self.kafka, auditor_group, 1, [auditor])
            sc.runs += 1
            group = f"bench.auditor.{sc.region}.{sc.runs}"
            await rig.start_group_at_end(self.kafka, group, sc.outbox)
            await produce_all(self.kafka, sc.outbox, sc.events(count))
            ends: list[tuple[float, int]] = []
            consumed: list[tuple[float, int]] = []
            async with (
                EndOffsets(self.kafka, [JOURNAL_TOPIC]) as journal,
                EndOffsets(self.kafka, sc.inboxes) as inbox,
            ):
                inbox_base = await inbox.total()
                start_journal = await journal.total()
                router = self._start("router", sc, group, 0)
                window = rig.CpuWindow([os.getpid(), *self.broker_pids, router.pid, auditor.pid])
                routed_at = None
                deadline = time.monotonic() + 600
                try:
                    while time.monotonic() < deadline:
                        check_alive([router, auditor])
                        now = time.monotonic()
                        end = await journal.total()
                        done = await rig.committed_total(self.kafka, auditor_group, JOURNAL_TOPIC)
                        ends.append((now, end))
                        consumed.append((now, done))
                        if routed_at is None and await inbox.total() - inbox_base >= count:
                            routed_at = now
                        if routed_at is not None and done >= end:
                            break
                        await asyncio.sleep(0.1)
                    else:
                        raise TimeoutError("the auditor did not catch up within 600 s")
                finally:
                    self.processes.stop(router)
                load = window.close()
        finally:
            self.processes.stop(auditor)
        first = next((t for t, end in ends if end > start_journal), ends[0][0])
        entries = ends[-1][1] - start_journal
        return {
            "store": store,
            "events": count,
            "journal_entries": entries,
            "router_events_s": round(count / max(1e-9, (routed_at or first) - first), 1),
            "lag_s_max": stats.time_lag_s(ends, consumed),
            "lag_records_max": max(
                end - done for (_, end), (_, done) in zip(ends, consumed, strict=True)
            ),
            "caught_up_after_router_s": round(consumed[-1][0] - (routed_at or first), 2),
            "load": load,
        }


async def rig_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[Any]:
    from aiokafka import TopicPartition  # noqa: PLC0415

    parts = consumer.partitions_for_topic(topic)
    if parts is None:
        await consumer._client.force_metadata_update()  # noqa: SLF001
        parts = consumer.partitions_for_topic(topic) or set()
    return [TopicPartition(topic, p) for p in sorted(parts)]


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


def check_alive(workers: list[subprocess.Popen[bytes]]) -> None:
    for process in workers:
        if process.poll() is not None:
            msg = f"a worker exited with status {process.returncode}; see workers.log"
            raise RuntimeError(msg)


async def wait_for_members(
    kafka: KafkaAccess, group: str, count: int, workers: list[subprocess.Popen[bytes]]
) -> None:
    async with asyncio.timeout(180):
        while await rig.group_members(kafka, group) != ("Stable", count):
            check_alive(workers)
            await asyncio.sleep(0.2)


async def timed_drain(
    counter: EndOffsets, base: int, target: int, workers: list[subprocess.Popen[bytes]]
) -> tuple[float, float]:
    """Seconds from the first to the last expected delivery, and the workers' peak RSS (summed)."""
    peak = 0.0
    waiting = asyncio.create_task(counter.wait_for(base, base + target, limit_s=600))
    try:
        while not waiting.done():
            check_alive(workers)
            peak = max(peak, sum(rig.rss_mib(process.pid) for process in workers))
            await asyncio.wait({waiting}, timeout=0.2)
    finally:
        waiting.cancel()
    first, last = await waiting
    return last - first, peak


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


async def measure(args: argparse.Namespace, kafka: KafkaAccess, broker_pids: list[int]) -> None:
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else 5)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fyhub-bench-") as tmp:
        bench = Bench(Path(tmp), kafka, broker_pids)
        try:
            results = await measure_all(bench, args, sizes, repeats)
        finally:
            bench.processes.stop_all()
    results["duration_s"] = round(time.monotonic() - began, 1)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (HERE / "REPORT.md").write_text(report.render(results))
    print(report.render(results))


async def measure_all(
    bench: Bench, args: argparse.Namespace, sizes: dict[str, int], repeats: int
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": {
            "platform": f"{platform.machine()}, Python {platform.python_version()}",
            "cpus": os.cpu_count(),
            "shared": True,
        },
        "kafka": bench.kafka.bootstrap,
        "quick": bool(args.quick),
        "repeats": repeats,
        "sizes": sizes,
        "load_at_start": rig.load_now(),
    }
    targeted = await bench.scenario(
        "targeted", county=False, event_type="enforcement.query.requested.v1"
    )
    broadcast = await bench.scenario("broadcast", county=True, event_type="debtor.listed.v1")
    six = await bench.scenario(
        "scaling", county=False, partitions=6, event_type="enforcement.query.requested.v1"
    )
    say("warm-up: every worker once, untimed, on every scenario's topics")
    for sc in (targeted, broadcast):
        for worker in stats.WORKERS:
            await bench.run(sc, worker, WARM_UP_EVENTS // (10 if sc is broadcast else 1))
    await bench.run(six, "router", WARM_UP_EVENTS, workers=2, join_first=True)
    say("throughput")
    results["targeted"] = await bench.throughput(targeted, sizes["targeted_events"], repeats)
    results["broadcast"] = await bench.throughput(broadcast, sizes["broadcast_events"], repeats)
    results["scaling"] = await bench.scaling(six, sizes["scaling_events"], repeats)
    say("latency")
    results["latency"] = []
    for rate in (300, 1000):
        runs = [
            await bench.latency(targeted, rate, sizes["latency_seconds"])
            for _ in range(sizes["latency_repeats"])
        ]
        say(f"latency {rate}/s: p99 {[run['p99_ms'] for run in runs]} ms")
        results["latency"].append({"rate": rate, "seconds": sizes["latency_seconds"], "runs": runs})
    say("auditor and tracker on SQLite")
    n_open = sizes["open_deliveries"]
    results["auditor"] = [
        await bench.auditor_lag(
            targeted,
            "sqlite",
            f"sqlite+aiosqlite:///{bench.work}/auditor.db",
            sizes["auditor_events"],
        )
    ]
    results["tracker"] = [
        await seed_and_sweep(
            targeted.settings,
            n_open,
            bench.processes,
            bench.log,
            store="sqlite",
            db_url=f"sqlite+aiosqlite:///{bench.work}/tracker.db",
        )
    ]
    if args.no_postgres:
        results["auditor"].append({"store": "postgresql", "skipped": "--no-postgres"})
        return results | {"load_at_end": rig.load_now()}
    pg_state, pg_port = STATE / "postgres", free_port_block(1)
    say(f"auditor and tracker on a PostgreSQL of the bench's own, 127.0.0.1:{pg_port}")
    try:
        rig.postgres("up", pg_state, pg_port)
        pg_url = rig.postgres("url", pg_state, pg_port)
        results["auditor"].append(
            await bench.auditor_lag(targeted, "postgresql", pg_url, sizes["auditor_events"])
        )
        # the auditor's tables are there now; the tracker's deliveries go beside its own
        results["tracker"].append(
            await seed_and_sweep(
                targeted.settings,
                n_open,
                bench.processes,
                bench.log,
                store="postgresql",
                db_url=pg_url,
            )
        )
    finally:
        try:
            rig.postgres("down", pg_state, pg_port)
        finally:
            shutil.rmtree(pg_state, ignore_errors=True)
    results["load_at_end"] = rig.load_now()
    return results


async def main(args: argparse.Namespace) -> None:
    """On a broker of the bench's own, in `build/bench/kafka/` on free ports, removed afterwards:
    never on the broker that `make up` runs, whose journal the next `make up` would replay."""
    # Until the new broker has made its offsets topic, each group's first request logs an error
    # and is retried; the bench fails loudly on what does not recover.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    home = own_kafka.new_home(STATE / "kafka")
    async with own_kafka.running(own_kafka.single_broker(home), home) as own:
        pids = [int(p.read_text().strip()) for p in home.rglob("broker.pid")]
        await measure(args, own.access(), pids)


def _stop_on_sigterm() -> None:
    # SIGTERM ends the run as Ctrl-C does: the finally blocks stop the workers, PostgreSQL and
    # the broker, and remove their folders.
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and repeats (develop)")
    parser.add_argument("--repeats", type=int, help="timed runs per worker (default 5; quick 2)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    _stop_on_sigterm()
    try:
        asyncio.run(main(parser.parse_args()))
    except KeyboardInterrupt:
        sys.exit(130)
