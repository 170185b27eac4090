"""The monthly scorecard (督导考核): how each unit answered what the hub delivered to it. Pure.

A unit's month is the copies routed to it in that month (China Standard Time), judged as of a
moment `as_of` (normally now): facts recorded after `as_of` are ignored, so a scorecard of a past
month can be reproduced. Each stage a copy owes (签收 receipt, 答复 reply) ends up as one of

    on_time   answered at or before its due time
    late      answered after its due time
    missing   not answered, and past due at `as_of`
    pending   not answered, not yet due: left out of the rates until it is decided

An on-time rate is on_time / (on_time + late + missing); None when nothing was decided. Reply
time runs from routing to the reply; its median is the middle value (the mean of the two middle
ones for an even count) and its p90 the nearest-rank 90th percentile (the ⌈0.9·n⌉-th smallest).
A copy is `overdue` when any of its stages is late or missing, `still_overdue` when one is
missing, `escalated` when the tracker escalated it to the office by `as_of`.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from hub.deliveries.state import Stage, due_time

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from hub.deliveries.state import Delivery
    from hub.supervision.scorecard.month import Month

TOTAL = "*"
"""The unit code of the scorecard's total row."""


class StageResult(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    """Not answered, past due: still overdue."""
    PENDING = "pending"
    """Not answered, not yet due."""


@dataclass(frozen=True, slots=True)
class StageTally:
    """How one stage (receipt or reply) went over a set of copies."""

    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    @property
    def decided(self) -> int:
        """Copies whose stage is answered or past due: the rate's denominator."""
        return self.on_time + self.late + self.missing

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One row of the scorecard: one unit, or the total (`unit == TOTAL`)."""

    unit: str
    deliveries: int
    receipts: StageTally
    replies: StageTally
    median_reply: timedelta | None
    p90_reply: timedelta | None
    overdue: int
    still_overdue: int
    escalated: int

    @property
    def is_total(self) -> bool:
        return self.unit == TOTAL


@dataclass(frozen=True, slots=True)
class Scorecard:
    month: Month
    as_of: datetime
    units: tuple[UnitScore, ...]
    """One row per unit, by unit code."""
    total: UnitScore


def stage_result(d: Delivery, stage: Stage, as_of: datetime) -> StageResult | None:
    """How the stage went by `as_of`; None when the copy does not owe it."""
    due = due_time(d, stage)
    if due is None:
        return None
    answered = _answered_at(d, stage, as_of)
    if answered is not None:
        return StageResult.ON_TIME if answered <= due else StageResult.LATE
    return StageResult.MISSING if as_of > due else StageResult.PENDING


def reply_time(d: Delivery, as_of: datetime) -> timedelta | None:
    """Routing to reply, for a copy replied to by `as_of`."""
    replied = _answered_at(d, Stage.REPLY, as_of)
    return None if replied is None else replied - d.routed_at


def score_unit(unit: str, deliveries: Sequence[Delivery], as_of: datetime) -> UnitScore:
    """The row of one unit (or of the total) over the copies given."""
    results = [
        {stage: stage_result(d, stage, as_of) for stage in Stage}
        for d in deliveries
        if d.routed_at <= as_of
    ]
    times = sorted(
        t for d in deliveries if d.routed_at <= as_of and (t := reply_time(d, as_of)) is not None
    )
    late = (StageResult.LATE, StageResult.MISSING)
    return UnitScore(
        unit=unit,
        deliveries=len(results),
        receipts=_tally(r[Stage.RECEIPT] for r in results),
        replies=_tally(r[Stage.REPLY] for r in results),
        median_reply=median(times),
        p90_reply=nearest_rank(times, 0.9),
        overdue=sum(1 for r in results if any(v in late for v in r.values())),
        still_overdue=sum(1 for r in results if StageResult.MISSING in r.values()),
        escalated=sum(
            1
            for d in deliveries
            if d.routed_at <= as_of and d.escalated_at is not None and d.escalated_at <= as_of
        ),
    )


def scorecard(
    month: Month, deliveries: Iterable[Delivery], *, as_of: datetime, units: Iterable[str] = ()
) -> Scorecard:
    """The month's scorecard from its copies (routed in `month`; others are ignored). `units`
    get a row even when nothing was delivered to them."""
    in_month = [d for d in deliveries if month.start <= d.routed_at < month.end]
    by_unit: dict[str, list[Delivery]] = {unit: [] for unit in units}
    for d in in_month:
        by_unit.setdefault(d.recipient, []).append(d)
    return Scorecard(
        month=month,
        as_of=as_of,
        units=tuple(score_unit(unit, by_unit[unit], as_of) for unit in sorted(by_unit)),
        total=score_unit(TOTAL, in_month, as_of),
    )


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The median of sorted or unsorted values; None for none."""
    if not values:
        return None
    return timedelta(seconds=statistics.median([v.total_seconds() for v in values]))


def nearest_rank(values: Sequence[timedelta], fraction: float) -> timedelta | None:
    """The nearest-rank percentile: the ⌈fraction·n⌉-th smallest value; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def _tally(results: Iterable[StageResult | None]) -> StageTally:
    counts = dict.fromkeys(StageResult, 0)
    for result in results:
        if result is not None:
            counts[result] += 1
    return StageTally(
        on_time=counts[StageResult.ON_TIME],
        late=counts[StageResult.LATE],
        missing=counts[StageResult.MISSING],
        pending=counts[StageResult.PENDING],
    )


def _answered_at(d: Delivery, stage: Stage, as_of: datetime) -> datetime | None:
    at = d.receipt_at if stage is Stage.RECEIPT else d.replied_at
    return at if at is not None and at <= as_of else None
