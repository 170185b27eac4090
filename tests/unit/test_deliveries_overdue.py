import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.deliveries.overdue import HUB_SOURCE, OverdueNotice, due_notices, overdue_event
from hub.deliveries.state import (
    Delivery,
    DeliveryKey,
    Stage,
    marked_overdue,
    receipt_arrived,
    reply_arrived,
)
from schemas.hubevents import HubOverdue
from schemas.units import unit_from_source

CST = timezone(timedelta(hours=8))
RECEIPT_DUE = datetime(2024, 5, 7, 23, 59, 59, tzinfo=CST)
REPLY_DUE = datetime(2024, 5, 9, 23, 59, 59, tzinfo=CST)
OFFICE = "justice.411121"
CASE_NO = "（2024）豫1121执123号"


def delivery(**changes) -> Delivery:
    fields = {
        "event_source": "fy:unit:court.411121",
        "event_id": "evt-1",
        "recipient": "tax.411121",
        "event_type": "enforcement.query.requested.v1",
        "subject": CASE_NO,
        "routed_at": datetime(2024, 5, 6, 9, 30, tzinfo=CST),
        "receipt_due": RECEIPT_DUE,
        "reply_due": REPLY_DUE,
    }
    return Delivery(**(fields | changes))


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, second, tzinfo=CST)


def notice(**changes) -> OverdueNotice:
    fields = {
        "key": DeliveryKey("fy:unit:court.411121", "evt-1", "tax.411121"),
        "subject": CASE_NO,
        "stage": Stage.RECEIPT,
        "due": RECEIPT_DUE,
        "overdue_by": timedelta(hours=9, seconds=1),
    }
    return OverdueNotice(**(fields | changes))


# --- which notices are due -----------------------------------------------------------------------


def test_nothing_is_due_before_or_at_the_deadline():
    assert due_notices([delivery()], at(7, 9)) == []
    assert due_notices([delivery()], RECEIPT_DUE) == []


def test_a_missing_receipt_gives_one_receipt_notice():
    [only] = due_notices([delivery()], at(8, 9))
    assert only == OverdueNotice(
        key=delivery().key,
        subject=CASE_NO,
        stage=Stage.RECEIPT,
        due=RECEIPT_DUE,
        overdue_by=timedelta(hours=9, seconds=1),
    )


def test_both_stages_once_the_reply_is_late_too():
    notices = due_notices([delivery()], at(10, 9))
    assert [(n.stage, n.due) for n in notices] == [
        (Stage.RECEIPT, RECEIPT_DUE),
        (Stage.REPLY, REPLY_DUE),
    ]


def test_the_reply_stage_only_when_a_reply_is_due():
    receipt_only = delivery(event_type="admincase.judged.v1", reply_due=None)
    assert [n.stage for n in due_notices([receipt_only], at(30, 9))] == [Stage.RECEIPT]
    received = receipt_arrived(receipt_only, at(8, 9))
    assert due_notices([received], at(30, 9)) == []


def test_a_received_delivery_gets_only_the_reply_notice():
    received = receipt_arrived(delivery(), at(7, 9))
    assert [n.stage for n in due_notices([received], at(10, 9))] == [Stage.REPLY]


def test_one_notice_per_stage_once_the_stage_is_marked():
    d = delivery()
    first = due_notices([d], at(8, 9))
    for n in first:
        d = marked_overdue(d, n.stage, at(8, 9))
    assert due_notices([d], at(8, 10)) == []
    assert due_notices([d], at(8, 23)) == []
    [later] = due_notices([d], at(10, 9))
    assert later.stage is Stage.REPLY


def test_a_late_reply_clears_every_notice():
    d = marked_overdue(delivery(), Stage.RECEIPT, at(8, 9))
    d = reply_arrived(d, "reply-1", at(10, 8))
    assert due_notices([d], at(11, 9)) == []


def test_overdue_by_is_rounded_up_to_whole_seconds():
    [n] = due_notices([delivery()], RECEIPT_DUE + timedelta(microseconds=1))
    assert n.overdue_by == timedelta(seconds=1)


def test_notices_follow_the_order_of_the_deliveries():
    deliveries = [
        delivery(event_id=f"evt-{i}", receipt_due=RECEIPT_DUE + timedelta(hours=i))
        for i in (3, 1, 2)
    ]
    assert [n.key.event_id for n in due_notices(deliveries, at(9, 9))] == [
        "evt-3",
        "evt-1",
        "evt-2",
    ]


def test_a_delivery_owing_nothing_gets_no_notice():
    assert due_notices([delivery(receipt_due=None, reply_due=None)], at(30, 9)) == []


# --- the hub.overdue.v1 events -------------------------------------------------------------------


def test_one_event_to_the_unit_and_one_to_the_office():
    events = overdue_event(notice(), office_unit=OFFICE, now=at(8, 9))
    assert [unit for unit, _ in events] == ["tax.411121", OFFICE]
    for _, envelope in events:
        assert envelope["specversion"] == "1.0"
        assert envelope["source"] == HUB_SOURCE
        assert envelope["type"] == "hub.overdue.v1"
        assert envelope["subject"] == CASE_NO
        assert envelope["time"] == "2024-05-08T09:00:00+08:00"
        assert envelope["purpose"] == "linkage_supervision"
        assert envelope["data"] == {
            "event_id": "evt-1",
            "recipient": "tax.411121",
            "stage": "receipt",
            "due": "2024-05-07T23:59:59+08:00",
            "overdue_by": "PT9H1S",
        }


def test_the_payload_validates_against_its_model():
    for _, envelope in overdue_event(notice(), office_unit=OFFICE, now=at(8, 9)):
        payload = HubOverdue.model_validate(envelope["data"])
        assert payload.overdue_by == timedelta(hours=9, seconds=1)
        assert payload.due == RECEIPT_DUE


def test_due_is_given_in_china_time():
    utc_due = datetime(2024, 5, 7, 15, 59, 59, tzinfo=UTC)
    [(_, envelope), _] = overdue_event(notice(due=utc_due), office_unit=OFFICE, now=at(8, 9))
    assert envelope["data"]["due"] == "2024-05-07T23:59:59+08:00"


def test_the_hub_source_names_no_unit():
    assert unit_from_source(HUB_SOURCE) is None


def test_event_ids_are_deterministic_uuids():
    first = overdue_event(notice(), office_unit=OFFICE, now=at(8, 9))
    again = overdue_event(notice(overdue_by=timedelta(days=1)), office_unit=OFFICE, now=at(9, 9))
    ids = [envelope["id"] for _, envelope in first]
    assert ids == [envelope["id"] for _, envelope in again]
    assert len(set(ids)) == 2
    assert all(uuid.UUID(event_id).version == 5 for event_id in ids)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(notice(stage=Stage.REPLY, due=REPLY_DUE), id="stage"),
        pytest.param(
            notice(key=DeliveryKey("fy:unit:court.411121", "evt-1", "nr.411121")), id="recipient"
        ),
        pytest.param(
            notice(key=DeliveryKey("fy:unit:court.411121", "evt-2", "tax.411121")), id="event"
        ),
        pytest.param(
            notice(key=DeliveryKey("fy:unit:justice.411121", "evt-1", "tax.411121")), id="source"
        ),
    ],
)
def test_event_ids_differ_per_stage_recipient_and_event(other):
    ids = {
        envelope["id"] for _, envelope in overdue_event(notice(), office_unit=OFFICE, now=at(8, 9))
    }
    other_ids = {
        envelope["id"] for _, envelope in overdue_event(other, office_unit=OFFICE, now=at(8, 9))
    }
    assert ids.isdisjoint(other_ids)


def test_the_office_itself_late_gets_a_single_event():
    late_office = notice(key=DeliveryKey("fy:unit:court.411121", "evt-1", OFFICE))
    events = overdue_event(late_office, office_unit=OFFICE, now=at(8, 9))
    assert [unit for unit, _ in events] == [OFFICE]
