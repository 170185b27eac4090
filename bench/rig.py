"""Bench plumbing: a fresh region's registry and topics, signed events, processes to measure, and
clocks that read Kafka (inbox end offsets, consumer-group lag) rather than trusting the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hub import bootstrap
from hub.kafka.topics import apply_topics, planned_topics
from schemas.signing import dump_public_key
from tests.fixtures.journal import write_hub_key
from tests.fixtures.ports import free_port_block
from tests.hubkit import (
    TOKEN_SECRET,
    as_region,
    corpus_event,
    fresh_id,
    kafka_env,
    kafka_overrides,
    random_region,
    registry_in_region,
    signed_by,
    unit_key,
)

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess
    from hub.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "deploy/units/wuyang-411121.yaml"


def county_registry(directory: Path, region: str) -> Path:
    """The real county's registry in a fresh region, with the court enrolled (a signing key)."""
    court_key = dump_public_key(unit_key("court.411121").public_key())
    text = COUNTY.read_text(encoding="utf-8").replace("keys: {}", f"keys: {{k1: {court_key}}}", 1)
    path = directory / f"county-{region}.yaml"
    path.write_text(text.replace("411121", region), encoding="utf-8")
    return path


FRESH_WITHIN_S = 120.0
"""The router's `max_age_s` here: each run's events are stamped when they are made, just before
the run, so this keeps them fresh, while the router's start-up recall reads only the journal's
last two minutes, not every earlier run's entries (recall is start-up, not what is timed)."""
AHEAD_S = 30.0


def settings_for(
    directory: Path, kafka: KafkaAccess, registry: Path, region: str, *, partitions: int = 3
) -> Settings:
    # Not a local run (a broker is configured): the hub's key is installed, not made on the spot.
    if not (directory / "hub.key").exists():
        write_hub_key(directory / "hub.key")
    return bootstrap.load_settings(
        registry=registry,
        kafka=kafka_overrides(kafka, partitions=partitions),
        security={
            "token_secret": TOKEN_SECRET.decode(),
            "signing_key_file": directory / "hub.key",
            "signing_key_id": "hub-bench",
        },
        db={"url": f"sqlite+aiosqlite:///{directory}/bench-{region}.db"},
        router={
            "group_id": f"fyhub.router.bench.{region}",
            "max_age_s": FRESH_WITHIN_S,
            "max_ahead_s": AHEAD_S,
        },
    )


def env_for(settings: Settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FYHUB_")}
    return env | {
        "FYHUB_REGISTRY": str(settings.registry),
        **kafka_env(bootstrap.kafka_access(settings)),
        "FYHUB_SECURITY__TOKEN_SECRET": settings.security.token_secret.get_secret_value(),
        "FYHUB_SECURITY__SIGNING_KEY_FILE": str(settings.security.signing_key_file),
        "FYHUB_SECURITY__SIGNING_KEY_ID": settings.security.signing_key_id,
        "FYHUB_ROUTER__GROUP_ID": settings.router.group_id,
        "FYHUB_ROUTER__MAX_AGE_S": str(settings.router.max_age_s),
        "FYHUB_ROUTER__MAX_AHEAD_S": str(settings.router.max_ahead_s),
        "FYHUB_DB__URL": settings.db.url,
        # each service serves /metrics on this port plus its offset: away from a running hub's
        "FYHUB_OBSERVABILITY__PORT": str(free_port_block(12)),
    }


async def provision(settings: Settings) -> list[str]:
    units = bootstrap.load_contracts(settings).registry.units
    await apply_topics(bootstrap.kafka_access(settings), planned_topics(units, settings.kafka))
    return sorted(units)


def new_region(
    directory: Path, kafka: KafkaAccess, *, county: bool, partitions: int = 3
) -> tuple[str, Settings]:
    region = random_region()
    registry = (
        county_registry(directory, region) if county else registry_in_region(directory, region)
    )
    return region, settings_for(directory, kafka, registry, region, partitions=partitions)


def events(event_type: str, region: str, count: int, **changes: Any) -> list[bytes]:
    """`count` signed events, each a new id, stamped now (China time, as units send them)."""
    stamped = datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds")
    template = as_region(corpus_event(event_type), region) | {"time": stamped} | changes
    court = f"court.{region}"
    return [
        json.dumps(signed_by(fresh_id(template), court), ensure_ascii=False).encode()
        for _ in range(count)
    ]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=ROOT)


def hub_service(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return start([sys.executable, "-m", "hub", "run", name], env, log)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def group_lag(kafka: KafkaAccess, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    consumer = AIOKafkaConsumer(**kafka.client_options())
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        parts = [tp for tp in committed if tp.topic == topic]
        if not parts:
            return -1
        ends = await consumer.end_offsets(parts)
        return sum(ends[tp] - committed[tp].offset for tp in parts)
    finally:
        await consumer.stop()
        await admin.close()


class Processes:
    """Every process the bench starts, so that all are stopped whatever ends the run."""

    def __init__(self) -> None:
        self._started: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        process = start(command, env, log)
        self._started.append(process)
        return process

    def hub_service(self, name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        return self.start([sys.executable, "-m", "hub", "run", name], env, log)

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self._started:
            self._started.remove(process)

    def stop_all(self) -> None:
        for process in list(self._started):
            self.stop(process)


def _cpu_jiffies(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (children are not counted)


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of every CPU since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def load_now() -> dict[str, Any]:
    one, five, _ = os.getloadavg()
    return {"loadavg_1m": round(one, 2), "loadavg_5m": round(five, 2), "cpus": os.cpu_count()}


class CpuWindow:
    """The machine's CPU over a timed run, and how much of it the bench's own processes (this
    one, its broker, its workers) took: the rest is other processes on the shared machine."""

    def __init__(self, ours: list[int]) -> None:
        self._ours = ours
        self._start = _machine_jiffies(), sum(_cpu_jiffies(p) for p in ours)
        self.before = load_now()

    def close(self) -> dict[str, Any]:
        (busy0, total0), ours0 = self._start
        busy1, total1 = _machine_jiffies()
        ours1 = sum(_cpu_jiffies(p) for p in self._ours)
        span = max(1, total1 - total0)
        cpus = os.cpu_count() or 1
        # /proc/stat counts every CPU's jiffies; a process's own count is in the same unit
        busy_pct = 100 * cpus * (busy1 - busy0) / span
        ours_pct = 100 * cpus * (ours1 - ours0) / span
        return {
            "before": self.before,
            "after": load_now(),
            "machine_cpu_pct": round(busy_pct, 1),
            "bench_cpu_pct": round(ours_pct, 1),
            "others_cpu_pct": round(max(0.0, busy_pct - ours_pct), 1),
        }


async def start_group_at_end(kafka: KafkaAccess, group: str, topic: str) -> int:
    """Commit `group`'s offsets at `topic`'s end offsets (a group not yet used): its consumers
    start there, past the earlier runs' records. The records already there (summed)."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic)
        if parts is None:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            parts = consumer.partitions_for_topic(topic) or set()
        partitions = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends.items()))
        return sum(ends.values())
    finally:
        await consumer.stop()


async def group_members(kafka: KafkaAccess, group: str) -> tuple[str, int]:
    """The group's state and how many members hold partitions."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        described = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    try:
        _error, _group_id, state, _protocol_type, _protocol, members, *_ = described[0].groups[0]
    except (AttributeError, IndexError, TypeError):
        return "Unknown", 0
    return str(state), len(members)


async def committed_total(kafka: KafkaAccess, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in committed.items() if tp.topic == topic)


PG_SCRIPT = ROOT / "deploy/local/postgres.sh"


def postgres(command: str, state: Path, port: int) -> str:
    """`deploy/local/postgres.sh COMMAND` on a server of the bench's own (`state`, `port`)."""
    env = os.environ | {"FYHUB_LOCAL_PG_DIR": str(state), "FYHUB_LOCAL_PG_PORT": str(port)}
    done = subprocess.run(
        ["bash", str(PG_SCRIPT), command], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        msg = f"postgres.sh {command} failed: {done.stderr.strip() or done.stdout.strip()}"
        raise RuntimeError(msg)
    return done.stdout.strip()
