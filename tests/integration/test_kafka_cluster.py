"""On the three-node cluster, no acknowledged write is lost when the partition leader crashes.

The topic has replication factor 3 and min.insync.replicas 2; an idempotent producer writes with
acks=all. Part-way through, with a batch in flight, the partition leader is killed with SIGKILL.
The producer retries onto the new leader, and reading the partition back from the start must
find every message the broker acknowledged, each once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hub.kafka import scram_admin
from hub.kafka.credentials import new_password
from tests.fixtures.kafka import create_topic, kafka_admin
from tests.fixtures.own_kafka import CLUSTER_PRINCIPAL

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiokafka.admin import AIOKafkaAdminClient

    from hub.devkit.local_kafka import LocalKafka
    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.slow]
log = logging.getLogger(__name__)

TOTAL = 600
BATCH = 20
KILL_AFTER_ACKS = 200


async def test_every_node_runs_secured_and_knows_the_principals_formatted_in(
    local_kafka_cluster: LocalKafka, kafka_cluster_access: KafkaAccess
) -> None:
    assert kafka_cluster_access.protocol == "SASL_SSL"
    unit = local_kafka_cluster.access(CLUSTER_PRINCIPAL)
    for node in local_kafka_cluster.topology.nodes:
        assert await scram_admin.logs_in(unit, node.address)
        assert not await scram_admin.logs_in(unit.as_user(CLUSTER_PRINCIPAL, "wrong"), node.address)


async def test_a_password_rotated_on_the_cluster_works_on_every_node(
    kafka_cluster_access: KafkaAccess,
) -> None:
    user, password = "fy.test.rotated", new_password()
    await scram_admin.set_password(kafka_cluster_access, user, password)  # waits for all nodes
    rotated = new_password()
    await scram_admin.set_password(kafka_cluster_access, user, rotated)
    await scram_admin.wait_until_refused(kafka_cluster_access.as_user(user, password))
    await scram_admin.delete_credential(kafka_cluster_access, user)


async def test_acknowledged_writes_survive_killing_the_partition_leader(
    local_kafka_cluster: LocalKafka, kafka_cluster_access: KafkaAccess
) -> None:
    kafka_cluster = kafka_cluster_access
    async with kafka_admin(kafka_cluster) as admin:
        topic = await create_topic(admin, replication=3, configs={"min.insync.replicas": "2"})
        leader = await _leader(admin, topic)

    acknowledged, acknowledged_after_kill = await _produce(
        kafka_cluster, topic, lambda: local_kafka_cluster.kill(leader, signal.SIGKILL)
    )
    # A new admin client: the first one's metadata may still send requests to the dead node.
    async with kafka_admin(kafka_cluster) as admin:
        assert await _leader(admin, topic) not in (leader, -1)
        read = await _read_all(kafka_cluster, topic)
        await admin.delete_topics([topic])

    assert acknowledged_after_kill, "no write was acknowledged after the leader was killed"
    assert acknowledged <= set(read), f"lost: {sorted(acknowledged - set(read))[:10]}"
    assert len(read) == len(set(read)), "an idempotent producer's retry was written twice"


async def _leader(admin: AIOKafkaAdminClient, topic: str) -> int:
    (description,) = await admin.describe_topics([topic])
    (partition,) = description["partitions"]
    return int(partition["leader"])


async def _produce(
    access: KafkaAccess, topic: str, crash: Callable[[], object]
) -> tuple[set[str], set[str]]:
    """Send TOTAL ids in batches, calling `crash` while one batch is in flight.

    The ids the broker acknowledged, all of them and those acknowledged after the crash.
    """
    producer = AIOKafkaProducer(
        **access.client_options(), acks="all", enable_idempotence=True, request_timeout_ms=30000
    )
    acknowledged: set[str] = set()
    after_crash: set[str] = set()
    crashed_at: float | None = None
    await producer.start()
    try:
        for first in range(0, TOTAL, BATCH):
            ids = [f"evt-{number:04d}" for number in range(first, first + BATCH)]
            in_flight = [await producer.send(topic, event_id.encode()) for event_id in ids]
            if crashed_at is None and len(acknowledged) >= KILL_AFTER_ACKS:
                crash()
                crashed_at = time.monotonic()
            results = await asyncio.gather(*in_flight, return_exceptions=True)
            ok = {i for i, r in zip(ids, results, strict=True) if not isinstance(r, Exception)}
            if len(ok) < len(ids):
                log.warning("%d sends failed: %r", len(ids) - len(ok), results)
            acknowledged |= ok
            after_crash |= ok if crashed_at is not None else set()
    finally:
        await producer.stop()
    assert crashed_at is not None
    log.warning("fail-over and the rest of the writes took %.1f s", time.monotonic() - crashed_at)
    return acknowledged, after_crash


async def _read_all(access: KafkaAccess, topic: str) -> list[str]:
    partition = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(**access.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        read: list[str] = []
        async with asyncio.timeout(60):
            while await consumer.position(partition) < end:
                batches = await consumer.getmany(partition, timeout_ms=1000)
                read += [m.value.decode() for m in batches.get(partition, [])]
        return read
    finally:
        await consumer.stop()
