"""`fyhub dlq list|resend` run as an operator runs them, against dead letters on the real broker.

The dead-letter topic is shared with every other test, so each test's dead letters come from the
outbox of a unit in a fresh region, and the commands are narrowed to that unit.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hub.kafka.access import KafkaAccess
from hub.kafka.topics import apply_topics, planned_topics
from hub.settings import KafkaSettings
from schemas.units import DLQ_TOPIC, outbox_topic
from tests.hubkit import kafka_env, random_region

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord

pytestmark = [pytest.mark.kafka]
FYHUB = Path(sys.executable).parent / "fyhub"
REPO = Path(__file__).resolve().parents[2]
NAME, ID_NO = "王建军", "411121198503152315"
PAYLOAD = json.dumps({"data": {"subjects": [{"name": NAME, "id_no": ID_NO}]}}, ensure_ascii=False)


@dataclass
class Letters:
    kafka: KafkaAccess
    unit: str
    outbox: str

    async def fyhub(self, *args: str) -> tuple[int, str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
        process = await asyncio.create_subprocess_exec(
            str(FYHUB),
            *args,
            cwd=REPO,
            env=env | kafka_env(self.kafka),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def listed(self, *options: str) -> list[str]:
        code, out, err = await self.fyhub("dlq", "list", "--unit", self.unit, *options)
        assert code == 0, err
        return out.splitlines()


async def dead_letter(
    producer: AIOKafkaProducer, outbox: str, offset: int, code: str, value: bytes
) -> None:
    headers = [
        ("fy-original-topic", outbox.encode()),
        ("fy-original-partition", b"0"),
        ("fy-original-offset", str(offset).encode()),
        ("fy-error-code", code.encode()),
        ("fy-error-detail", f"got '{ID_NO[:17]}' where an ID number belongs".encode()),
    ]
    await producer.send_and_wait(DLQ_TOPIC, value, key=b"case-1", headers=headers)


@pytest.fixture
async def letters(kafka_access: KafkaAccess) -> Letters:
    """Two dead letters from a fresh unit's outbox: schema_invalid, then malformed."""
    unit = f"tax.{random_region()}"
    specs = planned_topics([unit], KafkaSettings(partitions=2))
    await apply_topics(
        kafka_access, [s for s in specs if s.name in (DLQ_TOPIC, outbox_topic(unit))]
    )
    producer = AIOKafkaProducer(**kafka_access.client_options(), acks="all")
    await producer.start()
    try:
        await dead_letter(producer, outbox_topic(unit), 17, "schema_invalid", PAYLOAD.encode())
        await dead_letter(producer, outbox_topic(unit), 18, "malformed", b"\xff not json")
    finally:
        await producer.stop()
    return Letters(kafka_access, unit, outbox_topic(unit))


async def outbox_records(kafka: KafkaAccess, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = sorted(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(30):
            while any([await consumer.position(tp) < end for tp, end in ends.items()]):
                for batch in (await consumer.getmany(*partitions, timeout_ms=500)).values():
                    records += batch
    finally:
        await consumer.stop()
    return records


async def test_list_shows_each_dead_letter_without_its_payload(letters: Letters) -> None:
    *lines, summary = await letters.listed()
    assert summary == "2 dead letter(s)."
    assert [line.split("  ")[2:4] for line in lines] == [
        [f"{letters.outbox}/0@17", "schema_invalid"],
        [f"{letters.outbox}/0@18", "malformed"],
    ]
    assert lines[0].split("  ")[4] == f"{len(PAYLOAD.encode())} B"
    output = "\n".join(lines)
    assert NAME not in output
    assert ID_NO[:17] not in output
    assert "411121*******5231" in output

    *latest, summary = await letters.listed("--limit", "1")
    assert [line.split("  ")[3] for line in latest] == ["malformed"]
    assert summary == "2 dead letter(s), showing the latest 1."


async def test_resend_puts_the_raw_bytes_back_on_the_outbox(letters: Letters) -> None:
    schema_invalid, _, _ = await letters.listed()
    position = schema_invalid.split("  ")[0]

    code, out, err = await letters.fyhub("dlq", "resend", position)
    assert code == 0, err
    assert out.splitlines() == [
        f"resent {position} (schema_invalid) to {letters.outbox}",
        "resent 1 dead letter(s).",
    ]
    code, out, err = await letters.fyhub(
        "dlq", "resend", "--all", "--unit", letters.unit, "--code", "malformed"
    )
    assert code == 0, err
    assert out.splitlines()[-1] == "resent 1 dead letter(s)."

    records = await outbox_records(letters.kafka, letters.outbox)
    assert sorted(r.value for r in records) == sorted([PAYLOAD.encode(), b"\xff not json"])
    assert {r.key for r in records} == {b"case-1"}
    assert all(dict(r.headers)["fy-resent-from"].startswith(b"fy.hub.dlq/") for r in records)


async def test_resend_wants_positions_or_all(letters: Letters) -> None:
    code, _, err = await letters.fyhub("dlq", "resend")
    assert code == 1
    assert "OFFSET" in err
    code, _, err = await letters.fyhub("dlq", "resend", "--unit", letters.unit, "99999:0")
    assert code == 1
    assert "no single dead letter at 99999:0" in err
