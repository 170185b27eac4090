"""The broker against real clients: FastStream's at-least-once consumption, the record size.

The suite's broker runs secured; these clients are its administrator (`kafka_access`).
`test_kafka_security.py` checks who else it lets in.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from hub.devkit.local_kafka import BROKER_MAX_MESSAGE_BYTES, listed_brokers
from tests.fixtures.kafka import NewTopicFactory, kafka_admin

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess

pytestmark = pytest.mark.kafka
ONE_MIB = 1024 * 1024


async def send(access: KafkaAccess, topic: str, *values: bytes, **options: int) -> None:
    producer = AIOKafkaProducer(
        **access.client_options(), acks="all", enable_idempotence=True, **options
    )
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def test_metadata_lists_the_broker(kafka_access: KafkaAccess) -> None:
    assert await listed_brokers(kafka_access)


async def test_faststream_subscriber_receives_what_aiokafka_sent(
    kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    broker = KafkaBroker(kafka_access.bootstrap, security=kafka_access.faststream_security())

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
        await send(kafka_access, topic, json.dumps({"id": "evt-1"}).encode())
        assert await asyncio.wait_for(received.get(), 30) == {"id": "evt-1"}


async def test_a_failed_message_is_delivered_again_and_then_committed(
    kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    group = f"{topic}.reader"
    attempts: list[str] = []
    processed: asyncio.Queue[str] = asyncio.Queue()
    broker = KafkaBroker(kafka_access.bootstrap, security=kafka_access.faststream_security())

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
        await send(kafka_access, topic, b"evt-2")
        assert await asyncio.wait_for(processed.get(), 30) == "evt-2"
        assert attempts == ["evt-2", "evt-2"]
        assert await _eventually_committed(kafka_access, group, TopicPartition(topic, 0)) == 1


async def _eventually_committed(access: KafkaAccess, group: str, partition: TopicPartition) -> int:
    """The group's committed offset on `partition`, once there is one (commits are async)."""
    async with kafka_admin(access) as admin, asyncio.timeout(15):
        while partition not in (offsets := await admin.list_consumer_group_offsets(group)):
            await asyncio.sleep(0.2)
    return int(offsets[partition].offset)


async def test_a_one_mebibyte_record_with_envelope_overhead_fits(
    kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    record = b"x" * (ONE_MIB + 16 * 1024)
    await send(kafka_access, topic, record, max_request_size=BROKER_MAX_MESSAGE_BYTES)
    consumer = AIOKafkaConsumer(
        topic,
        **kafka_access.client_options(),
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
