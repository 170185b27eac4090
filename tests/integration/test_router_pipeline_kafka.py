"""The router with batches in flight side by side, on the suite's broker: every event is routed,
and once the router has stopped (its writes drained) the group has committed every outbox
record, by the pipeline's explicit commits alone (FastStream acks nothing)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hub import bootstrap
from hub.kafka.topics import apply_topics, planned_topics
from schemas.units import inbox_topic, outbox_topic
from tests.hubkit import AGELESS_S, random_region
from tests.integration.rig import hub_settings, read_records
from tests.integration.test_router_crash import queries

if TYPE_CHECKING:
    from pathlib import Path

    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka]

EVENTS = 120


async def committed_and_ends(
    kafka: KafkaAccess, topic: str, partitions: int, group: str
) -> tuple[dict[int, int | None], dict[int, int]]:
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        committed = {tp.partition: await consumer.committed(tp) for tp in tps}
        ends = {tp.partition: end for tp, end in (await consumer.end_offsets(tps)).items()}
    finally:
        await consumer.stop()
    return committed, ends


async def test_small_batches_in_flight_are_all_routed_and_committed_by_the_stop(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    region = random_region()
    group = f"fyhub.router.{region}"
    settings = hub_settings(
        tmp_path,
        kafka_access,
        region,
        # batches of 7: many batches, two of them in flight at a time
        router={"group_id": group, "max_records": 7, "pipeline_depth": 2, "max_age_s": AGELESS_S},
    )
    units = bootstrap.load_contracts(settings).registry.units
    await apply_topics(kafka_access, planned_topics(units, settings.kafka))
    court, tax = f"court.{region}", f"tax.{region}"
    router = bootstrap.build_router(settings)
    await router.start()
    try:
        producer = AIOKafkaProducer(**kafka_access.client_options(), acks="all")
        await producer.start()
        sent = queries(region, EVENTS)
        try:
            for n, event in enumerate(sent):
                value = json.dumps(event, ensure_ascii=False).encode()
                await producer.send(outbox_topic(court), value, key=b"%d" % (n % 6))
            await producer.flush()
        finally:
            await producer.stop()
        copies = await read_records(kafka_access, inbox_topic(tax), EVENTS, timeout=60)
    finally:
        await router.stop()

    assert {json.loads(c.value)["id"] for c in copies} == {event["id"] for event in sent}
    # the court's outbox is planned busy: 6 partitions, each committed to its end
    committed, ends = await committed_and_ends(kafka_access, outbox_topic(court), 6, group)
    assert sum(ends.values()) == EVENTS
    # a partition no key hashed to has nothing to commit
    assert committed == {p: end or None for p, end in ends.items()}
