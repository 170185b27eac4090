"""The whole hub on the real broker and a real store (SQLite and PostgreSQL): a dishonest-debtor
listing from the court reaches the joint-punishment group with each unit's entitled fields; the
units' receipts and sanction reports reach the court and the store; `fyhub trace` on the case
number tells the whole story, refused answers included."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.kafka.access import KafkaAccess
from hub.store.tables import DeliveryRow, EventRow, RejectionRow
from hub.supervision import reads
from hub.supervision.text import trace_lines
from schemas.units import inbox_topic, outbox_topic, source_uri
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import Rig, bodies, read_matching, running_rig, wait_for_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.kafka]

JOINT_PUNISHMENT = ("tax", "samr", "nr", "pboc", "police", "justice")
ANSWERING = ("tax", "samr")
CASE = "（2026）豫1121执356号"


@pytest.fixture
async def rig(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access, store=store_engine) as running:
        yield running


def answer(rig: Rig, dept: str, event_type: str, copy: dict[str, Any]) -> dict[str, Any]:
    """`dept`'s answer to the delivered `copy`, echoing its delivery token, signed by `dept`."""
    unit = rig.unit(dept)
    body = as_region(fresh_id(corpus_event(event_type)), rig.region)
    body |= {
        "source": source_uri(unit),
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    return signed_by(body, unit)


async def test_a_listing_lives_its_whole_life_through_the_hub(rig: Rig) -> None:
    court = rig.unit("court")
    listing = signed_by(as_region(fresh_id(corpus_event("debtor.listed.v1")), rig.region), court)
    await rig.send_event(outbox_topic(court), listing)

    projection = bootstrap.load_contracts(rig.settings).routing.route("debtor.listed.v1")
    assert projection is not None
    copies: dict[str, dict[str, Any]] = {}
    for dept in JOINT_PUNISHMENT:
        (copy,) = bodies(await read_matching(rig.kafka, inbox_topic(rig.unit(dept)), _any))
        entitled = {path.split(".")[0] for path in projection.projection_for(dept).fields}
        assert copy["id"] == listing["id"]
        assert set(copy["data"]) == entitled & set(listing["data"])
        copies[dept] = copy

    forged = answer(rig, "nr", "debtor.sanction.reported.v1", copies["nr"])
    forged["hubdelivery"] = copies["tax"]["hubdelivery"]  # tax's token: foreign to nr
    await rig.send_event(outbox_topic(rig.unit("nr")), signed_by(forged, rig.unit("nr")))
    for dept in ANSWERING:
        outbox = outbox_topic(rig.unit(dept))
        await rig.send_event(outbox, answer(rig, dept, "hub.receipt.v1", copies[dept]))
        await rig.send_event(outbox, answer(rig, dept, "debtor.sanction.reported.v1", copies[dept]))

    court_inbox = inbox_topic(court)
    at_court = bodies(await read_matching(rig.kafka, court_inbox, _answer, 2 * len(ANSWERING)))
    assert sorted((body["type"], body["source"]) for body in at_court) == sorted(
        (kind, source_uri(rig.unit(dept)))
        for dept in ANSWERING
        for kind in ("hub.receipt.v1", "debtor.sanction.reported.v1")
    )
    assert {body["correlationid"] for body in at_court} == {listing["id"]}

    store = rig.store
    assert store is not None
    answered = select(DeliveryRow).where(DeliveryRow.replied_at.is_not(None))
    await wait_for_rows(store, answered, len(ANSWERING))
    await wait_for_rows(store, select(RejectionRow), 1)
    async with store.connect() as connection:
        deliveries = (await connection.execute(select(DeliveryRow))).all()
        events = (await connection.execute(select(EventRow.type))).scalars().all()
        (refused,) = (await connection.execute(select(RejectionRow))).all()
    assert sorted(d.recipient for d in deliveries if d.event_id == listing["id"]) == sorted(
        rig.unit(dept) for dept in JOINT_PUNISHMENT
    )
    by_unit = {d.recipient: d for d in deliveries if d.event_id == listing["id"]}
    for dept in JOINT_PUNISHMENT:
        row = by_unit[rig.unit(dept)]
        assert (row.receipt_at is not None) == (dept in ANSWERING)
        assert (row.status == "replied") == (dept in ANSWERING)
        assert row.reply_due is not None
    assert sorted(events).count("debtor.sanction.reported.v1") == len(ANSWERING)
    assert (refused.code, refused.case_no, refused.correlation_id) == (
        "unknown_correlation",
        CASE,
        listing["id"],
    )

    text = "\n".join(trace_lines(await _trace(store)))
    for dept in JOINT_PUNISHMENT:
        assert rig.unit(dept) in text
    assert "debtor.sanction.reported.v1" in text
    assert "unknown_correlation" in text


async def _trace(store: AsyncEngine) -> reads.Trace:
    async with async_sessionmaker(store)() as session:
        found = await reads.trace(session, CASE)
    assert found is not None
    return found


def _any(_record: object) -> bool:
    return True


def _answer(record: Any) -> bool:
    return bool(json.loads(record.value).get("correlationid"))


@pytest.mark.parametrize("store_engine", ["sqlite"], indirect=True)
async def test_fyhub_trace_prints_the_life_of_the_case(rig: Rig, tmp_path: Path) -> None:
    court = rig.unit("court")
    listing = signed_by(as_region(fresh_id(corpus_event("debtor.listed.v1")), rig.region), court)
    await rig.send_event(outbox_topic(court), listing)
    (copy,) = bodies(await read_matching(rig.kafka, inbox_topic(rig.unit("tax")), _any))
    await rig.send_event(
        outbox_topic(rig.unit("tax")), answer(rig, "tax", "debtor.sanction.reported.v1", copy)
    )
    assert rig.store is not None
    answered = select(DeliveryRow).where(DeliveryRow.replied_at.is_not(None))
    await wait_for_rows(rig.store, answered, 1)

    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env["FYHUB_DB__URL"] = str(rig.store.url)
    fyhub = Path(sys.executable).parent / "fyhub"
    shown = await asyncio.create_subprocess_exec(
        fyhub,
        "trace",
        CASE.replace("（", "(").replace("）", ")"),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (text.decode() for text in await asyncio.wait_for(shown.communicate(), 60))
    assert shown.returncode == 0, err
    assert listing["id"] in out
    assert rig.unit("tax") in out
    assert "debtor.sanction.reported.v1" in out
    assert "411121198503152315" not in out + err  # never an unmasked ID number
