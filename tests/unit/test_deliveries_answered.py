"""Which stages a change to a delivery answered for the first time, how long the recipient took
and how late it was: the facts the auditor hands its metrics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hub.deliveries.answered import Answered, newly_answered
from hub.deliveries.state import (
    Delivery,
    DeliveryKey,
    Stage,
    progress_reported,
    receipt_arrived,
    reply_arrived,
    reply_refused,
)

ROUTED = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
QUERY = "enforcement.query.requested.v1"
ROUTED_COPY = Delivery(
    event_source="fy:unit:court.411121",
    event_id="e1",
    recipient="tax.411121",
    event_type=QUERY,
    subject="（2026）豫1121执1号",
    routed_at=ROUTED,
    receipt_due=ROUTED + timedelta(days=1),
    reply_due=ROUTED + timedelta(days=15),
)
KEY = DeliveryKey("fy:unit:court.411121", "e1", "tax.411121")


def test_a_first_receipt_is_answered_with_its_wait_and_no_lateness() -> None:
    at = ROUTED + timedelta(hours=2)
    (answered,) = newly_answered(ROUTED_COPY, receipt_arrived(ROUTED_COPY, at))
    assert answered == Answered(KEY, QUERY, Stage.RECEIPT, ROUTED, at, ROUTED + timedelta(days=1))
    assert (answered.recipient, answered.waited, answered.late_by) == (
        "tax.411121",
        timedelta(hours=2),
        timedelta(0),
    )


def test_a_late_answer_says_how_late() -> None:
    at = ROUTED + timedelta(days=3)
    (answered,) = newly_answered(ROUTED_COPY, receipt_arrived(ROUTED_COPY, at))
    assert answered.late_by == timedelta(days=2)


def test_a_reply_without_a_receipt_answers_both_stages_receipt_first() -> None:
    at = ROUTED + timedelta(days=20)
    found = newly_answered(ROUTED_COPY, reply_arrived(ROUTED_COPY, "r1", at))
    assert [(a.stage, a.waited, a.late_by) for a in found] == [
        (Stage.RECEIPT, timedelta(days=20), timedelta(days=19)),
        (Stage.REPLY, timedelta(days=20), timedelta(days=5)),
    ]


def test_what_was_answered_before_is_not_answered_again() -> None:
    received = receipt_arrived(ROUTED_COPY, ROUTED + timedelta(hours=1))
    assert newly_answered(received, receipt_arrived(received, ROUTED + timedelta(hours=2))) == []
    replied = reply_arrived(received, "r1", ROUTED + timedelta(days=2))
    (answered,) = newly_answered(received, replied)
    assert answered.stage is Stage.REPLY
    assert newly_answered(replied, replied) == []


def test_a_progress_report_answers_the_receipt_only_and_a_refused_reply_nothing() -> None:
    at = ROUTED + timedelta(hours=5)
    assert [a.stage for a in newly_answered(ROUTED_COPY, progress_reported(ROUTED_COPY, at))] == [
        Stage.RECEIPT
    ]
    assert newly_answered(ROUTED_COPY, reply_refused(ROUTED_COPY, at)) == []


def test_an_answer_timed_before_its_routing_waited_nothing() -> None:
    # Two router instances' clocks may disagree by a little; a wait is never negative.
    early = receipt_arrived(ROUTED_COPY, ROUTED - timedelta(seconds=3))
    (answered,) = newly_answered(ROUTED_COPY, early)
    assert answered.waited == timedelta(0)


def test_a_stage_owed_no_deadline_is_never_late() -> None:
    no_deadline = replace(ROUTED_COPY, receipt_due=None, reply_due=None)
    at = ROUTED + timedelta(days=400)
    (answered,) = newly_answered(no_deadline, receipt_arrived(no_deadline, at))
    assert (answered.due, answered.late_by) == (None, timedelta(0))
