"""Connectors on the real broker with the real router in between: a listing answered end to end,
a duplicate delivery handled once, a copy for another unit refused, a connector restarted
mid-stream, and an outbox filled while Kafka was unreachable."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import Backoff, Connector, ConnectorOptions, DeliveredEvent
from connectors.sdk.addressed import token_recipient
from hub import bootstrap
from hub.kafka.access import KafkaAccess
from schemas.catalogue import CATALOGUE
from schemas.debtor import DebtorListed, DebtorSanctionReported
from schemas.hubevents import HubReceipt
from schemas.units import inbox_topic, outbox_topic
from tests.fixtures.ports import free_port
from tests.hubkit import corpus_event, sdk_security, unit_key
from tests.integration.rig import Rig, bodies, read_matching, running_rig

pytestmark = [pytest.mark.kafka]

FAST = ConnectorOptions(reconnect=Backoff(first_s=0.1, max_s=1.0), poll_s=0.2)


@pytest.fixture
async def rig(kafka_access: KafkaAccess, tmp_path: Path) -> Any:
    async with running_rig(tmp_path, kafka_access) as running:
        yield running


def connector(rig: Rig, dept: str, state_dir: Path, *, kafka: str | None = None) -> Connector:
    unit = rig.unit(dept)
    hub_key = bootstrap.load_hub_signing_key(rig.settings)
    return Connector(
        unit,
        bootstrap=kafka or rig.bootstrap,
        signing_key=unit_key(unit),
        key_id="k1",
        hub_keys={rig.settings.security.signing_key_id: hub_key.public_key()},
        state_dir=state_dir,
        options=replace(FAST, security=sdk_security(rig.kafka)),
    )


def listing(number: int = 356, listing_id: str = "SX4111212026031500003") -> DebtorListed:
    data = corpus_event("debtor.listed.v1")["data"]
    case_no = f"（2026）豫1121执{number}号"
    payload = CATALOGUE["debtor.listed.v1"].validate_payload(
        data | {"case_no": case_no, "listing_id": listing_id}
    )
    assert isinstance(payload, DebtorListed)
    return payload


def sanction_for(listed: DebtorListed) -> DebtorSanctionReported:
    data = corpus_event("debtor.sanction.reported.v1")["data"]
    data |= {"listing_id": listed.listing_id, "case_no": listed.case_no}
    payload = CATALOGUE["debtor.sanction.reported.v1"].validate_payload(data)
    assert isinstance(payload, DebtorSanctionReported)
    return payload


async def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def receipts_in(rig: Rig, unit: str, answering: set[str]) -> dict[str, str]:
    """The receipts `unit` published for the events `answering`: receipt id → answered id.

    Keyed by receipt id, because the relay may put one record on Kafka twice (its
    acknowledgement lost in a stop) and that is no second receipt.
    """

    def answers(record: Any) -> bool:
        event = json.loads(record.value)
        return event["type"] == "hub.receipt.v1" and event["correlationid"] in answering

    records = await read_matching(rig.kafka, outbox_topic(unit), answers, len(answering))
    return {event["id"]: event["correlationid"] for event in bodies(records)}


async def events_in(rig: Rig, topic: str, ids: set[str]) -> list[dict[str, Any]]:
    """The records of `topic` carrying one of `ids`, in topic order (the region's topics may
    hold records of an earlier run that drew the same region)."""
    records = await read_matching(
        rig.kafka, topic, lambda record: json.loads(record.value)["id"] in ids, len(ids)
    )
    return bodies(records)


def first_seen_per_subject(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Event ids per subject, in the order a deduplicating reader first sees them."""
    order: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event["id"] not in order[event["subject"]]:
            order[event["subject"]].append(event["id"])
    return dict(order)


async def test_a_listing_is_received_answered_and_both_sides_get_receipts(
    rig: Rig, tmp_path: Path
) -> None:
    court, tax = (
        connector(rig, "court", tmp_path / "court"),
        connector(rig, "tax", tmp_path / "tax"),
    )
    at_tax: list[DeliveredEvent[Any]] = []
    at_court: dict[str, list[DeliveredEvent[Any]]] = defaultdict(list)

    @tax.handles(DebtorListed)
    async def apply_joint_punishment(event: DeliveredEvent[DebtorListed]) -> None:
        at_tax.append(event)
        await event.reply(sanction_for(event.payload))

    @court.on_receipt
    async def note_receipt(event: DeliveredEvent[HubReceipt]) -> None:
        at_court["receipts"].append(event)

    @court.handles(DebtorSanctionReported)
    async def note_sanction(event: DeliveredEvent[DebtorSanctionReported]) -> None:
        at_court["replies"].append(event)

    async with court, tax:
        event_id = await court.publish(listing())
        await eventually(lambda: bool(at_court["receipts"] and at_court["replies"]))
        await tax.flush(10)
        await court.flush(10)

    (received,) = at_tax
    assert received.id == event_id
    assert received.payload.debtor.id_no == "411121198503152315"
    assert received.payload.duty is None  # the routing table withholds it from tax
    (receipt,) = at_court["receipts"]
    assert (receipt.correlationid, receipt.sender) == (event_id, rig.unit("tax"))
    (reply,) = at_court["replies"]
    assert reply.correlationid == event_id
    assert reply.payload.listing_id == received.payload.listing_id
    assert set((await receipts_in(rig, rig.unit("court"), {reply.id})).values()) == {reply.id}


async def test_a_copy_delivered_twice_is_handled_once(rig: Rig, tmp_path: Path) -> None:
    court, tax = (
        connector(rig, "court", tmp_path / "court"),
        connector(rig, "tax", tmp_path / "tax"),
    )
    handled: list[str] = []

    @tax.handles(DebtorListed)
    async def apply_joint_punishment(event: DeliveredEvent[DebtorListed]) -> None:
        handled.append(event.id)

    async with court, tax:
        event_id = await court.publish(listing())
        await eventually(lambda: tax.stats.processed == 1)
        inbox = inbox_topic(rig.unit("tax"))
        (copy,) = await read_matching(rig.kafka, inbox, lambda r: event_id.encode() in r.value)
        await rig.send_raw(inbox, copy.value, key=copy.key)
        await eventually(lambda: tax.stats.duplicate == 1)
        await tax.flush(10)

    assert handled == [event_id]
    assert len(await receipts_in(rig, rig.unit("tax"), {event_id})) == 1


async def test_a_genuine_copy_for_tax_written_into_polices_inbox_is_refused_by_police(
    rig: Rig, tmp_path: Path
) -> None:
    court, police = (
        connector(rig, "court", tmp_path / "court"),
        connector(rig, "police", tmp_path / "police"),
    )
    handled: list[DeliveredEvent[DebtorListed]] = []

    @police.handles(DebtorListed)
    async def apply_joint_punishment(event: DeliveredEvent[DebtorListed]) -> None:
        handled.append(event)

    async with court, police:
        event_id = await court.publish(listing())
        tax_inbox = inbox_topic(rig.unit("tax"))
        (for_tax,) = await read_matching(
            rig.kafka, tax_inbox, lambda r: event_id.encode() in r.value
        )
        await rig.send_raw(inbox_topic(rig.unit("police")), for_tax.value, key=for_tax.key)
        await eventually(lambda: police.stats.misaddressed == 1 and police.stats.processed == 1)
        await police.flush(10)

    # Police handled its own copy (the listing concerns it too), never tax's.
    (own,) = handled
    assert own.id == event_id
    assert token_recipient(own.envelope.hubdelivery) == rig.unit("police")
    assert token_recipient(json.loads(for_tax.value)["hubdelivery"]) == rig.unit("tax")
    assert len(await receipts_in(rig, rig.unit("police"), {event_id})) == 1


async def test_a_connector_restarted_mid_stream_applies_nothing_twice_and_loses_nothing(
    rig: Rig, tmp_path: Path
) -> None:
    tax_unit = rig.unit("tax")
    court = connector(rig, "court", tmp_path / "court")
    applied: list[str] = []
    stuck = asyncio.Event()

    async with court:
        first = [await court.publish(listing(listing_id=f"SX{n}")) for n in range(6)]
        await events_in(rig, inbox_topic(tax_unit), set(first))

        crashing = connector(rig, "tax", tmp_path / "tax")

        @crashing.handles(DebtorListed)
        async def hangs_on_the_fourth(event: DeliveredEvent[DebtorListed]) -> None:
            if len(applied) == 3:
                stuck.set()
                await asyncio.Event().wait()
            applied.append(event.id)

        async with crashing:
            await asyncio.wait_for(stuck.wait(), 30)
        assert applied == first[:3]

        restarted = connector(rig, "tax", tmp_path / "tax")

        @restarted.handles(DebtorListed)
        async def apply_joint_punishment(event: DeliveredEvent[DebtorListed]) -> None:
            applied.append(event.id)

        async with restarted:
            later = [await court.publish(listing(listing_id=f"SX{n}")) for n in range(6, 8)]
            await eventually(lambda: len(applied) == 8)
            await restarted.flush(10)
            assert restarted.stats.duplicate >= 1  # the uncommitted records were read again

    assert applied == first + later
    receipts = await receipts_in(rig, tax_unit, set(applied))
    assert sorted(receipts.values()) == sorted(applied)


async def test_events_published_while_kafka_is_unreachable_arrive_in_order_per_case(
    rig: Rig, tmp_path: Path
) -> None:
    court_unit = rig.unit("court")
    published: dict[str, list[str]] = defaultdict(list)
    offline = connector(rig, "court", tmp_path / "court", kafka=f"127.0.0.1:{free_port()}")
    async with offline:
        for n in range(20):
            payload = listing(number=356 + n % 3, listing_id=f"SX{n}")
            published[payload.case_no].append(await offline.publish(payload))
        await asyncio.sleep(1.0)  # the relay tries, and backs off
        assert await offline.unsent() == 20
        assert offline.stats.sent == 0

    online = connector(rig, "court", tmp_path / "court")
    async with online:
        await online.flush(30)

    ids = {event_id for events in published.values() for event_id in events}
    for topic in (outbox_topic(court_unit), inbox_topic(rig.unit("tax"))):
        assert first_seen_per_subject(await events_in(rig, topic, ids)) == published
