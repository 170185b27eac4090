"""The baseline: a raw aiokafka consume-and-produce pass-through, with no validation, routing,
projection or signing. It reads the same outbox the router reads and copies each record, as is,
to the same inboxes (one for a targeted request, every group member for a broadcast), with the
same durability (acks=all, idempotent producer, commit after the writes are acknowledged) and the
router's own fetch and producer settings (`router.max_records`, `writer_linger_ms`,
`writer_max_batch_size`), so that it is the best the router's Kafka path could do, not a slower
client that flatters the ratio.

    python bench/passthrough.py BOOTSTRAP GROUP SOURCE_TOPIC DEST_TOPIC [DEST_TOPIC ...]

It connects as the hub's settings say (`FYHUB_KAFKA__*`: protocol, principal, CA), like the router
it is compared with.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hub import bootstrap

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess
    from hub.settings import RouterSettings


async def pass_through(
    access: KafkaAccess, router: RouterSettings, group: str, source: str, destinations: list[str]
) -> None:
    consumer = AIOKafkaConsumer(
        source,
        **access.client_options(),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=router.max_records,
    )
    producer = AIOKafkaProducer(
        **access.client_options(),
        acks="all",
        enable_idempotence=True,
        linger_ms=router.writer_linger_ms,
        max_batch_size=router.writer_max_batch_size,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    await consumer.start()
    await producer.start()
    try:
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            pending = [
                await producer.send(topic, record.value, key=record.key)
                for batch in batches.values()
                for record in batch
                for topic in destinations
            ]
            await asyncio.gather(*pending)
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    brokers, group, source, *destinations = sys.argv[1:]
    settings = bootstrap.load_settings()
    access = replace(bootstrap.kafka_access(settings), bootstrap=brokers)
    asyncio.run(pass_through(access, settings.router, group, source, destinations))
