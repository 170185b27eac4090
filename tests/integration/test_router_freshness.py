"""The router on the real broker with its default freshness window: a signed event recorded more
than 7 days ago is refused `stale` (a notice to the sender, its bytes in the dead-letter topic, a
rejection in the store), and the next valid event on the same partition is routed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from hub.kafka.access import KafkaAccess
from hub.store.tables import RejectionRow
from schemas.units import DLQ_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import Rig, bodies, read_matching, running_rig, wait_for_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.kafka]


@pytest.fixture
async def rig(kafka_access: KafkaAccess, tmp_path: Path, sqlite_engine: AsyncEngine) -> Any:
    # The router's settings as shipped (`max_age_s`, `max_ahead_s` left at their defaults).
    router = {"group_id": f"fyhub.router.fresh.{uuid.uuid4()}"}
    async with running_rig(tmp_path, kafka_access, store=sqlite_engine, router=router) as running:
        assert running.settings.router.max_age_s == 7 * 86_400
        yield running


def listing_at(rig: Rig, time: datetime) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event("debtor.listed.v1")), rig.region)
    return signed_by(event | {"time": time.isoformat()}, rig.unit("court"))


def has_id(event_id: str) -> Any:
    return lambda record: event_id.encode() in record.value


async def test_a_stale_event_is_refused_and_the_next_one_on_its_partition_routed(
    rig: Rig,
) -> None:
    court, tax = rig.unit("court"), rig.unit("tax")
    now = datetime.now(UTC)
    stale = listing_at(rig, now - timedelta(days=8))
    fresh = listing_at(rig, now)
    outbox = outbox_topic(court)
    assert stale["subject"] == fresh["subject"]  # one key: the same partition, in this order
    for event in (stale, fresh):
        await rig.send_event(outbox, event)

    (notice,) = bodies(await read_matching(rig.kafka, inbox_topic(court), has_id(stale["id"])))
    assert notice["type"] == "hub.rejected.v1"
    assert (notice["data"]["code"], notice["data"]["rejected_id"]) == ("stale", stale["id"])
    assert "more than 7 days before" in notice["data"]["detail"]
    (letter,) = await read_matching(rig.kafka, DLQ_TOPIC, has_id(stale["id"]))
    assert dict(letter.headers)["fy-error-code"] == b"stale"
    assert dict(letter.headers)["fy-original-topic"] == outbox.encode()

    (copy,) = bodies(await read_matching(rig.kafka, inbox_topic(tax), lambda record: True))
    assert (copy["id"], copy["time"]) == (fresh["id"], fresh["time"])  # and no copy of `stale`

    assert rig.store is not None
    await wait_for_rows(rig.store, select(RejectionRow), 1)
    async with rig.store.connect() as connection:
        (row,) = (await connection.execute(select(RejectionRow))).all()
    assert (row.code, row.event_id, row.topic) == ("stale", stale["id"], outbox)
    assert int(dict(letter.headers)["fy-original-offset"]) == row.kafka_offset
