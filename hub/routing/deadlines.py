"""When a receipt and a reply are due. Pure: dates and the routing rule in, due times out.

Working days follow the official PRC holiday calendar (国务院办公厅 notices, including the adjusted
working weekends, 调休) as shipped in the pinned `chinese-calendar` package. That package knows a
fixed range of years (2004–2026 for 1.11.0) and raises NotImplementedError outside it. For a day
it does not know, this module counts Monday–Friday as working days (`calendar_covers` says when
that happened, so callers can flag the deadline); upgrading the pinned package extends the range.

Periods in calendar days or months follow 民法典 arts 201–203: the day the period starts is not
counted, a month period ends on the corresponding day (or the month's last day), and a period that
ends on a rest day or holiday ends on the next working day instead. A period ends at 23:59:59
China Standard Time on its last day.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

if TYPE_CHECKING:
    from hub.routing.table import Deadline, TypeRoute

CHINA_TZ = timezone(timedelta(hours=8), "CST")
END_OF_DAY = time(23, 59, 59)


class DeadlinePolicy(BaseModel):
    """Settings that shorten every deadline, for tests and demos; production keeps the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: PositiveFloat = Field(default=1.0, le=1.0)
    """Each interval routed → due is multiplied by this (0.001 turns 1 working day into minutes)."""
    receipt_override_s: PositiveFloat | None = None
    """When set, every receipt is due this many seconds after routing."""
    reply_override_s: PositiveFloat | None = None
    """When set, every reply is due this many seconds after routing."""


class DueTimes(NamedTuple):
    receipt_by: datetime | None
    reply_by: datetime | None


def calendar_covers(day: date) -> bool:
    """Whether the holiday calendar knows `day`'s year (otherwise only weekends are rest days)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    # Cached: the package checks each date against its whole holiday table, and the router asks
    # about the same few weeks for every copy it routes.
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day when it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_working_day_from(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def due_times(
    route: TypeRoute,
    routed_at: datetime,
    payload: Mapping[str, Any],
    recipient_dept: str,
    *,
    named: bool = False,
    policy: DeadlinePolicy | None = None,
) -> DueTimes:
    """When a recipient must acknowledge an event routed at `routed_at`, and answer it.

    `named` says the envelope's `to` names the recipient (see `TypeRoute.owes_reply`).
    """
    if routed_at.tzinfo is None:
        raise ValueError("routed_at must carry its UTC offset")
    policy = policy or DeadlinePolicy()
    start = routed_at.astimezone(CHINA_TZ).date()
    receipt_by = (
        end_of_day(add_working_days(start, route.receipt_days))
        if route.receipt_days is not None
        else None
    )
    reply_by = (
        reply_due(route.reply.deadline, start, payload)
        if route.reply is not None and route.owes_reply(recipient_dept, named=named)
        else None
    )
    return DueTimes(
        receipt_by=_shortened(routed_at, receipt_by, policy.scale, policy.receipt_override_s),
        reply_by=_shortened(routed_at, reply_by, policy.scale, policy.reply_override_s),
    )


def reply_due(deadline: Deadline, start: date, payload: Mapping[str, Any]) -> datetime | None:
    """The payload's own deadline when it gives one, else the default counted from `start`."""
    if deadline.payload_field is not None:
        given = _as_due_time(_lookup(payload, deadline.payload_field))
        if given is not None:
            return given
    if deadline.working_days is not None:
        return end_of_day(add_working_days(start, deadline.working_days))
    if deadline.calendar_days is not None:
        last = add_calendar_days(start, deadline.calendar_days)
        return end_of_day(next_working_day_from(last))
    if deadline.months is not None:
        return end_of_day(next_working_day_from(add_months(start, deadline.months)))
    return None


def _lookup(payload: Mapping[str, Any], path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _as_due_time(value: Any) -> datetime | None:
    """A date means the end of that day; a date-time is the instant itself (naive = China time)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TZ)
    if isinstance(value, date):
        return end_of_day(value)
    return None


def _shortened(
    routed_at: datetime, due: datetime | None, scale: float, override_s: float | None
) -> datetime | None:
    if due is None:
        return None
    if override_s is not None:
        return routed_at + timedelta(seconds=override_s)
    if scale == 1.0:
        return due
    return routed_at + (due - routed_at) * scale
