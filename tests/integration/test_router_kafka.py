"""The router on the real broker: routing with projection, and every refusal of docs/design.md §6
as a raw client would cause it (plain aiokafka bytes), each answered with a notice and a dead
letter."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from hub.kafka.access import KafkaAccess
from hub.store.tables import RejectionRow
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
    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.kafka]

JOINT_PUNISHMENT = ("tax", "samr", "nr", "pboc", "police", "justice")


@pytest.fixture
async def rig(kafka_access: KafkaAccess, tmp_path: Path, sqlite_engine: AsyncEngine) -> Any:
    async with running_rig(tmp_path, kafka_access, store=sqlite_engine) as running:
        yield running


@pytest.fixture
async def rig_on_each_store(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> Any:
    """The rig with its auditor writing SQLite, then PostgreSQL."""
    async with running_rig(tmp_path, kafka_access, store=store_engine) as running:
        yield running


def court_event(rig: Rig, event_type: str, **changes: Any) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event(event_type)), rig.region) | changes
    return signed_by(event, rig.unit("court"))


async def test_a_listing_reaches_each_joint_punishment_unit_with_its_fields(rig: Rig) -> None:
    event = court_event(rig, "debtor.listed.v1")
    await rig.send_event(outbox_topic(rig.unit("court")), event)
    table = rig_table(rig)
    for dept in JOINT_PUNISHMENT:
        (copy,) = bodies(await read_records(rig.kafka, inbox_topic(rig.unit(dept)), 1))
        assert copy["id"] == event["id"]
        allowed = {path.split(".")[0] for path in table.projection_for(dept).fields}
        assert set(copy["data"]) == allowed & set(event["data"])
        assert copy["hubdelivery"]


def rig_table(rig: Rig) -> Any:
    from hub import bootstrap  # noqa: PLC0415

    return bootstrap.load_contracts(rig.settings).routing.route("debtor.listed.v1")


async def expect_refusal(rig: Rig, sender: str, code: str, raw: bytes) -> dict[str, Any]:
    """The sender's notice and the dead letter for the one refused record of this test."""
    (notice,) = bodies(await read_records(rig.kafka, inbox_topic(sender), 1))
    assert notice["type"] == "hub.rejected.v1"
    assert notice["data"]["code"] == code
    outbox = outbox_topic(sender).encode()
    (letter,) = await read_matching(
        rig.kafka, DLQ_TOPIC, lambda record: dict(record.headers)["fy-original-topic"] == outbox
    )
    headers = dict(letter.headers)
    if code == "too_large":  # its head, with the length and digest of the whole
        assert raw.startswith(letter.value)
        assert headers["fy-original-sha256"] == hashlib.sha256(raw).hexdigest().encode()
    else:
        assert letter.value == raw
    assert headers["fy-error-code"] == code.encode()
    assert int(headers["fy-original-offset"]) >= 0
    assert headers["fy-error-detail"]
    assert rig.store is not None
    await wait_for_rows(rig.store, select(RejectionRow), 1)
    async with rig.store.connect() as connection:
        (row,) = (await connection.execute(select(RejectionRow))).all()
    assert (row.code, row.topic, row.kafka_offset) == (
        code,
        outbox_topic(sender),
        int(headers["fy-original-offset"]),
    )
    assert row.source == f"fy:unit:{sender}"
    return notice


def encoded(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def _bad_check_digit(rig: Rig) -> tuple[str, bytes]:
    event = as_region(fresh_id(corpus_event("debtor.listed.v1")), rig.region)
    event["data"]["debtor"]["id_no"] = "411121198503152316"
    return rig.unit("court"), encoded(signed_by(event, rig.unit("court")))


def _not_permitted(rig: Rig) -> tuple[str, bytes]:
    tax = rig.unit("tax")
    event = court_event(rig, "debtor.listed.v1", source=f"fy:unit:{tax}")
    return tax, encoded(signed_by(event, tax))


def _altered(rig: Rig) -> tuple[str, bytes]:
    event = court_event(rig, "debtor.listed.v1")
    event["data"]["duty"] = "篡改"
    return rig.unit("court"), encoded(event)


def _forged_token(rig: Rig) -> tuple[str, bytes]:
    tax = rig.unit("tax")
    receipt = as_region(fresh_id(corpus_event("hub.receipt.v1")), rig.region)
    receipt |= {"source": f"fy:unit:{tax}", "hubdelivery": "e30.AAAA"}
    return tax, encoded(signed_by(receipt, tax))


def _from_the_future(rig: Rig) -> tuple[str, bytes]:
    # The rig accepts the corpus's old times, but not a clock two hours fast.
    ahead = datetime.now(UTC) + timedelta(hours=2)
    return rig.unit("court"), encoded(court_event(rig, "debtor.listed.v1", time=ahead.isoformat()))


def _query_to(rig: Rig, to: str) -> tuple[str, bytes]:
    return rig.unit("court"), encoded(court_event(rig, "enforcement.query.requested.v1", to=to))


BAD_RECORDS = {
    "malformed": lambda rig: (rig.unit("court"), b"\x00\x01 definitely not json"),
    "too_large": lambda rig: (rig.unit("court"), b"{" + b" " * 1_048_600 + b"}"),
    "unknown_type": lambda rig: (
        rig.unit("court"),
        encoded(court_event(rig, "debtor.listed.v1", type="debtor.listed.v7")),
    ),
    "schema_invalid": _bad_check_digit,
    "source_mismatch": lambda rig: (rig.unit("tax"), encoded(court_event(rig, "debtor.listed.v1"))),
    "not_permitted": _not_permitted,
    "unknown_recipient": lambda rig: _query_to(rig, "tax.411199"),
    "recipient_not_entitled": lambda rig: _query_to(rig, rig.unit("justice")),
    "bad_signature": _altered,
    "unknown_correlation": _forged_token,
    "stale": _from_the_future,
}


@pytest.mark.parametrize("code", sorted(BAD_RECORDS))
async def test_each_refusal_reaches_the_sender_and_the_dead_letter_topic(
    rig_on_each_store: Rig, code: str
) -> None:
    rig = rig_on_each_store
    sender, raw = BAD_RECORDS[code](rig)
    await rig.send_raw(outbox_topic(sender), raw)
    await expect_refusal(rig, sender, code, raw)


async def test_binary_headers_from_a_raw_client_do_not_stop_the_router(rig: Rig) -> None:
    court = rig.unit("court")
    await rig.send_raw(outbox_topic(court), b"\xff", headers=[("x", b"\xff\xfe\x00")])
    await expect_refusal(rig, court, "malformed", b"\xff")
    event = court_event(rig, "debtor.listed.v1")
    await rig.send_event(outbox_topic(court), event)
    (copy,) = bodies(await read_records(rig.kafka, inbox_topic(rig.unit("tax")), 1))
    assert copy["id"] == event["id"]


@pytest.mark.slow
async def test_valid_traffic_is_still_routed_after_a_burst_of_bad_records(rig: Rig) -> None:
    court = rig.unit("court")
    sent = [
        await rig.producer.send(outbox_topic(court), b"garbage %d" % n, key=b"burst")
        for n in range(1000)
    ]
    await asyncio.gather(*sent)
    event = court_event(rig, "debtor.listed.v1")
    await rig.send_event(outbox_topic(court), event)
    (copy,) = bodies(await read_records(rig.kafka, inbox_topic(rig.unit("tax")), 1, timeout=60))
    assert copy["id"] == event["id"]
    notices = await read_records(rig.kafka, inbox_topic(court), 1000, timeout=60)
    assert len(notices) == 1000
