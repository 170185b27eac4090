"""Which stages of a delivery an applied batch answered for the first time, and how long the
recipient took. Pure: two snapshots of the delivery in, facts out.

The auditor compares each delivery it changed with the delivery as it stood before the batch, so a
stage counts once, when it is first answered: a second receipt, a second reply, or a refused reply
answers nothing, and a reply without an earlier receipt answers both stages at once (the reply
implies the receipt, `hub.deliveries.state.reply_arrived`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from hub.deliveries.state import Stage, due_time

if TYPE_CHECKING:
    from datetime import datetime

    from hub.deliveries.state import Delivery, DeliveryKey

_NOTHING = timedelta(0)


@dataclass(frozen=True, slots=True)
class Answered:
    """One stage of one delivery, answered for the first time."""

    delivery: DeliveryKey
    event_type: str
    """The type of the event answered."""
    stage: Stage
    routed_at: datetime
    answered_at: datetime
    """When the router routed the answer (the hub's clock, as `routed_at` is)."""
    due: datetime | None
    """The stage's due time when it was answered; None when nothing was owed (a receipt of an
    event whose receipt had no deadline)."""

    @property
    def recipient(self) -> str:
        """The unit that received the event and answered it."""
        return self.delivery.recipient

    @property
    def waited(self) -> timedelta:
        """From routing the event to routing its answer; never negative."""
        return max(self.answered_at - self.routed_at, _NOTHING)

    @property
    def late_by(self) -> timedelta:
        """How far past its due time the stage was answered; zero when in time."""
        if self.due is None:
            return _NOTHING
        return max(self.answered_at - self.due, _NOTHING)


def newly_answered(before: Delivery, after: Delivery) -> list[Answered]:
    """The stages `after` has answered that `before` had not, receipt first."""
    found: list[Answered] = []
    pairs = (
        (Stage.RECEIPT, before.receipt_at, after.receipt_at),
        (Stage.REPLY, before.replied_at, after.replied_at),
    )
    for stage, was, now in pairs:
        if was is None and now is not None:
            found.append(
                Answered(
                    delivery=after.key,
                    event_type=after.event_type,
                    stage=stage,
                    routed_at=after.routed_at,
                    answered_at=now,
                    due=due_time(after, stage),
                )
            )
    return found
