"""What the router's `Decision` says it decided about each record: the facts its metrics count
(type, source unit, one recipient per copy, the refusal's code), beside the records it writes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.kafka.records import InboundRecord
from hub.router.decide import Decision, decide, decision
from hub.router.service import decide_or_dead_letter
from schemas.errors import ErrorCode
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.fixtures.journal import COURT, TAX
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
JOINT_PUNISHMENT = ("justice", "nr", "pboc", "police", "samr", "tax")


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def inbound(value: bytes | dict[str, Any], *, unit: str = COURT, offset: int = 1) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
    return InboundRecord(outbox_topic(unit), 0, offset, b"key", raw)


def summary(made: Decision) -> tuple[Any, ...]:
    return (made.source, made.event_type, made.recipients, made.refused)


def test_a_routed_event_names_one_recipient_per_copy_written(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    made = decision(inbound(listing), ctx, NOW)
    assert (made.source, made.event_type, made.refused) == (
        COURT,
        "debtor.listed.v1",
        None,
    )
    assert sorted(made.recipients) == [f"{dept}.411121" for dept in JOINT_PUNISHMENT]
    copies = [out.topic for out in made.records if out.topic != JOURNAL_TOPIC]
    assert copies == [inbox_topic(unit) for unit in made.recipients]
    assert made.records == decide(inbound(listing), ctx, NOW)


def test_a_receipt_is_routed_back_to_the_original_sender(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    delivered = decide(inbound(listing), ctx, NOW)
    (copy,) = [out for out in delivered if out.topic == inbox_topic(TAX)]
    receipt = fresh_id(corpus_event("hub.receipt.v1")) | {
        "source": f"fy:unit:{TAX}",
        "correlationid": listing["id"],
        "hubdelivery": json.loads(copy.value)["hubdelivery"],
    }
    made = decision(inbound(signed_by(receipt, TAX), unit=TAX), ctx, NOW)
    assert summary(made) == (TAX, "hub.receipt.v1", (COURT,), None)


def test_a_record_refused_unread_has_no_type_and_is_dead_lettered(ctx: Any) -> None:
    made = decision(inbound(b"\x00 not json"), ctx, NOW)
    assert summary(made) == (COURT, None, (), ErrorCode.MALFORMED)
    assert [out.topic for out in made.records].count(DLQ_TOPIC) == 1


def test_a_record_refused_after_parsing_keeps_its_type(ctx: Any) -> None:
    listing = fresh_id(corpus_event("debtor.listed.v1"))  # unsigned
    made = decision(inbound(listing), ctx, NOW)
    assert summary(made) == (COURT, "debtor.listed.v1", (), ErrorCode.BAD_SIGNATURE)


def test_a_record_on_a_foreign_unit_s_outbox_is_decided_against_that_unit(ctx: Any) -> None:
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    made = decision(inbound(listing, unit=TAX), ctx, NOW)
    assert (made.source, made.refused) == (TAX, ErrorCode.SOURCE_MISMATCH)


def test_a_record_on_no_unit_s_topic_has_no_source(ctx: Any) -> None:
    record = InboundRecord("fy.unit.nobody", 0, 1, None, b"{}")
    assert decision(record, ctx, NOW).source is None


def test_a_defect_in_the_hub_is_a_malformed_refusal_of_unknown_type(
    ctx: Any, caplog: pytest.LogCaptureFixture
) -> None:
    broken = dataclasses.replace(ctx, table=None)  # the routing checks fail inside the hub
    listing = signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)
    made = decide_or_dead_letter(inbound(listing), broken, NOW)
    assert summary(made) == (COURT, None, (), ErrorCode.MALFORMED)
    assert "router could not decide" in caplog.text
