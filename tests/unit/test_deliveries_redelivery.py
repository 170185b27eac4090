from datetime import datetime, timedelta, timezone

import pytest

from hub.deliveries.redelivery import (
    Escalate,
    Redeliver,
    RedeliveryPolicy,
    next_action,
    next_actions,
)
from hub.deliveries.state import Delivery, escalated, receipt_arrived, redelivered

CST = timezone(timedelta(hours=8))
ROUTED = datetime(2024, 5, 6, 9, 0, tzinfo=CST)
RECEIPT_DUE = datetime(2024, 5, 7, 23, 59, 59, tzinfo=CST)
HOURLY_THREE = RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=3)


def delivery(**changes) -> Delivery:
    fields = {
        "event_source": "fy:unit:court.411121",
        "event_id": "evt-1",
        "recipient": "tax.411121",
        "event_type": "enforcement.query.requested.v1",
        "subject": "（2024）豫1121执123号",
        "routed_at": ROUTED,
        "receipt_due": RECEIPT_DUE,
        "reply_due": datetime(2024, 5, 9, 23, 59, 59, tzinfo=CST),
    }
    return Delivery(**(fields | changes))


def run(d: Delivery, policy: RedeliveryPolicy, until: datetime, tick: timedelta):
    """Drive the policy like the tracker does: ask at every tick, apply what it says."""
    log = []
    now = d.routed_at
    while now <= until:
        action = next_action(d, now, policy)
        if isinstance(action, Redeliver):
            d = redelivered(d, now)
        elif isinstance(action, Escalate):
            d = escalated(d, now)
        if action is not None:
            log.append((type(action).__name__, now))
        now += tick
    return d, log


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError, match="interval must be positive"):
        RedeliveryPolicy(interval=timedelta(0), max_attempts=3)
    with pytest.raises(ValueError, match="at least 1"):
        RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=0)


def test_nothing_before_the_interval_has_passed():
    assert next_action(delivery(), ROUTED + timedelta(minutes=59), HOURLY_THREE) is None


def test_redeliver_once_the_interval_has_passed():
    action = next_action(delivery(), ROUTED + timedelta(hours=1), HOURLY_THREE)
    assert action == Redeliver(delivery().key, attempt=2)


def test_spacing_counts_from_the_last_attempt():
    d = redelivered(delivery(), ROUTED + timedelta(hours=3))
    assert next_action(d, ROUTED + timedelta(hours=3, minutes=59), HOURLY_THREE) is None
    assert next_action(d, ROUTED + timedelta(hours=4), HOURLY_THREE) == Redeliver(d.key, 3)


def test_attempts_are_spaced_bounded_and_escalated_once():
    d, log = run(
        delivery(),
        HOURLY_THREE,
        until=datetime(2024, 5, 9, 9, tzinfo=CST),
        tick=timedelta(minutes=10),
    )
    assert log == [
        ("Redeliver", ROUTED + timedelta(hours=1)),
        ("Redeliver", ROUTED + timedelta(hours=2)),
        ("Escalate", datetime(2024, 5, 8, 0, 0, tzinfo=CST)),
    ]
    assert d.attempts == HOURLY_THREE.max_attempts
    assert d.escalated_at == datetime(2024, 5, 8, 0, 0, tzinfo=CST)


def test_escalation_waits_for_the_receipt_due_time():
    d = delivery(attempts=3, last_attempt_at=ROUTED + timedelta(hours=2))
    assert next_action(d, RECEIPT_DUE, HOURLY_THREE) is None
    assert next_action(d, RECEIPT_DUE + timedelta(seconds=1), HOURLY_THREE) == Escalate(
        d.key, 3, RECEIPT_DUE
    )


def test_escalation_waits_for_the_interval_after_the_last_attempt():
    late = RECEIPT_DUE + timedelta(hours=5)
    d = delivery(attempts=3, last_attempt_at=late - timedelta(minutes=30))
    assert next_action(d, late, HOURLY_THREE) is None
    assert isinstance(next_action(d, late + timedelta(minutes=30), HOURLY_THREE), Escalate)


def test_an_escalated_delivery_is_left_alone():
    d = escalated(delivery(attempts=3), RECEIPT_DUE + timedelta(hours=1))
    assert next_action(d, RECEIPT_DUE + timedelta(days=5), HOURLY_THREE) is None


def test_a_single_attempt_policy_only_escalates():
    once = RedeliveryPolicy(interval=timedelta(hours=2), max_attempts=1)
    _, log = run(
        delivery(), once, until=datetime(2024, 5, 9, 9, tzinfo=CST), tick=timedelta(hours=1)
    )
    assert log == [("Escalate", datetime(2024, 5, 8, 0, 0, tzinfo=CST))]


def test_a_received_copy_needs_nothing():
    d = receipt_arrived(delivery(), ROUTED + timedelta(minutes=5))
    assert next_action(d, ROUTED + timedelta(days=10), HOURLY_THREE) is None


def test_a_receipt_between_attempts_stops_redelivery():
    d = redelivered(delivery(), ROUTED + timedelta(hours=1))
    d = receipt_arrived(d, ROUTED + timedelta(hours=1, minutes=5))
    assert next_action(d, ROUTED + timedelta(hours=5), HOURLY_THREE) is None


def test_a_copy_that_owes_no_receipt_is_never_redelivered():
    d = delivery(receipt_due=None)
    assert next_action(d, ROUTED + timedelta(days=10), HOURLY_THREE) is None


def test_next_actions_keeps_order_and_skips_the_idle():
    waiting = delivery(event_id="evt-a")
    received = receipt_arrived(delivery(event_id="evt-b"), ROUTED)
    exhausted = delivery(event_id="evt-c", attempts=3)
    now = RECEIPT_DUE + timedelta(hours=1)
    actions = next_actions([exhausted, received, waiting], now, HOURLY_THREE)
    assert actions == [Escalate(exhausted.key, 3, RECEIPT_DUE), Redeliver(waiting.key, 2)]
    assert next_actions([exhausted, received, waiting], now, HOURLY_THREE) == actions
