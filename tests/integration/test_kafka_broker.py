"""The broker against real clients: FastStream's at-least-once consumption, the record size."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from hub.devkit.local_kafka import BROKER_MAX_MESSAGE_BYTES, listed_brokers
from tests.fixtures.kafka import NewTopicFactory, kafka_admin

pytestmark = pytest.mark.kafka
ONE_MIB = 1024 * 1024


async def send(bootstrap: str, topic: str, *values: bytes, **options: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **options
    )
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def test_metadata_lists_the_broker(kafka_bootstrap: str) -> None:
    assert await listed_brokers(kafka_bootstrap)


async def test_faststream_subscriber_receives_what_aiokafka_sent(
    kafka_bootstrap: str, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    broker = KafkaBroker(kafka_bootstrap)

    @broker.subscriber(
        topic,
        group_id=f"{topic}.reader",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
    )
    async def receive(body: dict[str, str]) -> None:
        await received.put(body)

    async with broker:
        await broker.start()
        await send(kafka_bootstrap, topic, json.dumps({"id": "evt-1"}).encode())
        assert await asyncio.wait_for(received.get(), 30) == {"id": "evt-1"}


async def test_a_failed_message_is_delivered_again_and_then_committed(
    kafka_bootstrap: str, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    group = f"{topic}.reader"
    attempts: list[str] = []
    processed: asyncio.Queue[str] = asyncio.Queue()
    broker = KafkaBroker(kafka_bootstrap)

    @broker.subscriber(
        topic, group_id=group, ack_policy=AckPolicy.NACK_ON_ERROR, auto_offset_reset="earliest"
    )
    async def handle(body: str) -> None:
        attempts.append(body)
        if len(attempts) == 1:
            raise RuntimeError("the store is briefly unavailable")
        await processed.put(body)

    async with broker:
        await broker.start()
        await send(kafka_bootstrap, topic, b"evt-2")
        assert await asyncio.wait_for(processed.get(), 30) == "evt-2"
        assert attempts == ["evt-2", "evt-2"]
        assert await _eventually_committed(kafka_bootstrap, group, TopicPartition(topic, 0)) == 1


async def _eventually_committed(bootstrap: str, group: str, partition: TopicPartition) -> int:
    """The group's committed offset on `partition`, once there is one (commits are async)."""
    async with kafka_admin(bootstrap) as admin, asyncio.timeout(15):
        while partition not in (offsets := await admin.list_consumer_group_offsets(group)):
            await asyncio.sleep(0.2)
    return int(offsets[partition].offset)


async def test_a_one_mebibyte_record_with_envelope_overhead_fits(
    kafka_bootstrap: str, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    record = b"x" * (ONE_MIB + 16 * 1024)
    await send(kafka_bootstrap, topic, record, max_request_size=BROKER_MAX_MESSAGE_BYTES)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=BROKER_MAX_MESSAGE_BYTES,
        fetch_max_bytes=2 * BROKER_MAX_MESSAGE_BYTES,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), 30)
    finally:
        await consumer.stop()
    assert message.value == record
