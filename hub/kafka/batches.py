"""How the hub's batch subscribers (router, auditor) take their records from FastStream: as raw
values, whatever their headers say."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiokafka import ConsumerRecord
    from faststream.message import StreamMessage


async def parse_ignoring_headers(
    records: tuple[ConsumerRecord[Any, Any], ...],
    original: Callable[[tuple[ConsumerRecord[Any, Any], ...]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    # Only the value matters; FastStream's default parser would decode headers as UTF-8 first.
    return await original(tuple(dataclasses.replace(r, headers=()) for r in records))


async def parse_keeping_records(
    records: tuple[ConsumerRecord[Any, Any], ...],
    original: Callable[[tuple[ConsumerRecord[Any, Any], ...]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    """`parse_ignoring_headers`, with the records as read (headers and all) kept as the
    message's `raw_message`: for the auditor, which checks the hub's seal in the headers."""
    message = await parse_ignoring_headers(records, original)
    message.raw_message = records
    return message


async def raw_values(message: StreamMessage[Any]) -> list[bytes]:
    return [record.value or b"" for record in message.raw_message]
