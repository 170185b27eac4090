from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.deliveries.state import (
    AlreadyAnsweredError,
    AlreadyRepliedError,
    Delivery,
    DeliveryKey,
    NotOwedError,
    NotYetDueError,
    Stage,
    Status,
    escalated,
    is_overdue,
    is_settled,
    marked_overdue,
    progress_reported,
    receipt_arrived,
    redelivered,
    reply_arrived,
    reply_refused,
    stages_past_due,
    status,
)
from hub.store.tables import DELIVERY_STATES
from schemas.hubevents import OverdueStage

CST = timezone(timedelta(hours=8))
ROUTED = datetime(2024, 5, 6, 9, 30, tzinfo=CST)
RECEIPT_DUE = datetime(2024, 5, 7, 23, 59, 59, tzinfo=CST)
REPLY_DUE = datetime(2024, 5, 9, 23, 59, 59, tzinfo=CST)


def delivery(**changes) -> Delivery:
    fields = {
        "event_source": "fy:unit:court.411121",
        "event_id": "01HZX3K4Q0AAAAAAAAAAAAAAAA",
        "recipient": "tax.411121",
        "event_type": "enforcement.query.requested.v1",
        "subject": "（2024）豫1121执123号",
        "routed_at": ROUTED,
        "receipt_due": RECEIPT_DUE,
        "reply_due": REPLY_DUE,
    }
    return Delivery(**(fields | changes))


def receipt_only(**changes) -> Delivery:
    return delivery(event_type="admincase.judged.v1", reply_due=None, **changes)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=CST)


# --- the snapshot --------------------------------------------------------------------------------


def test_status_values_are_the_store_states():
    assert {str(s) for s in Status} == set(DELIVERY_STATES)


def test_stages_are_spelled_as_in_the_overdue_payload():
    assert {str(s) for s in Stage} == {str(s) for s in OverdueStage}


def test_key_names_source_event_and_recipient():
    assert delivery().key == DeliveryKey(
        "fy:unit:court.411121", "01HZX3K4Q0AAAAAAAAAAAAAAAA", "tax.411121"
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="routed_at must carry a UTC offset"):
        delivery(routed_at=datetime(2024, 5, 6, 9, 30))  # noqa: DTZ001


def test_a_naive_transition_time_is_refused():
    with pytest.raises(ValueError, match="receipt_at must carry a UTC offset"):
        receipt_arrived(delivery(), datetime(2024, 5, 6, 10))  # noqa: DTZ001


def test_attempts_count_the_first_delivery():
    assert delivery().attempts == 1
    assert delivery().last_attempt == ROUTED
    with pytest.raises(ValueError, match="at least one attempt"):
        delivery(attempts=0)


def test_snapshots_are_immutable_and_transitions_return_new_ones():
    original = delivery()
    received = receipt_arrived(original, at(6, 10))
    assert original.receipt_at is None
    assert received.receipt_at == at(6, 10)
    with pytest.raises(FrozenInstanceError):
        original.receipt_at = at(6, 10)  # type: ignore[misc]


# --- receipts and replies ------------------------------------------------------------------------


def test_routed_then_received_then_replied():
    d = delivery()
    assert status(d) is Status.ROUTED
    d = receipt_arrived(d, at(6, 10))
    assert status(d) is Status.RECEIVED
    d = reply_arrived(d, "reply-1", at(8, 15))
    assert status(d) is Status.REPLIED
    assert (d.receipt_at, d.replied_at, d.reply_event_id) == (at(6, 10), at(8, 15), "reply-1")
    assert is_settled(d)


def test_receipt_closes_a_delivery_that_owes_no_reply():
    d = receipt_arrived(receipt_only(), at(6, 10))
    assert status(d) is Status.CLOSED
    assert is_settled(d)


def test_a_delivery_owing_nothing_is_closed_from_the_start():
    assert status(receipt_only(receipt_due=None)) is Status.CLOSED


def test_a_reply_implies_the_receipt():
    d = reply_arrived(delivery(), "reply-1", at(7, 11))
    assert d.receipt_at == at(7, 11)
    assert status(d) is Status.REPLIED


def test_a_reply_keeps_the_earlier_receipt_time():
    d = reply_arrived(receipt_arrived(delivery(), at(6, 10)), "reply-1", at(8, 15))
    assert d.receipt_at == at(6, 10)


def test_the_first_receipt_counts():
    first = receipt_arrived(delivery(), at(6, 10))
    assert receipt_arrived(first, at(6, 12)) == first


def test_the_same_reply_again_changes_nothing():
    replied = reply_arrived(delivery(), "reply-1", at(8, 15))
    assert reply_arrived(replied, "reply-1", at(8, 16)) == replied


def test_a_second_different_reply_is_refused():
    replied = reply_arrived(delivery(), "reply-1", at(8, 15))
    with pytest.raises(AlreadyRepliedError, match="already answered by reply-1"):
        reply_arrived(replied, "reply-2", at(8, 16))


def test_a_reply_to_a_receipt_only_type_is_refused():
    with pytest.raises(NotOwedError, match=r"admincase\.judged\.v1\) owes no reply"):
        reply_arrived(receipt_only(), "reply-1", at(6, 12))


# --- refused replies -----------------------------------------------------------------------------


def test_a_refused_reply_leaves_the_delivery_open():
    d = reply_refused(receipt_arrived(delivery(), at(6, 10)), at(7, 9))
    assert status(d) is Status.REJECTED
    assert not is_settled(d)
    assert is_overdue(d, at(10, 9))


def test_a_valid_reply_after_a_refused_one_is_replied():
    d = reply_arrived(reply_refused(delivery(), at(7, 9)), "reply-2", at(7, 16))
    assert status(d) is Status.REPLIED


def test_a_refused_reply_after_a_valid_one_changes_nothing():
    replied = reply_arrived(delivery(), "reply-1", at(8, 15))
    assert reply_refused(replied, at(8, 17)) == replied


def test_a_refused_reply_to_a_receipt_only_type_is_not_owed():
    with pytest.raises(NotOwedError):
        reply_refused(receipt_only(), at(6, 12))


# --- overdue -------------------------------------------------------------------------------------


def test_stages_past_due_follow_the_clock():
    d = delivery()
    assert stages_past_due(d, RECEIPT_DUE) == ()
    assert stages_past_due(d, at(8, 9)) == (Stage.RECEIPT,)
    assert stages_past_due(d, at(10, 9)) == (Stage.RECEIPT, Stage.REPLY)


def test_the_reply_stage_exists_only_when_a_reply_is_due():
    assert stages_past_due(receipt_only(), at(30, 9)) == (Stage.RECEIPT,)


def test_a_late_receipt_ends_the_receipt_overdue_only():
    d = marked_overdue(delivery(), Stage.RECEIPT, at(8, 9))
    d = receipt_arrived(d, at(8, 10))
    assert not is_overdue(d, at(8, 11))
    assert is_overdue(d, at(10, 9))
    assert d.overdue_stages == {Stage.RECEIPT}


def test_a_late_reply_clears_overdue_but_keeps_the_history():
    d = marked_overdue(delivery(), Stage.RECEIPT, at(8, 9))
    d = marked_overdue(d, Stage.REPLY, at(10, 9))
    d = reply_arrived(d, "reply-1", at(13, 9))
    assert not is_overdue(d, at(13, 10))
    assert stages_past_due(d, at(13, 10)) == ()
    assert d.overdue_stages == {Stage.RECEIPT, Stage.REPLY}
    assert (d.receipt_overdue_at, d.reply_overdue_at) == (at(8, 9), at(10, 9))
    assert status(d) is Status.REPLIED


def test_overdue_is_a_mark_not_a_status():
    d = marked_overdue(delivery(), Stage.RECEIPT, at(8, 9))
    assert status(d) is Status.ROUTED


def test_marking_a_stage_again_keeps_the_first_mark():
    once = marked_overdue(delivery(), Stage.RECEIPT, at(8, 9))
    assert marked_overdue(once, Stage.RECEIPT, at(9, 9)) == once


def test_a_stage_is_not_overdue_at_its_due_time():
    with pytest.raises(NotYetDueError, match="not overdue yet"):
        marked_overdue(delivery(), Stage.RECEIPT, RECEIPT_DUE)


def test_an_answered_stage_cannot_be_marked_overdue():
    received = receipt_arrived(delivery(), RECEIPT_DUE + timedelta(hours=1))
    with pytest.raises(AlreadyAnsweredError, match="the receipt is already in"):
        marked_overdue(received, Stage.RECEIPT, RECEIPT_DUE + timedelta(hours=2))


def test_a_reply_stage_that_is_not_owed_cannot_be_marked():
    with pytest.raises(NotOwedError):
        marked_overdue(receipt_only(), Stage.REPLY, at(30, 9))


def test_deadlines_in_another_offset_compare_as_instants():
    d = delivery(receipt_due=datetime(2024, 5, 7, 15, 59, 59, tzinfo=UTC))
    assert stages_past_due(d, datetime(2024, 5, 7, 23, 59, 59, tzinfo=CST)) == ()
    assert stages_past_due(d, datetime(2024, 5, 8, 0, 0, 0, tzinfo=CST)) == (Stage.RECEIPT,)


# --- escalation and redelivery -------------------------------------------------------------------


def test_escalation_is_recorded_once():
    once = escalated(delivery(), at(9, 9))
    assert once.escalated_at == at(9, 9)
    assert escalated(once, at(10, 9)) == once


def test_an_escalated_delivery_keeps_its_mark_when_answered():
    d = reply_arrived(escalated(delivery(), at(9, 9)), "reply-1", at(9, 15))
    assert d.escalated_at == at(9, 9)
    assert status(d) is Status.REPLIED


@pytest.mark.parametrize(
    "settled",
    [
        pytest.param(reply_arrived(delivery(), "reply-1", at(7, 9)), id="replied"),
        pytest.param(receipt_arrived(receipt_only(), at(7, 9)), id="closed"),
    ],
)
def test_a_settled_delivery_cannot_be_escalated(settled):
    with pytest.raises(AlreadyAnsweredError, match="nothing to escalate"):
        escalated(settled, at(9, 9))


def test_redelivery_counts_attempts():
    d = redelivered(redelivered(delivery(), at(6, 11)), at(6, 13))
    assert (d.attempts, d.last_attempt_at, d.last_attempt) == (3, at(6, 13), at(6, 13))


def test_the_same_redelivery_again_changes_nothing():
    once = redelivered(delivery(), at(6, 11))
    assert redelivered(once, at(6, 11)) == once


def test_a_received_copy_is_not_redelivered():
    with pytest.raises(AlreadyAnsweredError, match="needs no redelivery"):
        redelivered(receipt_arrived(delivery(), at(6, 10)), at(6, 11))


# --- interim replies (a task's progress) ---------------------------------------------------------


def test_a_progress_report_implies_the_receipt_and_keeps_the_reply_owed():
    reported = progress_reported(delivery(), at(7, 10))
    assert (reported.receipt_at, reported.replied_at, reported.reply_event_id) == (
        at(7, 10),
        None,
        None,
    )
    assert status(reported) is Status.RECEIVED
    assert not is_settled(reported)


def test_a_task_in_progress_only_is_overdue_after_its_due_time():
    reported = progress_reported(delivery(), at(8, 10))
    assert stages_past_due(reported, at(9, 23)) == ()
    assert stages_past_due(reported, at(10, 9)) == (Stage.REPLY,)
    marked = marked_overdue(reported, Stage.REPLY, at(10, 9))
    assert marked.reply_overdue_at == at(10, 9)


def test_done_after_progress_replies_the_task():
    reported = progress_reported(delivery(), at(7, 10))
    done = reply_arrived(progress_reported(reported, at(8, 10)), "done-report", at(9, 11))
    assert status(done) is Status.REPLIED
    assert (done.receipt_at, done.replied_at) == (at(7, 10), at(9, 11))
    assert not is_overdue(done, at(20, 0))


def test_progress_after_done_leaves_the_task_replied():
    done = reply_arrived(delivery(), "done-report", at(7, 10))
    assert progress_reported(done, at(8, 10)) == done


def test_progress_on_a_receipt_only_type_is_not_owed():
    with pytest.raises(NotOwedError):
        progress_reported(receipt_only(), at(7, 10))
