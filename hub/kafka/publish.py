"""Writing a few records through a FastStream broker, for the hub's low-volume writers."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from hub.kafka.records import refuse_unsealed

if TYPE_CHECKING:
    from collections.abc import Awaitable, Sequence

    from faststream.kafka import KafkaBroker

    from hub.kafka.records import Outbound


async def publish_all(broker: KafkaBroker, records: Sequence[Outbound]) -> None:
    """Write every record through FastStream, then wait until the broker acknowledged them all
    (for the low-volume writers: the tracker, dead-letter resends)."""
    pending: list[Awaitable[Any]] = []
    for out in records:
        refuse_unsealed(out)
        future = await broker.publish(
            out.value,
            topic=out.topic,
            key=out.key,
            headers={name: value.decode() for name, value in out.headers},
            no_confirm=True,
        )
        pending.append(future)
    await asyncio.gather(*pending)
