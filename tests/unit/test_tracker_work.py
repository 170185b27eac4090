"""A sweep's jobs: signed overdue notices, the same copy redelivered, and the journal entry that
records each."""

import json
from datetime import UTC, datetime, timedelta

from hub.deliveries.overdue import OverdueNotice, notice_event_id
from hub.deliveries.redelivery import Escalate, Redeliver
from hub.deliveries.state import Delivery, Stage
from hub.journal.entries import DeliveryEscalated, DeliveryOverdue, DeliveryRedelivered
from hub.journal.reading import read_record
from hub.kafka.records import case_key
from hub.router.copies import delivered_copies
from hub.router.token import read_token
from hub.routing.deadlines import CHINA_TZ
from hub.store.delivery_rows import fields_from_store, stored_due_times
from hub.store.tables import DeliveryRow
from hub.tracker.work import (
    StoredCopy,
    escalation_job,
    marked_record,
    notice_job,
    redelivery_job,
)
from schemas.hub_proof import check_hub_signature, copy_bytes
from schemas.hubevents import OverdueStage
from schemas.units import JOURNAL_TOPIC
from tests.hubkit import TOKEN_SECRET, corpus_event, router_context

OFFICE = "justice.411121"
CASE_NO = "（2026）豫1121执356号"
ROUTED_AT = datetime(2026, 3, 2, 1, 31, 5, 123456, tzinfo=UTC)
RECEIPT_DUE = datetime(2026, 3, 3, 23, 59, 59, tzinfo=CHINA_TZ)
REPLY_DUE = datetime(2026, 3, 5, 23, 59, 59, tzinfo=CHINA_TZ)
NOW = RECEIPT_DUE + timedelta(hours=3)
CTX = router_context()
HUB_KEYS = {CTX.hub_key_id: CTX.hub_key.public_key()}


def delivery(**changes) -> Delivery:
    fields = {
        "event_source": "fy:unit:court.411121",
        "event_id": "5e148399-670c-5b4d-9089-1c29cdf72c17",
        "recipient": "tax.411121",
        "event_type": "enforcement.query.requested.v1",
        "subject": CASE_NO,
        "routed_at": ROUTED_AT,
        "receipt_due": RECEIPT_DUE,
        "reply_due": REPLY_DUE,
    }
    return Delivery(**(fields | changes))


def notice(recipient: str = "tax.411121") -> OverdueNotice:
    d = delivery(recipient=recipient)
    return OverdueNotice(
        key=d.key,
        subject=CASE_NO,
        stage=Stage.RECEIPT,
        due=RECEIPT_DUE,
        overdue_by=NOW - RECEIPT_DUE,
    )


# --- overdue notices -----------------------------------------------------------------------------


def test_a_notice_goes_to_the_unit_and_to_the_office_signed_by_the_hub():
    job = notice_job(notice(), office_unit=OFFICE, now=NOW, ctx=CTX)
    assert [r.topic for r in job.records] == ["fy.unit.tax.411121.in", f"fy.unit.{OFFICE}.in"]
    for record, addressee in zip(job.records, ["tax.411121", OFFICE], strict=True):
        event = json.loads(record.value)
        check_hub_signature(event, HUB_KEYS)
        assert record.key == CASE_NO.encode()
        assert event["type"] == "hub.overdue.v1"
        assert event["id"] == notice_event_id(notice(), addressee)
        assert event["data"]["stage"] == "receipt"
        assert event["data"]["overdue_by"] == "PT3H"


def test_the_office_late_itself_gets_one_notice():
    job = notice_job(notice(recipient=OFFICE), office_unit=OFFICE, now=NOW, ctx=CTX)
    assert [r.topic for r in job.records] == [f"fy.unit.{OFFICE}.in"]


# --- redelivery ----------------------------------------------------------------------------------


def stored_as_routed(recipient: str = "tax.411121"):
    """The router's copy, and what the tracker reads back of it from the store (times in UTC)."""
    event = corpus_event("enforcement.query.requested.v1")
    route = CTX.table.route(event["type"])
    assert route is not None
    copies, delivered = delivered_copies(event, "court.411121", [recipient], route, CTX, ROUTED_AT)
    (copy,), (decision,) = copies, delivered
    assert decision.receipt_by is not None
    assert decision.reply_by is not None
    row = DeliveryRow(
        routed_at=ROUTED_AT,
        fields=["*"] if decision.fields == "all" else decision.fields,
        receipt_due=decision.receipt_by.astimezone(UTC),
        reply_due=decision.reply_by.astimezone(UTC),
    )
    stored = StoredCopy(
        event=event,
        sender="court.411121",
        recipient=recipient,
        fields=fields_from_store(row),
        routed_at=row.routed_at,
        due=stored_due_times(row),
    )
    return copy, stored


def test_a_redelivery_is_the_copy_the_router_delivered():
    original, stored = stored_as_routed()
    (again,) = redelivery_job(
        Redeliver(delivery().key, 2), stored, CTX, subject=CASE_NO, now=NOW
    ).records
    assert (again.topic, again.key) == (original.topic, original.key)
    # The same copy, byte for byte, under the hub's new signature.
    assert original.awaits_hub_proof
    assert copy_bytes(json.loads(again.value)) == original.value


def test_a_redelivered_copy_carries_the_hubs_signature_and_token():
    _, stored = stored_as_routed()
    copy = json.loads(
        redelivery_job(Redeliver(delivery().key, 2), stored, CTX, subject=CASE_NO, now=NOW)
        .records[0]
        .value
    )
    check_hub_signature(copy, HUB_KEYS)
    token = read_token(copy["hubdelivery"], TOKEN_SECRET)
    assert (token.event_id, token.source, token.recipient) == (
        "5e148399-670c-5b4d-9089-1c29cdf72c17",
        "court.411121",
        "tax.411121",
    )
    assert (token.receipt_by, token.reply_by) == stored.due[:2]


# --- the entries that record each job ------------------------------------------------------


def test_a_notice_is_recorded_by_a_delivery_overdue_entry_after_its_events():
    job = notice_job(notice(), office_unit=OFFICE, now=NOW, ctx=CTX)
    assert job.mark == DeliveryOverdue(
        at=NOW,
        event_source="fy:unit:court.411121",
        event_id="5e148399-670c-5b4d-9089-1c29cdf72c17",
        recipient="tax.411121",
        stage=OverdueStage.RECEIPT,
        due=RECEIPT_DUE,
        overdue_by_s=3 * 3600,
        office=OFFICE,
        notices={unit: notice_event_id(notice(), unit) for unit in ("tax.411121", OFFICE)},
    )
    assert (job.journal.topic, job.journal.key) == (JOURNAL_TOPIC, CASE_NO.encode())
    assert read_record(0, 0, 0, job.journal.value).entry == job.mark


def test_a_redelivery_is_recorded_with_its_attempt():
    _, stored = stored_as_routed()
    job = redelivery_job(Redeliver(delivery().key, 2), stored, CTX, subject=CASE_NO, now=NOW)
    assert job.mark == DeliveryRedelivered(
        at=NOW,
        event_source="fy:unit:court.411121",
        event_id="5e148399-670c-5b4d-9089-1c29cdf72c17",
        recipient="tax.411121",
        attempt=2,
    )
    assert job.journal == marked_record(job.mark, CASE_NO, CTX.signer)


def test_an_escalation_publishes_nothing_but_its_entry():
    escalate = Escalate(delivery().key, 3, RECEIPT_DUE)
    job = escalation_job(escalate, subject=CASE_NO, office_unit=OFFICE, now=NOW, signer=CTX.signer)
    assert job.records == ()
    assert isinstance(job.mark, DeliveryEscalated)
    assert (job.mark.at, job.mark.attempts, job.mark.receipt_due, job.mark.office) == (
        NOW,
        3,
        RECEIPT_DUE,
        OFFICE,
    )
    assert read_record(0, 0, 0, job.journal.value).entry == job.mark


def test_an_event_without_a_subject_is_keyed_by_its_id_like_the_routers_entry():
    d = delivery(subject="5e148399-670c-5b4d-9089-1c29cdf72c17")  # as the store reads it back
    escalate = Escalate(d.key, 3, RECEIPT_DUE)
    job = escalation_job(
        escalate, subject=d.subject, office_unit=OFFICE, now=NOW, signer=CTX.signer
    )
    assert job.journal.key == case_key(None, d.event_id)
