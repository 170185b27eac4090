"""A hub on the real broker for integration tests: a fresh region (so fresh topics), its topics
created, the router (and, when given a store, the auditor) running in this process, and plain
aiokafka clients acting as the units.

The journal topic is shared by every test on the broker, so an audited rig's auditor gets its own
consumer group whose offsets start at the journal's end when the rig starts: it sees exactly the
entries this rig's router writes, however long the journal already is."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from hub import bootstrap
from hub.auditor.service import AuditorService, register_auditor
from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.settings import Settings
from hub.store.migrate import upgrade_engine
from schemas.units import JOURNAL_TOPIC
from tests.fixtures.journal import HUB_KEY_ID, write_hub_key
from tests.fixtures.kafka import kafka_admin
from tests.hubkit import (
    AGELESS_S,
    TOKEN_SECRET,
    kafka_overrides,
    random_region,
    registry_in_region,
)


@dataclass
class Rig:
    settings: Settings
    region: str
    kafka: KafkaAccess
    producer: AIOKafkaProducer
    store: AsyncEngine | None = None

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    def unit(self, dept: str) -> str:
        return f"{dept}.{self.region}"

    async def send_raw(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = b"k",
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await self.producer.send_and_wait(topic, value, key=key, headers=headers or [])

    async def send_event(self, topic: str, event: dict[str, Any]) -> None:
        raw = json.dumps(event, ensure_ascii=False).encode()
        await self.send_raw(topic, raw, key=str(event.get("subject", "k")).encode())


def hub_settings(tmp: Path, kafka: KafkaAccess, region: str, **overrides: Any) -> Settings:
    """A hub on the test broker: not a local run, so its signing key is installed first (the
    test hub key, mode 0600), as an operator installs it. Its router accepts the corpus's old
    event times (`hubkit.AGELESS_S`) unless `router` is overridden."""
    registry = registry_in_region(tmp, region)
    if not (tmp / "hub-signing.key").exists():
        write_hub_key(tmp / "hub-signing.key")
    values: dict[str, Any] = {
        "registry": registry,
        "kafka": kafka_overrides(kafka, partitions=2),
        "security": {
            "token_secret": TOKEN_SECRET.decode(),
            "signing_key_file": tmp / "hub-signing.key",
            "signing_key_id": HUB_KEY_ID,
        },
        "db": {"url": f"sqlite+aiosqlite:///{tmp}/store.db"},
        "router": {
            "group_id": f"fyhub.router.{region}",
            "max_records": 500,
            "max_age_s": AGELESS_S,
        },
    }
    return bootstrap.load_settings(**(values | overrides))


@asynccontextmanager
async def running_rig(
    tmp: Path, kafka: KafkaAccess, *, store: AsyncEngine | None = None, **overrides: Any
) -> AsyncIterator[Rig]:
    region = random_region()
    settings = hub_settings(tmp, kafka, region, **overrides)
    contracts = bootstrap.load_contracts(settings)
    await apply_topics(kafka, planned_topics(contracts.registry.units, settings.kafka))
    auditor = None if store is None else await journal_auditor(settings, store, region)
    router = bootstrap.build_router(settings)
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all", max_request_size=4_194_304)
    await producer.start()
    if auditor is not None:
        await auditor.start()
    await router.start()
    try:
        yield Rig(settings, region, kafka, producer, store)
    finally:
        await router.stop()
        if auditor is not None:
            await auditor.stop()
        await producer.stop()


async def journal_auditor(settings: Settings, store: AsyncEngine, name: str) -> AuditorService:
    """The auditor service on `store` (migrated here), reading the journal from its current end."""
    await upgrade_engine(store)
    group = f"fyhub.auditor.{name}"
    await start_group_at_end(bootstrap.kafka_access(settings), JOURNAL_TOPIC, group)
    broker = bootstrap.build_broker(settings, client_id=group)
    sessions = async_sessionmaker(store, expire_on_commit=False)
    trust = bootstrap.build_journal_trust(settings)
    stats = register_auditor(broker, sessions, trust=trust, group_id=group)
    return AuditorService(broker, store, stats, owns_engine=False)


async def start_group_at_end(kafka: KafkaAccess, topic: str, group: str) -> None:
    async with kafka_admin(kafka) as admin:
        (described,) = await admin.describe_topics([topic])
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


async def wait_for_rows(store: AsyncEngine, query: Any, count: int, *, timeout: float = 60) -> int:
    """Polls `select count(*)` of `query` until it reaches `count`; returns the last count."""
    counted = select(func.count()).select_from(query.subquery())
    async with asyncio.timeout(timeout):
        while True:
            async with store.connect() as connection:
                found = (await connection.execute(counted)).scalar_one()
            if found >= count:
                return int(found)
            await asyncio.sleep(0.2)


async def read_records(
    kafka: KafkaAccess, topic: str, count: int, *, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """At least `count` records of `topic` from its beginning (more if they are already there)."""
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for batch in batches.values():
                    records.extend(batch)
        # whatever else is already there (duplicates, unexpected extras) is part of the answer
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records


def bodies(records: list[ConsumerRecord[bytes, bytes]]) -> list[dict[str, Any]]:
    return [json.loads(record.value) for record in records]


async def read_matching(
    kafka: KafkaAccess,
    topic: str,
    matches: Callable[[ConsumerRecord[bytes, bytes]], bool],
    count: int = 1,
    *,
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """The records of `topic` that `matches`, read from the beginning until `count` were found
    and the topic's end was reached (so extra matches, such as duplicates, show too)."""
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                found += [r for batch in batches.values() for r in batch if matches(r)]
                if len(found) >= count and not batches:
                    return found
    finally:
        await consumer.stop()
