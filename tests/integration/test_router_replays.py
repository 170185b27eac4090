"""Replays on the real broker: the same signed event put on the outbox again is refused
`duplicate`, also by a router started afterwards (it recalls what it routed from the journal),
while a record the router reads again at its own position (not committed before a restart) is
routed again, as at-least-once delivery needs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hub import bootstrap
from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.settings import Settings
from schemas.units import DLQ_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, random_region, signed_by
from tests.integration.rig import bodies, hub_settings, read_matching

pytestmark = [pytest.mark.kafka]

Placed = tuple[TopicPartition, int]


class Hub:
    """A region's topics and a router that can be stopped and started again."""

    def __init__(self, settings: Settings, region: str, producer: AIOKafkaProducer) -> None:
        self.settings = settings
        self.region = region
        self.producer = producer
        self.kafka = bootstrap.kafka_access(settings)

    def unit(self, dept: str) -> str:
        return f"{dept}.{self.region}"

    @asynccontextmanager
    async def router(self) -> AsyncIterator[None]:
        router = bootstrap.build_router(self.settings)
        await router.start()
        try:
            yield
        finally:
            await router.stop()

    async def publish(self, event: dict[str, Any]) -> Placed:
        """Put `event` on the court's outbox; where it landed."""
        raw = json.dumps(event, ensure_ascii=False).encode()
        topic = outbox_topic(self.unit("court"))
        sent = await self.producer.send_and_wait(topic, raw, key=str(event["subject"]).encode())
        return TopicPartition(topic, sent.partition), int(sent.offset)

    async def rewind_router(self, partition: TopicPartition, offset: int) -> None:
        """Set the router's committed offset on `partition` back to `offset`, as if it had
        stopped before committing the records from there on."""
        consumer = AIOKafkaConsumer(
            **self.kafka.client_options(),
            group_id=self.settings.router.group_id,
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            consumer.assign([partition])
            assert (await consumer.committed(partition) or 0) > offset
            await consumer.commit({partition: offset})
        finally:
            await consumer.stop()


@pytest.fixture
async def hub(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[Hub]:
    region = random_region()
    settings = hub_settings(tmp_path, kafka_access, region)
    units = bootstrap.load_contracts(settings).registry.units
    await apply_topics(kafka_access, planned_topics(units, settings.kafka))
    producer = AIOKafkaProducer(**kafka_access.client_options(), acks="all")
    await producer.start()
    try:
        yield Hub(settings, region, producer)
    finally:
        await producer.stop()


def listing(hub: Hub) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event("debtor.listed.v1")), hub.region)
    return signed_by(event, hub.unit("court"))


def has_id(event_id: str) -> Any:
    return lambda record: event_id.encode() in record.value


async def copies_for_tax(hub: Hub, event: dict[str, Any], count: int = 1) -> list[Any]:
    return await read_matching(hub.kafka, inbox_topic(hub.unit("tax")), has_id(event["id"]), count)


async def expect_duplicate_refused(hub: Hub, event: dict[str, Any], first: Placed) -> None:
    court = hub.unit("court")
    (notice,) = bodies(await read_matching(hub.kafka, inbox_topic(court), has_id(event["id"])))
    assert (notice["data"]["code"], notice["data"]["rejected_id"]) == ("duplicate", event["id"])
    partition, offset = first
    assert f"from {partition.topic}:{partition.partition}:{offset};" in notice["data"]["detail"]
    (letter,) = await read_matching(hub.kafka, DLQ_TOPIC, has_id(event["id"]))
    assert dict(letter.headers)["fy-error-code"] == b"duplicate"
    assert letter.value == json.dumps(event, ensure_ascii=False).encode()


async def test_the_same_signed_event_sent_again_is_refused_as_a_duplicate(hub: Hub) -> None:
    event = listing(hub)
    async with hub.router():
        first = await hub.publish(event)
        await copies_for_tax(hub, event)
        await hub.publish(event)
        await expect_duplicate_refused(hub, event, first)
        (copy,) = await copies_for_tax(hub, event)  # delivered once, with the first tokens
    assert json.loads(copy.value)["id"] == event["id"]


async def test_a_restarted_router_recalls_what_it_routed_and_refuses_the_replay(
    hub: Hub,
) -> None:
    event = listing(hub)
    async with hub.router():
        first = await hub.publish(event)
        await copies_for_tax(hub, event)
    async with hub.router():
        await hub.publish(event)
        await expect_duplicate_refused(hub, event, first)
    assert len(await copies_for_tax(hub, event)) == 1


async def test_a_record_read_again_at_its_own_position_is_routed_again(hub: Hub) -> None:
    event = listing(hub)
    async with hub.router():
        first = await hub.publish(event)
        await copies_for_tax(hub, event)
    await hub.rewind_router(*first)  # as if the router had stopped before committing
    async with hub.router():
        # Read again from its own position: routed again (a refusal would deliver nothing).
        copies = await copies_for_tax(hub, event, 2)
    assert [json.loads(copy.value)["id"] for copy in copies] == [event["id"]] * 2
