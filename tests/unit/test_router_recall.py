"""What the router recalls from a journal record: the events it routed, where from and when."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hub.kafka.records import InboundRecord
from hub.router.decide import decide
from hub.router.recall import sighting_of
from hub.router.seen import Sighting
from schemas.units import JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT, TAX = "court.411121", "tax.411121"


def journal_value(event: dict[str, Any] | bytes, *, unit: str = COURT, offset: int = 5) -> bytes:
    raw = event if isinstance(event, bytes) else json.dumps(event, ensure_ascii=False).encode()
    out = decide(InboundRecord(outbox_topic(unit), 1, offset, b"k", raw), router_context(), NOW)
    (entry,) = [record.value for record in out if record.topic == JOURNAL_TOPIC]
    return entry


def test_a_routed_event_is_recalled_with_its_time_and_position() -> None:
    event = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    assert sighting_of(journal_value(event)) == Sighting(
        f"fy:unit:{COURT}",
        event["id"],
        datetime.fromisoformat(event["time"]),
        outbox_topic(COURT),
        1,
        5,
    )


def test_a_routed_answer_is_recalled() -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    raw = json.dumps(listing, ensure_ascii=False).encode()
    ctx = router_context()
    (copy,) = [
        json.loads(r.value)
        for r in decide(InboundRecord(outbox_topic(COURT), 0, 1, b"k", raw), ctx, NOW)
        if r.topic == inbox_topic(TAX)
    ]
    receipt = fresh_id(corpus_event("hub.receipt.v1")) | {
        "source": f"fy:unit:{TAX}",
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    out = decide(
        InboundRecord(outbox_topic(TAX), 0, 8, b"k", json.dumps(signed_by(receipt, TAX)).encode()),
        ctx,
        NOW,
    )
    (entry,) = [record.value for record in out if record.topic == JOURNAL_TOPIC]
    recalled = sighting_of(entry)
    assert recalled is not None
    assert (recalled.key, recalled.place) == (
        (f"fy:unit:{TAX}", receipt["id"]),
        (outbox_topic(TAX), 0, 8),
    )


def test_refusals_and_unreadable_records_are_not_recalled() -> None:
    assert sighting_of(journal_value(b"not an event")) is None
    assert sighting_of(b"not json") is None
    assert sighting_of(None) is None
    assert sighting_of(b'{"kind": "event.routed"}') is None


def test_a_routed_entry_whose_event_has_no_usable_time_is_not_recalled() -> None:
    event = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    entry = json.loads(journal_value(event))
    for time in ("yesterday", "2026-03-02T09:30:00", None):
        entry["event"]["time"] = time
        assert sighting_of(json.dumps(entry).encode()) is None


def test_a_routed_entry_without_a_usable_position_is_not_recalled() -> None:
    event = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    entry = json.loads(journal_value(event))
    for offset in ("5", True, None):
        entry["position"]["offset"] = offset
        assert sighting_of(json.dumps(entry).encode()) is None
    del entry["position"]
    assert sighting_of(json.dumps(entry).encode()) is None
