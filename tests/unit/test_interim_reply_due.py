"""An interim reply that states a new deadline (a court's acceptance of a non-litigation
application, with its `rule_by`) moves the application's reply deadline there; the ruling then
closes it. Pure: the delivery state machine, the auditor's answer effects, the tracker's
recount."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hub.auditor.answers import AnswerEffect, answer_effect, interim_reply_due
from hub.deliveries.state import Delivery, DeliveryKey, is_overdue, progress_reported
from hub.journal.entries import AnswerRouted, Position
from hub.routing.deadlines import CHINA_TZ, DeadlinePolicy, end_of_day
from hub.routing.loader import load_contracts_from
from hub.tracker.recompute import OpenCopy, rescheduled
from schemas.catalogue import CATALOGUE
from tests.calendars import shipped_calendar
from tests.fixtures.corpus.loader import sample_data
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

APPLIED = "nonlitigation.enforcement.applied.v1"
ROUTED = datetime(2026, 12, 28, 10, tzinfo=CHINA_TZ)  # Monday
ACCEPTANCE_DUE = end_of_day(date(2027, 1, 5))  # 5 working days across 元旦
RULE_BY = date(2027, 1, 7)


def delivery(**changes: Any) -> Delivery:
    values: dict[str, Any] = {
        "event_source": "fy:unit:samr.411121",
        "event_id": "app-1",
        "recipient": "court.411121",
        "event_type": APPLIED,
        "subject": "舞市监罚〔2026〕31号",
        "routed_at": ROUTED,
        "receipt_due": end_of_day(date(2026, 12, 29)),
        "reply_due": ACCEPTANCE_DUE,
    }
    return Delivery(**(values | changes))


def answer(type_: str, data: dict[str, Any], *, at: datetime, id_: str) -> AnswerRouted:
    return AnswerRouted(
        at=at,
        position=Position(topic="fy.unit.court.411121.out", partition=0, offset=1),
        event={"id": id_, "type": type_, "data": data},
        answers="app-1",
        answered_by="court.411121",
        original_sender="samr.411121",
        receipt=False,
        deliveries=[],
    )


def accepted(**changes: Any) -> dict[str, Any]:
    base = sample_data("nonlitigation.enforcement.accepted.v1", "accepted")
    return base | {"accepted_on": "2026-12-28", "rule_by": RULE_BY.isoformat()} | changes


def test_the_catalogue_marks_only_an_acceptance_as_interim_with_its_rule_by() -> None:
    entry = CATALOGUE["nonlitigation.enforcement.accepted.v1"]
    assert entry.interim_due(accepted()) == RULE_BY.isoformat()
    not_accepted = sample_data("nonlitigation.enforcement.accepted.v1", "not-accepted")
    assert not entry.is_interim(not_accepted)
    assert entry.interim_due(not_accepted) is None


def test_an_acceptance_moves_the_reply_deadline_and_the_ruling_closes_it() -> None:
    at = datetime(2026, 12, 28, 15, tzinfo=CHINA_TZ)
    accepting = answer("nonlitigation.enforcement.accepted.v1", accepted(), at=at, id_="acc")
    assert interim_reply_due(accepting) == end_of_day(RULE_BY)
    moved, effect = answer_effect(delivery(), accepting, "acc")
    assert effect is AnswerEffect.PROGRESS
    assert (moved.reply_due, moved.replied_at, moved.receipt_at) == (end_of_day(RULE_BY), None, at)
    # Past the acceptance's 5 working days the application is not overdue: the ruling is due.
    assert not is_overdue(moved, datetime(2027, 1, 6, 12, tzinfo=CHINA_TZ))
    assert is_overdue(moved, datetime(2027, 1, 8, 9, tzinfo=CHINA_TZ))
    ruled_at = datetime(2027, 1, 7, 9, tzinfo=CHINA_TZ)
    ruling = sample_data("nonlitigation.enforcement.ruled.v1", "granted")
    ruled, effect = answer_effect(
        moved, answer("nonlitigation.enforcement.ruled.v1", ruling, at=ruled_at, id_="rul"), "rul"
    )
    assert (effect, ruled.reply_event_id, ruled.reply_due) == (
        AnswerEffect.RECORDED,
        "rul",
        end_of_day(RULE_BY),
    )


def test_a_non_acceptance_is_the_reply() -> None:
    data = sample_data("nonlitigation.enforcement.accepted.v1", "not-accepted")
    at = datetime(2026, 12, 29, 9, tzinfo=CHINA_TZ)
    refused, effect = answer_effect(
        delivery(), answer("nonlitigation.enforcement.accepted.v1", data, at=at, id_="na"), "na"
    )
    assert (effect, refused.reply_event_id, refused.reply_due) == (
        AnswerEffect.RECORDED,
        "na",
        ACCEPTANCE_DUE,
    )


def test_a_progress_report_without_a_date_keeps_the_deadline() -> None:
    at = datetime(2026, 12, 28, 15, tzinfo=CHINA_TZ)
    assert progress_reported(delivery(), at).reply_due == ACCEPTANCE_DUE


def test_counting_the_calendar_again_keeps_the_deadline_the_acceptance_set() -> None:
    table = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
    copy = OpenCopy(
        key=DeliveryKey("fy:unit:samr.411121", "app-1", "court.411121"),
        event_type=APPLIED,
        subject="舞市监罚〔2026〕31号",
        envelope={"type": APPLIED, "to": "court.411121", "data": {}},
        routed_at=ROUTED,
        receipt_due=end_of_day(date(2026, 12, 29)),
        reply_due=end_of_day(RULE_BY),
        receipt_at=ROUTED,
        replied_at=None,
        calendar=None,
    )
    again = rescheduled(copy, table=table, calendar=shipped_calendar(), policy=DeadlinePolicy())
    # Counted again (the copy names no calendar), and the reply deadline left where the
    # acceptance put it rather than back at the 5 working days.
    assert again is not None
    assert again.calendar is not None
    assert again.reply_by == end_of_day(RULE_BY)
    assert again.receipt_by == copy.receipt_due
