"""Records that once stopped a partition for good (issue 9), sent raw to an outbox on the real
broker, each followed by a valid event on the same partition: the poison record is refused with
its code, told to the sender and dead-lettered (an oversized one as its head and digest), and the
event after it is routed and stored, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest
from aiokafka.errors import MessageSizeTooLargeError
from sqlalchemy import select

from hub.kafka.access import KafkaAccess
from hub.kafka.records import Outbound
from hub.kafka.writer import RecordWriter
from hub.router.rejections import DIGEST_HEADER, LENGTH_HEADER, OVERSIZED_HEAD_BYTES
from hub.store.tables import EventRow, RejectionRow
from schemas.units import DLQ_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import (
    Rig,
    bodies,
    read_matching,
    read_records,
    running_rig,
    wait_for_rows,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from aiokafka import ConsumerRecord
    from sqlalchemy.ext.asyncio import AsyncEngine

    from tests.fixtures.kafka import NewTopicFactory

pytestmark = [pytest.mark.kafka]

KEY = "（2026）豫1121执356号".encode()
OVERSIZED = 4_194_154
"""The size that made the router's dead letter exceed its producer's request size."""


@pytest.fixture
async def rig(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access, store=store_engine) as running:
        yield running


def listing(rig: Rig, *, signed: bool = True, **changes: Any) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event("debtor.listed.v1")), rig.region) | changes
    return signed_by(event, rig.unit("court")) if signed else event


def oversized(rig: Rig) -> bytes:
    event = listing(rig)
    event["data"]["padding"] = ""
    short = len(json.dumps(event, ensure_ascii=False).encode())
    event["data"]["padding"] = "x" * (OVERSIZED - short)
    raw = json.dumps(event, ensure_ascii=False).encode()
    assert len(raw) == OVERSIZED
    return raw


POISON = {
    "oversized": ("too_large", oversized),
    "nul-subject": (
        "schema_invalid",
        lambda rig: json.dumps(listing(rig, signed=False, subject="（2026）豫1121执356号\x00")),
    ),
    "year-1-time": (
        "schema_invalid",
        lambda rig: json.dumps(listing(rig, time="0001-01-01T00:00:00+08:00")),
    ),
    "year-9999-time": (
        "schema_invalid",
        lambda rig: json.dumps(listing(rig, time="9999-12-31T23:59:59Z")),
    ),
}


@pytest.mark.parametrize("case", list(POISON))
async def test_a_poison_record_is_refused_and_the_next_event_gets_through(
    rig: Rig, case: str
) -> None:
    code, make = POISON[case]
    poison = make(rig)
    raw = poison if isinstance(poison, bytes) else poison.encode()
    court = rig.unit("court")
    outbox = outbox_topic(court)
    valid = listing(rig)

    await rig.send_raw(outbox, raw, key=KEY)
    await rig.send_raw(outbox, json.dumps(valid, ensure_ascii=False).encode(), key=KEY)

    (notice,) = bodies(await read_matching(rig.kafka, inbox_topic(court), _notice, 1))
    assert notice["data"]["code"] == code
    if code == "schema_invalid":
        path = "subject" if case == "nul-subject" else "time"
        assert [field["path"] for field in notice["data"]["fields"]] == [path]

    def from_this_outbox(record: ConsumerRecord[bytes, bytes]) -> bool:
        return dict(record.headers).get("fy-original-topic") == outbox.encode()

    (dead,) = await read_matching(rig.kafka, DLQ_TOPIC, from_this_outbox, 1, timeout=60)
    headers = dict(dead.headers)
    assert headers["fy-error-code"] == code.encode()
    if case == "oversized":
        assert headers[DIGEST_HEADER] == hashlib.sha256(raw).hexdigest().encode()
        assert headers[LENGTH_HEADER] == str(OVERSIZED).encode()
        assert len(dead.value) <= OVERSIZED_HEAD_BYTES
        assert raw.startswith(dead.value)
    else:
        assert dead.value == raw

    def the_valid_copy(record: ConsumerRecord[bytes, bytes]) -> bool:
        return json.loads(record.value)["id"] == valid["id"]

    (copy,) = await read_matching(rig.kafka, inbox_topic(rig.unit("tax")), the_valid_copy)
    assert json.loads(copy.value)["source"] == valid["source"]

    store = rig.store
    assert store is not None
    await wait_for_rows(store, select(EventRow).where(EventRow.event_id == valid["id"]), 1)
    await wait_for_rows(store, select(RejectionRow).where(RejectionRow.code == code), 1)
    async with store.connect() as connection:
        (refused,) = (await connection.execute(select(RejectionRow))).all()
    assert refused.topic == outbox
    assert "\x00" not in (refused.subject or "")


def _notice(record: ConsumerRecord[bytes, bytes]) -> bool:
    return bool(json.loads(record.value)["type"] == "hub.rejected.v1")


@pytest.mark.parametrize("refused_by", ["producer", "broker"])
async def test_a_record_refused_as_too_large_is_written_as_its_stand_in(
    kafka_access: KafkaAccess, new_topic: NewTopicFactory, refused_by: str
) -> None:
    # A topic of its own: the shared dead-letter topic holds only real dead letters.
    topic = await new_topic(configs={"max.message.bytes": "10000"})
    request_size = 10_000 if refused_by == "producer" else 1_000_000
    stand_in = Outbound(topic, b"k", b"short")
    writer = RecordWriter(
        kafka_access, client_id="fyhub-test-writer", max_request_size=request_size
    )
    await writer.start()
    try:
        await writer.write_all([Outbound(topic, b"k", b"x" * 20_000, shrunk=stand_in)])
        with pytest.raises(MessageSizeTooLargeError):  # no stand-in: refused, never cut silently
            await writer.write_all([Outbound(topic, b"k", b"x" * 20_000)])
    finally:
        await writer.stop()

    (written,) = await read_records(kafka_access, topic, 1)
    assert written.value == b"short"
