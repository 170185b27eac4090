"""The framework baseline: a FastStream batch subscriber over an outbox that writes each record,
unchanged, to the given inboxes through the hub's own `RecordWriter`, with the router's settings
(its broker from `hub.bootstrap`, its batch size, ack policy and writer limits). No validation,
routing, signing or journal: what the router costs beyond this is the hub's own work.

    python bench/copy_as_is.py GROUP SOURCE_TOPIC DEST_TOPIC [DEST_TOPIC ...]

It connects as the hub's settings say (`FYHUB_*`, the same environment the router gets).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaMessage, Topic

from hub import bootstrap
from hub.cli.serve import serve
from hub.kafka.batches import parse_ignoring_headers, raw_values
from hub.kafka.records import Outbound
from hub.kafka.writer import RecordWriter


class CopyService:
    def __init__(self, group: str, source: str, destinations: list[str]) -> None:
        settings = bootstrap.load_settings()
        # The router's broker and writer, as `bootstrap.build_router` makes them.
        self.broker = bootstrap.build_broker(settings, client_id="fyhub-bench-copy")
        self.writer = RecordWriter(
            bootstrap.kafka_access(settings),
            client_id="fyhub-bench-copy",
            max_request_size=bootstrap.producer_max_request_size(settings),
        )
        writer = self.writer

        @self.broker.subscriber(
            Topic(source, declare=False),
            batch=True,
            group_id=group,
            max_records=settings.router.max_records,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            # the router's parser and decoder: raw values, headers ignored, no JSON decoding
            parser=parse_ignoring_headers,
            decoder=raw_values,
        )
        async def copy_records(bodies: list[bytes], message: KafkaMessage) -> None:  # noqa: ARG001
            raw: Any = message.raw_message
            await writer.write_all(
                [
                    Outbound(topic, record.key, record.value or b"")
                    for record in raw
                    for topic in destinations
                ]
            )

    async def start(self) -> None:
        await self.writer.start()
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()
        await self.writer.stop()


if __name__ == "__main__":
    group, source, *destinations = sys.argv[1:]
    asyncio.run(serve([CopyService(group, source, destinations)]))
