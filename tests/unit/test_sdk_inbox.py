"""Inbox processing without a broker: copies made by the router's own decision function, handled
once, receipted, answered, deduplicated, and refused when the hub did not sign them, when they were
delivered to another unit, or when they answer nothing the connector published."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk.backoff import Backoff, RetryPolicy
from connectors.sdk.delivered import DeliveredEvent, Unreadable, read_delivered
from connectors.sdk.dispatch import Handlers
from connectors.sdk.inbox import ConnectorStats, InboxProcessor, Outcome
from connectors.sdk.outgoing import Composer, OutboxRecord
from connectors.sdk.state import LocalState
from hub.kafka.records import InboundRecord
from hub.router.context import RouterContext
from hub.router.decide import decide
from hub.router.proof import seal_batch
from schemas.catalogue import CATALOGUE
from schemas.debtor import DebtorListed
from schemas.hub_proof import sign_copies
from schemas.hubevents import HubReceipt, HubRejected
from schemas.units import inbox_topic, outbox_topic
from tests.hubkit import corpus_event, router_context, unit_key

COURT, TAX, POLICE = "court.411121", "tax.411121", "police.411121"
# The composer stamps `time` with the wall clock, which the router checks against its own `now`.
NOW = datetime.now(UTC)
FAST = RetryPolicy(attempts=3, backoff=Backoff(first_s=0.001, max_s=0.001))


@pytest.fixture(scope="module")
def ctx() -> RouterContext:
    return router_context()


def route(ctx: RouterContext, record: OutboxRecord, sender: str) -> dict[str, bytes]:
    """The router's copies of `record`, by recipient inbox topic."""
    inbound = InboundRecord(outbox_topic(sender), 0, 1, record.subject.encode(), record.value)
    written = seal_batch(decide(inbound, ctx, NOW), ctx.signer)
    return {out.topic: out.value for out in written if out.topic.endswith(".in")}


def composer(unit: str) -> Composer:
    return Composer(unit, unit_key(unit), "k1")


def sample(event_type: str) -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type)["data"])


@dataclass
class Unit:
    """One unit's inbox processing over a real state file."""

    processor: InboxProcessor
    state: LocalState
    handlers: Handlers
    stats: ConnectorStats
    seen: list[DeliveredEvent[Any]] = field(default_factory=list)

    async def queued(self) -> list[dict[str, Any]]:
        return [json.loads(row.record.value) for row in await self.all_unsent()]

    async def all_unsent(self) -> list[Any]:
        pending, rows = [], await self.state.unsent(100)
        while rows:
            pending.extend(rows)
            await self.state.mark_sent([r.seq for r in rows])
            rows = await self.state.unsent(100)
        return pending


@pytest.fixture
async def units(ctx: RouterContext, tmp_path: Path):  # type: ignore[no-untyped-def]
    made: dict[str, Unit] = {}
    for code in (COURT, TAX, POLICE):
        state = LocalState(tmp_path / code / "state.sqlite3")
        await state.open()
        handlers, stats = Handlers(), ConnectorStats()
        processor = InboxProcessor(
            unit=code,
            state=state,
            hub_keys={ctx.hub_key_id: ctx.hub_key.public_key()},
            composer=composer(code),
            handlers=handlers,
            retry=FAST,
            queued=lambda: None,
            stats=stats,
        )
        made[code] = Unit(processor, state, handlers, stats)
    yield made
    for unit in made.values():
        await unit.state.close()


def on(unit: Unit, event_type: str, *, then: Callable[[DeliveredEvent[Any]], Any] | None = None):  # type: ignore[no-untyped-def]
    async def handler(event: DeliveredEvent[Any]) -> None:
        unit.seen.append(event)
        if then is not None:
            await then(event)

    unit.handlers.add(event_type, handler)


async def listing_copy(ctx: RouterContext, units: dict[str, Unit]) -> tuple[OutboxRecord, bytes]:
    """A listing the court published (it is in the court's outbox) and the hub's copy for tax."""
    listing = composer(COURT).event(sample("debtor.listed.v1"))
    await units[COURT].state.add([listing])
    await units[COURT].all_unsent()  # sent, so that a test's `queued` shows only what follows
    return listing, route(ctx, listing, COURT)[inbox_topic(TAX)]


async def test_a_delivered_listing_is_handled_once_and_receipted(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    on(tax, "debtor.listed.v1")
    listing, copy = await listing_copy(ctx, units)
    assert await tax.processor.process(copy) is Outcome.PROCESSED
    (event,) = tax.seen
    assert isinstance(event.payload, DebtorListed)
    assert event.payload.duty is None  # withheld from tax by the routing table
    assert event.payload.debtor.id_no == "411121198503152315"
    assert (event.id, event.sender, event.subject) == (listing.event_id, COURT, listing.subject)
    assert event.receipt_by is not None
    (receipt,) = await tax.queued()
    assert receipt["type"] == "hub.receipt.v1"
    assert receipt["correlationid"] == listing.event_id
    assert await tax.state.is_processed(f"fy:unit:{COURT}", listing.event_id)


async def test_a_copy_delivered_again_is_not_processed_again(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    on(tax, "debtor.listed.v1")
    _, copy = await listing_copy(ctx, units)
    outcomes = [await tax.processor.process(copy) for _ in range(3)]
    assert outcomes == [Outcome.PROCESSED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert len(tax.seen) == 1
    assert len(await tax.queued()) == 1
    assert (tax.stats.processed, tax.stats.duplicate) == (1, 2)


async def test_receipt_and_reply_reach_the_court_through_the_router(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax, court = units[TAX], units[COURT]

    async def report(event: DeliveredEvent[Any]) -> None:
        await event.reply(sample("debtor.sanction.reported.v1"))

    on(tax, "debtor.listed.v1", then=report)
    receipts: list[DeliveredEvent[HubReceipt]] = []

    async def received(event: DeliveredEvent[HubReceipt]) -> None:
        receipts.append(event)

    court.handlers.add("hub.receipt.v1", received)
    on(court, "debtor.sanction.reported.v1")
    listing, copy = await listing_copy(ctx, units)
    await tax.processor.process(copy)
    receipt_row, reply_row = await tax.all_unsent()
    assert [receipt_row.record.type, reply_row.record.type] == [
        "hub.receipt.v1",
        "debtor.sanction.reported.v1",
    ]
    for row in (receipt_row, reply_row):
        (to_court,) = route(ctx, row.record, TAX).values()
        assert await court.processor.process(to_court) is Outcome.PROCESSED
    (receipt,) = receipts
    assert isinstance(receipt.payload, HubReceipt)
    assert (receipt.correlationid, receipt.sender) == (listing.event_id, TAX)
    (reply,) = court.seen
    assert reply.correlationid == listing.event_id
    (court_receipt,) = await court.queued()  # the reply owes a receipt, the receipt does not
    assert court_receipt["correlationid"] == reply.id


async def test_a_copy_not_signed_by_the_hub_is_never_processed(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    on(tax, "debtor.listed.v1")
    listing, copy = await listing_copy(ctx, units)
    altered = json.loads(copy)
    altered["data"]["listing_id"] = "SX0000"
    for forged in (listing.value, json.dumps(altered).encode(), b"not json"):
        assert await tax.processor.process(forged) is Outcome.REFUSED
    assert tax.seen == []
    assert await tax.queued() == []
    assert not await tax.state.is_processed(f"fy:unit:{COURT}", listing.event_id)


async def test_a_copy_whose_hub_proof_fails_is_refused_with_the_reason(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    on(tax, "debtor.listed.v1")
    listing = composer(COURT).event(sample("debtor.listed.v1"))
    copies = {topic: json.loads(value) for topic, value in route(ctx, listing, COURT).items()}
    copy, sibling = copies.pop(inbox_topic(TAX)), next(iter(copies.values()))
    assert copy["sig"] == sibling["sig"]  # one signature over the broadcast's tree
    (other_batch,) = sign_copies([sample_copy()], ctx.hub_key, ctx.hub_key_id)
    altered = copy | {"data": copy["data"] | {"listing_id": "SX0000"}}
    unproved = {name: value for name, value in copy.items() if name != "hubproof"}
    hub_keys = {ctx.hub_key_id: ctx.hub_key.public_key()}
    for forged, reason in (
        (copy | {"hubproof": sibling["hubproof"]}, "root signature does not verify"),
        (copy | {"sig": other_batch["sig"]}, "root signature does not verify"),
        (unproved, "no hubproof"),
        (copy | {"hubproof": "v1 L:short"}, "hubproof is malformed"),
        (altered, "root signature does not verify"),
    ):
        value = json.dumps(forged).encode()
        unreadable = read_delivered(value, hub_keys, composer(TAX))
        assert isinstance(unreadable, Unreadable)
        assert unreadable.reason.startswith("not signed by the hub: ")
        assert reason in unreadable.reason
        assert not unreadable.signed_by_hub
        assert await tax.processor.process(value) is Outcome.REFUSED
    assert tax.seen == []
    assert await tax.processor.process(json.dumps(copy).encode()) is Outcome.PROCESSED


def sample_copy() -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "hubdelivery": "another unit's token", "data": {}}


async def test_a_failing_handler_is_tried_again_and_its_failed_replies_are_dropped(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    attempts: list[int] = []

    async def flaky(event: DeliveredEvent[Any]) -> None:
        attempts.append(1)
        await event.reply(sample("debtor.sanction.reported.v1"))
        if len(attempts) < 3:
            raise ConnectionError("the tax system is busy")

    tax.handlers.add("debtor.listed.v1", flaky)
    _, copy = await listing_copy(ctx, units)
    assert await tax.processor.process(copy) is Outcome.PROCESSED
    assert len(attempts) == 3
    assert [event["type"] for event in await tax.queued()] == [
        "hub.receipt.v1",
        "debtor.sanction.reported.v1",
    ]


async def test_a_handler_failing_every_attempt_leaves_the_copy_for_redelivery(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    broken = True

    async def handler(event: DeliveredEvent[Any]) -> None:
        if broken:
            raise RuntimeError("the tax system is down")

    tax.handlers.add("debtor.listed.v1", handler)
    _, copy = await listing_copy(ctx, units)
    assert await tax.processor.process(copy) is Outcome.FAILED
    assert await tax.queued() == []
    broken = False
    assert await tax.processor.process(copy) is Outcome.PROCESSED  # the hub's redelivery
    assert len(await tax.queued()) == 1


async def test_an_invalid_reply_is_not_retried(ctx: RouterContext, units: dict[str, Unit]) -> None:
    tax = units[TAX]
    attempts: list[int] = []

    async def wrong_answer(event: DeliveredEvent[Any]) -> None:
        attempts.append(1)
        await event.reply(sample("bankruptcy.claim.declared.v1"))

    tax.handlers.add("debtor.listed.v1", wrong_answer)
    _, copy = await listing_copy(ctx, units)
    assert await tax.processor.process(copy) is Outcome.FAILED
    assert attempts == [1]


async def test_an_event_without_a_handler_stays_unreceipted(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    listing, copy = await listing_copy(ctx, units)
    assert await tax.processor.process(copy) is Outcome.UNHANDLED
    assert await tax.queued() == []
    assert not await tax.state.is_processed(f"fy:unit:{COURT}", listing.event_id)


async def test_a_receipt_without_a_callback_is_simply_recorded(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax, court = units[TAX], units[COURT]
    on(tax, "debtor.listed.v1")
    _, copy = await listing_copy(ctx, units)
    await tax.processor.process(copy)
    (receipt,) = await tax.all_unsent()
    (to_court,) = route(ctx, receipt.record, TAX).values()
    assert await court.processor.process(to_court) is Outcome.SKIPPED
    assert await court.processor.process(to_court) is Outcome.DUPLICATE


async def test_a_rejection_notice_reaches_its_callback_typed_and_unreceipted(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    court = units[COURT]
    notices: list[DeliveredEvent[HubRejected]] = []

    async def rejected(event: DeliveredEvent[HubRejected]) -> None:
        notices.append(event)

    court.handlers.add("hub.rejected.v1", rejected)
    garbage = OutboxRecord(str(uuid.uuid4()), "k", "debtor.listed.v1", b"not an event")
    (notice,) = route(ctx, garbage, COURT).values()
    assert await court.processor.process(notice) is Outcome.PROCESSED
    (event,) = notices
    assert isinstance(event.payload, HubRejected)
    assert event.payload.code == "malformed"
    assert event.sender is None
    assert await court.queued() == []


async def test_failures_are_logged_without_personal_data(
    ctx: RouterContext, units: dict[str, Unit], caplog: pytest.LogCaptureFixture
) -> None:
    tax = units[TAX]

    async def leaky(event: DeliveredEvent[Any]) -> None:
        raise ValueError(f"no taxpayer {event.payload.debtor.id_no} ({event.payload.debtor.name})")

    tax.handlers.add("debtor.listed.v1", leaky)
    _, copy = await listing_copy(ctx, units)
    altered = json.loads(copy)
    altered["data"]["debtor"]["id_no"] = "411121198503152316"
    caplog.set_level("DEBUG", logger="connectors")
    assert await tax.processor.process(copy) is Outcome.FAILED
    assert await tax.processor.process(json.dumps(altered).encode()) is Outcome.REFUSED
    assert "ValueError" in caplog.text
    assert "4111211985031523" not in caplog.text
    assert "王建军" not in caplog.text


async def test_a_genuine_copy_for_tax_is_refused_by_police(
    ctx: RouterContext, units: dict[str, Unit], caplog: pytest.LogCaptureFixture
) -> None:
    police, tax = units[POLICE], units[TAX]
    on(police, "debtor.listed.v1")
    on(tax, "debtor.listed.v1")
    listing, copy = await listing_copy(ctx, units)
    caplog.set_level("WARNING", logger="connectors")
    assert await police.processor.process(copy) is Outcome.MISADDRESSED
    assert await police.processor.process(copy) is Outcome.MISADDRESSED  # never marked processed
    assert police.seen == []
    assert await police.queued() == []  # no receipt for what was not police's
    assert not await police.state.is_processed(f"fy:unit:{COURT}", listing.event_id)
    assert police.stats.misaddressed == 2
    assert f"delivered to {TAX}, not to {POLICE}" in caplog.text
    assert "411121198503152315" not in caplog.text
    assert await tax.processor.process(copy) is Outcome.PROCESSED  # the right inbox takes it


async def test_a_copy_of_a_unit_event_without_a_delivery_token_is_misaddressed(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax = units[TAX]
    on(tax, "debtor.listed.v1")
    _, copy = await listing_copy(ctx, units)
    tokenless = {name: value for name, value in json.loads(copy).items() if name != "hubdelivery"}
    (resigned,) = sign_copies([tokenless], ctx.hub_key, ctx.hub_key_id)
    assert await tax.processor.process(json.dumps(resigned).encode()) is Outcome.MISADDRESSED
    assert tax.seen == []


async def test_a_receipt_for_an_event_the_connector_never_published_is_uncorrelated(
    ctx: RouterContext, units: dict[str, Unit]
) -> None:
    tax, court = units[TAX], units[COURT]
    on(tax, "debtor.listed.v1")
    receipts: list[DeliveredEvent[HubReceipt]] = []

    async def received(event: DeliveredEvent[HubReceipt]) -> None:
        receipts.append(event)

    court.handlers.add("hub.receipt.v1", received)
    # Published by another system of the court's, past this connector's outbox.
    elsewhere = composer(COURT).event(sample("debtor.listed.v1"))
    await tax.processor.process(route(ctx, elsewhere, COURT)[inbox_topic(TAX)])
    (receipt,) = await tax.all_unsent()
    (to_court,) = route(ctx, receipt.record, TAX).values()
    assert await court.processor.process(to_court) is Outcome.UNCORRELATED
    assert receipts == []
    assert court.stats.uncorrelated == 1
    assert not await court.state.is_processed(f"fy:unit:{TAX}", receipt.record.event_id)
    await court.state.add([elsewhere])  # once the connector knows the event as its own
    assert await court.processor.process(to_court) is Outcome.PROCESSED
    assert len(receipts) == 1
