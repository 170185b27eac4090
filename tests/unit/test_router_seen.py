"""Replays refused as `duplicate`, redeliveries routed again: the seen-set and `decide` with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.journal.entries import EventRouted, RecordRejected, entry_adapter
from hub.kafka.records import InboundRecord, Outbound
from hub.router.decide import decide, decision
from hub.router.seen import SeenEvents, Sighting
from hub.router.service import decide_or_dead_letter
from schemas.errors import ErrorCode
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT, TAX = "court.411121", "tax.411121"


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def sighting(event_id: str, *, offset: int = 1, time: datetime = NOW) -> Sighting:
    return Sighting(f"fy:unit:{COURT}", event_id, time, outbox_topic(COURT), 0, offset)


def test_an_event_is_remembered_at_its_first_position() -> None:
    seen = SeenEvents()
    seen.remember(sighting("e1", offset=1))
    seen.remember(sighting("e1", offset=9))
    assert len(seen) == 1
    assert seen.first_place(f"fy:unit:{COURT}", "e1") == (outbox_topic(COURT), 0, 1)
    assert seen.first_place(f"fy:unit:{COURT}", "e2") is None
    assert seen.first_place(f"fy:unit:{TAX}", "e1") is None  # ids are unique per source only


def test_the_same_position_is_a_redelivery_and_another_a_replay() -> None:
    seen = SeenEvents()
    seen.remember(sighting("e1", offset=1))
    assert seen.routed_elsewhere(sighting("e1", offset=1)) is None
    assert seen.routed_elsewhere(sighting("e1", offset=2)) == (outbox_topic(COURT), 0, 1)
    assert seen.routed_elsewhere(sighting("e2", offset=2)) is None


def test_events_older_than_the_window_are_forgotten_and_only_those() -> None:
    seen = SeenEvents()
    for n, age in enumerate([10, 3, 8, 1]):
        seen.remember(sighting(f"e{n}", offset=n, time=NOW - timedelta(days=age)))
    assert seen.forget_older_than(NOW - timedelta(days=7)) == 2
    assert len(seen) == 2
    assert seen.first_place(f"fy:unit:{COURT}", "e0") is None
    assert seen.first_place(f"fy:unit:{COURT}", "e1") is not None
    assert seen.forget_older_than(NOW - timedelta(days=7)) == 0


def listing() -> dict[str, Any]:
    return signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)


def at(event: dict[str, Any], offset: int, *, partition: int = 0) -> InboundRecord:
    value = json.dumps(event, ensure_ascii=False).encode()
    return InboundRecord(outbox_topic(COURT), partition, offset, b"k", value)


def decided(record: InboundRecord, ctx: Any, now: datetime, seen: SeenEvents) -> list[Outbound]:
    """The records the router service writes for `record`, remembering what it routes."""
    return decide_or_dead_letter(record, ctx, now, seen).records


def topics_of(out: list[Outbound]) -> set[str]:
    return {record.topic for record in out}


def journal_entry(out: list[Outbound]) -> Any:
    (entry,) = [record for record in out if record.topic == JOURNAL_TOPIC]
    return entry_adapter().validate_json(entry.value)


def test_without_a_seen_set_nothing_is_a_duplicate(ctx: Any) -> None:
    event = listing()
    for offset in (1, 2):
        assert isinstance(journal_entry(decide(at(event, offset), ctx, NOW)), EventRouted)


def test_decision_names_the_event_it_routed_and_none_it_refused(ctx: Any) -> None:
    event = listing()
    made = decision(at(event, 4), ctx, NOW)
    assert made.routed == Sighting(
        event["source"],
        event["id"],
        datetime.fromisoformat(event["time"]),
        outbox_topic(COURT),
        0,
        4,
    )
    assert decision(at(event | {"source": f"fy:unit:{TAX}"}, 5), ctx, NOW).routed is None


def test_the_same_event_published_again_is_refused_as_a_duplicate(ctx: Any) -> None:
    seen = SeenEvents()
    event = listing()
    first = decided(at(event, 1), ctx, NOW, seen)
    assert inbox_topic(TAX) in topics_of(first)
    again = decided(at(event, 2, partition=1), ctx, NOW + timedelta(hours=1), seen)
    assert topics_of(again) == {DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic(COURT)}
    entry = journal_entry(again)
    assert isinstance(entry, RecordRejected)
    assert (entry.code, entry.event_id) == (ErrorCode.DUPLICATE, event["id"])
    assert f"{outbox_topic(COURT)}:0:1" in entry.detail
    (notice,) = [r for r in again if r.topic == inbox_topic(COURT)]
    assert json.loads(notice.value)["data"]["code"] == "duplicate"


def test_a_redelivered_record_is_routed_again_as_the_first_time(ctx: Any) -> None:
    # At-least-once: the batch was read, decided and perhaps written, but not committed.
    seen = SeenEvents()
    event = listing()
    first = decided(at(event, 1), ctx, NOW, seen)
    again = decided(at(event, 1), ctx, NOW, seen)
    assert again == first
    assert len(seen) == 1


def test_a_refused_duplicate_read_again_is_refused_again_with_the_same_notice(ctx: Any) -> None:
    seen = SeenEvents()
    event = listing()
    decided(at(event, 1), ctx, NOW, seen)
    refused = decided(at(event, 2), ctx, NOW, seen)
    assert decided(at(event, 2), ctx, NOW, seen) == refused


def test_a_refused_event_is_not_remembered(ctx: Any) -> None:
    seen = SeenEvents()
    event = listing()
    wrong_outbox = InboundRecord(outbox_topic(TAX), 0, 1, b"k", at(event, 1).value)
    decided(wrong_outbox, ctx, NOW, seen)
    assert len(seen) == 0
    assert inbox_topic(TAX) in topics_of(decided(at(event, 2), ctx, NOW, seen))


def test_a_replayed_receipt_is_a_duplicate_too(ctx: Any) -> None:
    seen = SeenEvents()
    (copy,) = [
        json.loads(r.value)
        for r in decide(at(listing(), 1), ctx, NOW)
        if r.topic == inbox_topic(TAX)
    ]
    receipt = fresh_id(corpus_event("hub.receipt.v1"))
    receipt |= {
        "source": f"fy:unit:{TAX}",
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    value = json.dumps(signed_by(receipt, TAX)).encode()
    for offset, routed in ((1, True), (2, False)):
        out = decided(InboundRecord(outbox_topic(TAX), 0, offset, b"k", value), ctx, NOW, seen)
        assert (inbox_topic(COURT) in topics_of(out)) is routed
