"""How the hub's batch subscribers take a batch from FastStream: every record's value, whatever
its headers, and the records as read."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka.message import KafkaMessage
from faststream.kafka.parser import AioKafkaBatchParser

from hub.kafka.batches import parse_ignoring_headers, raw_values

OUTBOX = "fy.court.411121.outbox"


def record(offset: int, value: bytes | None, headers: list[tuple[str, bytes]]) -> Any:
    return ConsumerRecord(
        topic=OUTBOX,
        partition=0,
        offset=offset,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value or b""),
        headers=headers,
    )


def test_binary_headers_do_not_stop_a_batch_and_every_record_is_kept() -> None:
    records = (
        record(7, b'{"a":1}', [("x", b"\xff\xfe")]),
        record(8, None, []),
        record(9, b"not json", [("fy-hub-seal", b"c2VhbA=="), ("bin", b"\x80")]),
    )
    parser = AioKafkaBatchParser(msg_class=KafkaMessage, regex=None)
    with pytest.raises(UnicodeDecodeError):  # why the hub does not let FastStream parse them
        asyncio.run(parser.parse_batch(records))

    message = asyncio.run(parse_ignoring_headers(records, parser.parse_batch))

    assert message.raw_message == records  # headers and all: the auditor checks the seal
    assert message.body == [b'{"a":1}', b"", b"not json"]
    assert asyncio.run(raw_values(message)) == [b'{"a":1}', b"", b"not json"]
