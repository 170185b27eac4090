"""A hub shaped as a county runs it, for the fault tests: the three-node cluster secured with
SASL_SSL and the registry's ACLs, topics with replication 3 and `min.insync.replicas` 2, two
routers, the auditor and the tracker as processes of their own, each as its own principal, on a
PostgreSQL server of the test's own; the court publishing through the connector SDK's durable
outbox.

Everything lives in one folder under `build/test/kafka/` (the PostgreSQL server's OS user must
reach it, which a pytest tmp folder does not allow) and is stopped and removed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.sdk import Connector, ConnectorOptions, KafkaSecurity
from connectors.sdk.outgoing import OutboxRecord
from hub import bootstrap
from hub.acl.broker import apply_acls
from hub.acl.plan import planned_principals
from hub.kafka.topics import apply_topics, planned_topics
from hub.registry import load_registry
from hub.routing.resolve import resolve_recipients
from hub.store.audit_repository import SqlAuditLog
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow
from schemas.units import inbox_topic
from tests.fixtures import own_kafka
from tests.fixtures.journal import HUB_KEY_ID, write_hub_key
from tests.fixtures.kafka import EndOffsets
from tests.fixtures.ports import free_port_block
from tests.hubkit import (
    TOKEN_SECRET,
    as_region,
    corpus_event,
    fresh_id,
    kafka_overrides,
    random_region,
    registry_in_region,
    signed_by,
    unit_key,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.devkit.local_kafka import LocalKafka
    from hub.kafka.access import KafkaAccess
    from hub.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PG_SCRIPT = REPO / "deploy/local/postgres.sh"
SERVICES = ("router-1", "router-2", "auditor", "tracker")
FRESH_FOR_S = 3600
"""The router's `max_age_s`: events are stamped when the test makes them, and the slowest test
routes its last ones a few minutes later."""
LISTING_EVERY = 20
"""One event in this many is a dishonest-debtor listing, which reaches every entitled unit; the
rest are enforcement queries to tax or samr."""


@dataclass(frozen=True, slots=True)
class OwnPostgres:
    """A PostgreSQL server of the test's own (`deploy/local/postgres.sh` on a folder and port)."""

    state: Path
    port: int

    def run(self, command: str) -> str:
        env = os.environ | {
            "FYHUB_LOCAL_PG_DIR": str(self.state),
            "FYHUB_LOCAL_PG_PORT": str(self.port),
        }
        done = subprocess.run(
            ["bash", str(PG_SCRIPT), command], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            msg = f"postgres.sh {command} failed: {done.stderr.strip() or done.stdout.strip()}"
            raise RuntimeError(msg)
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def up(self) -> None:
        self.run("up")

    def down(self) -> None:
        self.run("down")

    def url(self) -> str:
        return self.run("url")


@dataclass
class Counts:
    """What one fault test sent and what arrived, printed in the run's summary."""

    test: str
    sent: int = 0
    expected: int = 0
    delivered: int = 0
    stored_once: int = 0
    lost: int = 0
    redelivered_copies: int = 0
    audit_rows: int = 0

    def line(self) -> str:
        return (
            f"{self.test}: sent {self.sent} events = {self.expected} entitled deliveries; "
            f"delivered {self.delivered}, stored once {self.stored_once}, lost {self.lost}, "
            f"copies read again from inboxes (at-least-once) {self.redelivered_copies}; "
            f"audit chain of {self.audit_rows} rows verified"
        )


FAULT_COUNTS: list[Counts] = []
"""Filled by the fault tests; printed by `tests/conftest.py` at the end of the run."""


@dataclass
class ProductionHub:
    home: Path
    cluster: LocalKafka
    settings: Settings
    region: str
    postgres: OwnPostgres
    store: AsyncEngine
    court: Connector
    expected: dict[str, frozenset[str]] = field(default_factory=dict)
    """The current test's events and the units each entitles (made anew by `events`)."""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def admin(self) -> KafkaAccess:
        return self.cluster.access()

    def unit(self, dept: str) -> str:
        return f"{dept}.{self.region}"

    # --- the hub's processes ------------------------------------------------------------------

    def service_env(self, name: str) -> dict[str, str]:
        principal = "fyhub." + name.split("-", maxsplit=1)[0]
        settings = self.settings
        env = {key: value for key, value in os.environ.items() if not key.startswith("FYHUB_")}
        return env | {
            "FYHUB_REGISTRY": str(settings.registry),
            "FYHUB_KAFKA__BOOTSTRAP": self.cluster.bootstrap,
            "FYHUB_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
            "FYHUB_KAFKA__USERNAME": principal,
            "FYHUB_KAFKA__PASSWORD_FILE": str(self.cluster.password_file(principal)),
            "FYHUB_KAFKA__CA_FILE": str(self.cluster.ca_file),
            "FYHUB_SECURITY__TOKEN_SECRET": settings.security.token_secret.get_secret_value(),
            "FYHUB_SECURITY__SIGNING_KEY_FILE": str(settings.security.signing_key_file),
            "FYHUB_SECURITY__SIGNING_KEY_ID": settings.security.signing_key_id,
            "FYHUB_ROUTER__GROUP_ID": settings.router.group_id,
            "FYHUB_ROUTER__MAX_AGE_S": str(settings.router.max_age_s),
            "FYHUB_DB__URL": settings.db.url,
            "FYHUB_OBSERVABILITY__PORT": str(free_port_block(4)),
        }

    def start(self, name: str) -> None:
        log = self.home / f"{name}.log"
        with log.open("ab") as out:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "hub", "run", name.split("-", maxsplit=1)[0]],
                env=self.service_env(name),
                stdout=out,
                stderr=out,
                cwd=REPO,
            )

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def dead_services(self) -> dict[str, int]:
        """The hub processes that exited by themselves, with their exit codes."""
        return {
            name: code
            for name, process in self.processes.items()
            if (code := process.poll()) is not None
        }

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def logs(self) -> str:
        shown = []
        for name in SERVICES:
            log = self.home / f"{name}.log"
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-15:]
                shown.append(f"--- {name} ---\n" + "\n".join(tail))
        return "\n".join(shown)

    # --- the court's traffic --------------------------------------------------------------------

    def events(self, count: int) -> list[OutboxRecord]:
        """`count` signed court events, each with the units it entitles in `expected`."""
        self.expected = {}
        contracts = bootstrap.load_contracts(self.settings)
        court = self.unit("court")
        query = as_region(corpus_event("enforcement.query.requested.v1"), self.region)
        listing = as_region(corpus_event("debtor.listed.v1"), self.region)
        targets = (self.unit("tax"), self.unit("samr"))
        # Stamped now, so that deadlines lie ahead (the tracker has nothing overdue to chase),
        # and spread over 500 cases, as a court's day is: the SDK sends one event per case at a
        # time, to keep each case's order.
        stamped = datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds")
        records = []
        for n in range(count):
            template = listing if n % LISTING_EVERY == 0 else query
            event = _in_case(fresh_id(template) | {"time": stamped}, n % 500 + 1)
            if template is query:
                event["to"] = targets[n % 2]
            signed = signed_by(event, court)
            recipients = resolve_recipients(
                contracts.routing,
                contracts.registry,
                source=court,
                event_type=signed["type"],
                to=signed.get("to"),
            )
            assert isinstance(recipients, tuple), recipients
            self.expected[signed["id"]] = frozenset(recipients)
            value = json.dumps(signed, ensure_ascii=False).encode()
            records.append(OutboxRecord(signed["id"], signed["subject"], signed["type"], value))
        return records

    async def publish(
        self, records: list[OutboxRecord], *, chunk: int = 250, pause_s: float = 0.1
    ) -> None:
        """Into the court's durable outbox a chunk at a time, as a court system files them; the
        SDK's relay sends them when Kafka takes them."""
        for start in range(0, len(records), chunk):
            with sqlite3.connect(self.court.outbox.path) as db:
                for record in records[start : start + chunk]:
                    self.court.outbox.add(record, connection=db)
            self.court.outbox.notify()
            await asyncio.sleep(pause_s)

    # --- what arrived ---------------------------------------------------------------------------

    async def count(self, test: str, *, timeout_s: float = 240.0) -> Counts:
        wanted = {(event_id, unit) for event_id, units in self.expected.items() for unit in units}
        counts = Counts(test, sent=len(self.expected), expected=len(wanted))
        copies = await self._inbox_copies(wanted, timeout_s)
        counts.delivered = len(wanted & set(copies))
        counts.redelivered_copies = sum(n - 1 for n in copies.values() if n > 1)
        stored = await self._stored(len(wanted), timeout_s)
        counts.stored_once = sum(1 for pair in wanted if stored.get(pair) == 1)
        counts.lost = len(wanted - set(copies)) + len(wanted - set(stored))
        extra = set(stored) - wanted
        assert not extra, f"the store holds {len(extra)} deliveries nobody was entitled to"
        async with self._session() as session:
            broken = await SqlAuditLog(session).verify()
            assert broken is None, f"the audit chain breaks: {broken}"
            counts.audit_rows = await self._audit_rows(session)
        FAULT_COUNTS.append(counts)
        print(counts.line())
        return counts

    async def wait_until_delivered(self, unit: str, count: int, *, timeout_s: float = 180) -> None:
        """Until `unit`'s inbox holds `count` records more than now (its end offsets): to land
        a fault mid-stream."""
        async with EndOffsets(self.admin, [inbox_topic(unit)]) as inbox:
            base = await inbox.total()
            async with asyncio.timeout(timeout_s):
                while await inbox.total() < base + count:
                    self.check_alive()
                    await asyncio.sleep(0.3)

    def check_alive(self) -> None:
        dead = self.dead_services()
        assert not dead, f"hub processes exited: {dead}\n{self.logs()}"

    async def _inbox_copies(
        self, wanted: set[tuple[str, str]], timeout_s: float
    ) -> Counter[tuple[str, str]]:
        units = sorted({unit for _, unit in wanted})
        topics = {inbox_topic(unit): unit for unit in units}
        consumer = AIOKafkaConsumer(
            *topics,
            **self.admin.client_options(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )
        seen: Counter[tuple[str, str]] = Counter()
        await consumer.start()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    while True:
                        batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                        for partition, records in batches.items():
                            unit = topics[partition.topic]
                            for record in records:
                                event_id = json.loads(record.value)["id"]
                                if event_id in self.expected:
                                    seen[(event_id, unit)] += 1
                        if not batches and wanted <= set(seen):
                            break
                        self.check_alive()
        finally:
            await consumer.stop()
        return seen

    async def _stored(self, wanted: int, timeout_s: float) -> dict[tuple[str, str], int]:
        rows = DeliveryRow.__table__.c
        query = (
            select(rows.event_id, rows.recipient, func.count())
            .where(rows.event_source == f"fy:unit:{self.unit('court')}")
            .group_by(rows.event_id, rows.recipient)
        )
        found: dict[tuple[str, str], int] = {}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                while True:
                    async with self.store.connect() as connection:
                        found = {
                            (e, r): n
                            for e, r, n in (await connection.execute(query)).all()
                            if e in self.expected  # this test's events, not an earlier one's
                        }
                    if len(found) >= wanted:
                        break
                    self.check_alive()
                    await asyncio.sleep(1.0)
        return found

    def _session(self) -> AsyncSession:
        return async_sessionmaker(self.store, expire_on_commit=False)()

    @staticmethod
    async def _audit_rows(session: AsyncSession) -> int:
        return int(
            (await session.execute(select(func.count()).select_from(AuditLogRow))).scalar_one()
        )


@contextlib.asynccontextmanager
async def production_hub() -> AsyncIterator[ProductionHub]:
    """The cluster, the store, the hub's four processes and the court's connector, running."""
    home = own_kafka.new_home()
    region = random_region()
    registry = registry_in_region(home, region)
    units = load_registry(registry).units
    cluster = own_kafka.three_node_cluster(home, principals=planned_principals(units))
    postgres = OwnPostgres(home / "postgres", free_port_block(1))
    stack = contextlib.AsyncExitStack()
    try:
        await cluster.up()
        stack.push_async_callback(cluster.down)
        postgres.up()
        stack.callback(postgres.down)
        settings = _settings(home, cluster.access(), region, registry, postgres.url())
        store = build_engine(settings.db.url)
        stack.push_async_callback(store.dispose)
        await upgrade_engine(store)
        await apply_topics(cluster.access(), planned_topics(units, settings.kafka))
        await apply_acls(cluster.access(), bootstrap.planned_acls(settings))
        court = _court_connector(cluster, settings, region, home)
        hub = ProductionHub(home, cluster, settings, region, postgres, store, court)
        stack.callback(hub.stop_all)
        for name in SERVICES:
            hub.start(name)
        await court.start()
        stack.push_async_callback(court.stop)
        yield hub
    finally:
        try:
            await stack.aclose()
        finally:
            shutil.rmtree(home, ignore_errors=True)


def _settings(home: Path, admin: KafkaAccess, region: str, registry: Path, db_url: str) -> Settings:
    write_hub_key(home / "hub-signing.key")
    return bootstrap.load_settings(
        registry=registry,
        # production's topics: replication 3, min ISR 2, unclean election off, its retention
        kafka=kafka_overrides(admin, partitions=3, profile="production"),
        security={
            "token_secret": TOKEN_SECRET.decode(),
            "signing_key_file": home / "hub-signing.key",
            "signing_key_id": HUB_KEY_ID,
        },
        db={"url": db_url},
        router={"group_id": f"fyhub.router.{region}", "max_age_s": FRESH_FOR_S},
    )


def _court_connector(cluster: LocalKafka, settings: Settings, region: str, home: Path) -> Connector:
    court = f"court.{region}"
    hub_key = bootstrap.load_hub_signing_key(settings).public_key()
    security = KafkaSecurity.scram(
        court, password_file=cluster.password_file(court), ca_file=cluster.ca_file
    )
    return Connector(
        court,
        bootstrap=cluster.bootstrap,
        signing_key=unit_key(court),
        key_id="k1",
        hub_keys={settings.security.signing_key_id: hub_key},
        state_dir=home / "court",
        options=ConnectorOptions(security=security, poll_s=0.2),
    )


def _in_case(event: dict[str, Any], number: int) -> dict[str, Any]:
    """The event moved to case 执`number`号 (its subject and every field naming the case)."""
    text = json.dumps(event, ensure_ascii=False).replace("执356号", f"执{number}号")
    moved: dict[str, Any] = json.loads(text)
    return moved
