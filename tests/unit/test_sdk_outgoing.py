"""What a connector publishes: the envelope it builds, its signature, and replies and receipts
built from a delivered copy (correlationid, echoed token, reply type checked)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from connectors.sdk import EventRefused, ReplyNotAllowed
from connectors.sdk.errors import ConnectorError
from connectors.sdk.outgoing import Composer, OutboxRecord
from schemas.catalogue import CATALOGUE
from schemas.common import Purpose
from schemas.envelope import Envelope
from schemas.hubevents import HubRejected
from schemas.linkage import UnitLiaisonChanged
from schemas.signing import check_signature
from tests.hubkit import corpus_event, unit_key

COURT, TAX = "court.411121", "tax.411121"
CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 16, 9, 30, 0, 123000, tzinfo=CHINA)


def composer(unit: str = COURT) -> Composer:
    return Composer(unit, unit_key(unit), "k1", clock=lambda: NOW)


def payload(event_type: str) -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type)["data"])


def body(record: OutboxRecord) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(record.value)
    return decoded


def delivered_listing(**changes: Any) -> Envelope:
    """A listing as the tax office gets it: projected, with the hub's attributes."""
    event = corpus_event("debtor.listed.v1") | {
        "hubrouted": "2026-03-16T09:00:00+08:00",
        "hubreceiptby": "2026-03-17T23:59:59+08:00",
        "hubdelivery": "eyJlaWQiOiIxIn0.bWFj",
        "sig": "c2ln",
        "sigkey": "hub-test",
    }
    return Envelope.model_validate(event | changes)


def test_an_event_gets_a_full_envelope_with_defaults() -> None:
    listing = payload("debtor.listed.v1")
    event = body(composer().event(listing))
    assert uuid.UUID(event["id"]).version == 4
    assert event["source"] == f"fy:unit:{COURT}"
    assert event["type"] == "debtor.listed.v1"
    assert event["subject"] == listing.case_no
    assert event["time"] == "2026-03-16T09:30:00.123+08:00"
    assert event["purpose"] == "credit_sanction"
    assert event["specversion"] == "1.0"
    assert event["datacontenttype"] == "application/json"
    assert event["data"] == corpus_event("debtor.listed.v1")["data"]
    assert "to" not in event
    assert "correlationid" not in event


def test_an_event_is_signed_with_the_unit_key() -> None:
    event = body(composer().event(payload("debtor.listed.v1")))
    assert event["sigkey"] == "k1"
    check_signature(event, {"k1": unit_key(COURT).public_key()})


def test_the_record_carries_id_subject_and_type_for_the_outbox() -> None:
    record = composer().event(payload("debtor.listed.v1"))
    event = body(record)
    assert (record.event_id, record.subject, record.type) == (
        event["id"],
        event["subject"],
        "debtor.listed.v1",
    )
    assert "王建军" not in repr(record)


def test_explicit_attributes_win() -> None:
    event_id = str(uuid.uuid4())
    query = payload("enforcement.query.requested.v1")
    event = body(
        composer().event(
            query, to=["tax.411121", "nr.411121"], purpose=Purpose.ENFORCEMENT, event_id=event_id
        )
    )
    assert event["id"] == event_id
    assert event["to"] == "tax.411121 nr.411121"
    assert event["purpose"] == "enforcement"


def test_a_payload_without_a_case_number_needs_a_subject() -> None:
    change = payload("unit.liaison.changed.v1")
    assert isinstance(change, UnitLiaisonChanged)
    with pytest.raises(ConnectorError, match="subject="):
        composer(TAX).event(change)
    event = body(composer(TAX).event(change, subject=TAX))
    assert event["subject"] == TAX


def test_an_event_the_hub_would_refuse_is_refused_before_it_is_stored() -> None:
    with pytest.raises(EventRefused) as refused:
        composer().event(payload("debtor.listed.v1"), purpose=Purpose.BANKRUPTCY)
    assert refused.value.rejection.code == "schema_invalid"
    assert [field.path for field in refused.value.rejection.fields] == ["purpose"]


def test_a_subject_that_is_not_the_case_number_is_refused() -> None:
    with pytest.raises(EventRefused, match="subject"):
        composer().event(payload("debtor.listed.v1"), subject="（2026）豫1121执1号")


def test_refusal_messages_name_paths_not_values() -> None:
    listing = payload("debtor.listed.v1")
    with pytest.raises(EventRefused) as refused:
        composer().event(listing, subject="411121198503152315")
    assert "411121198503152315" not in str(refused.value)


def test_units_cannot_publish_hub_notices_or_unanswered_replies() -> None:
    notice = HubRejected(code="malformed", detail="x")
    with pytest.raises(ConnectorError, match="published by the hub"):
        composer().event(notice)
    with pytest.raises(ConnectorError, match="reply"):
        composer(TAX).event(payload("debtor.sanction.reported.v1"))


# --- replies and receipts -------------------------------------------------------------------


def test_a_reply_answers_the_delivered_event() -> None:
    delivered = delivered_listing()
    reply = body(composer(TAX).reply(delivered, payload("debtor.sanction.reported.v1")))
    assert reply["type"] == "debtor.sanction.reported.v1"
    assert reply["correlationid"] == delivered.id
    assert reply["hubdelivery"] == delivered.hubdelivery
    assert reply["subject"] == delivered.subject
    assert reply["source"] == f"fy:unit:{TAX}"
    assert reply["id"] != delivered.id
    check_signature(reply, {"k1": unit_key(TAX).public_key()})


def test_a_reply_keeps_the_request_purpose_when_its_type_allows_it() -> None:
    delivered = delivered_listing(purpose="enforcement")
    reply = body(composer(TAX).reply(delivered, payload("debtor.sanction.reported.v1")))
    assert reply["purpose"] == "enforcement"


def test_a_reply_of_the_wrong_type_is_not_allowed() -> None:
    delivered = delivered_listing()
    with pytest.raises(ReplyNotAllowed, match=r"answers bankruptcy\.accepted\.v1"):
        composer(TAX).reply(delivered, payload("bankruptcy.claim.declared.v1"))


def test_a_copy_without_a_delivery_token_cannot_be_answered() -> None:
    undelivered = Envelope.model_validate(corpus_event("debtor.listed.v1"))
    with pytest.raises(ReplyNotAllowed, match="hubdelivery"):
        composer(TAX).reply(undelivered, payload("debtor.sanction.reported.v1"))
    with pytest.raises(ReplyNotAllowed, match="hubdelivery"):
        composer(TAX).receipt(undelivered, NOW)


def test_a_receipt_echoes_the_token_and_says_when() -> None:
    delivered = delivered_listing()
    receipt = body(composer(TAX).receipt(delivered, NOW))
    assert receipt["type"] == "hub.receipt.v1"
    assert receipt["correlationid"] == delivered.id
    assert receipt["hubdelivery"] == delivered.hubdelivery
    assert receipt["subject"] == delivered.subject
    assert receipt["data"] == {"received_at": "2026-03-16T09:30:00.123000+08:00"}
    assert "purpose" not in receipt
