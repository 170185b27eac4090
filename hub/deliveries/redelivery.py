"""Redelivery of unreceipted copies, and escalation when redelivery does not help.

A copy still without its receipt is delivered again every `interval` after its last attempt, until
it has been delivered `max_attempts` times (the first delivery counts). When the last attempt has
had its `interval` too, and the receipt is past due, the delivery is escalated to the joint-meeting
office, once. Escalation waits for the due time because the unit is not late before it: the
office supervises lateness, not slow connectors. A delivery that owes no receipt is never
redelivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hub.deliveries.state import Delivery, DeliveryKey


@dataclass(frozen=True, slots=True)
class RedeliveryPolicy:
    interval: timedelta
    max_attempts: int

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("the redelivery interval must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts counts the first delivery, so it is at least 1")


@dataclass(frozen=True, slots=True)
class Redeliver:
    """Deliver the copy again; after it, the delivery has made `attempt` attempts."""

    key: DeliveryKey
    attempt: int


@dataclass(frozen=True, slots=True)
class Escalate:
    """Escalate to the office: `attempts` deliveries went unreceipted past the due time."""

    key: DeliveryKey
    attempts: int
    receipt_due: datetime


def next_actions(
    deliveries: Iterable[Delivery], now: datetime, policy: RedeliveryPolicy
) -> list[Redeliver | Escalate]:
    """What to do now, in the order of `deliveries`; nothing for a delivery that needs nothing."""
    actions = (next_action(d, now, policy) for d in deliveries)
    return [action for action in actions if action is not None]


def next_action(
    d: Delivery, now: datetime, policy: RedeliveryPolicy
) -> Redeliver | Escalate | None:
    if d.receipt_due is None or d.receipt_at is not None or d.escalated_at is not None:
        return None
    if now - d.last_attempt < policy.interval:
        return None
    if d.attempts < policy.max_attempts:
        return Redeliver(d.key, d.attempts + 1)
    return Escalate(d.key, d.attempts, d.receipt_due) if now > d.receipt_due else None
