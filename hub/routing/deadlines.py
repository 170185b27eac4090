"""When a receipt and a reply are due. Pure: dates and the routing rule in, due times out.

Working days come from the `hub.calendar.WorkingCalendar` the caller passes (the State Council's
arrangements as files, the pinned package, or the statute for a year neither covers). Each result
says which: `official`, or `provisional` when any day counted from routing to a due date fell in a
provisional year; None when no deadline came from the calendar (none owed, given in the payload,
or overridden in seconds).

Periods in calendar days or months follow 民法典 arts 201–203: the day the period starts is not
counted, a month period ends on the corresponding day (or the month's last day), and a period that
ends on a rest day or holiday ends on the next working day instead. A period ends at 23:59:59
China Standard Time on its last day.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Hashable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

if TYPE_CHECKING:
    from hub.calendar import CalendarLabel, WorkingCalendar
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
    calendar: CalendarLabel | None = None
    """Which calendar the deadlines were counted on; None when none was counted on one."""


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day when it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def due_times(
    route: TypeRoute,
    routed_at: datetime,
    payload: Mapping[str, Any],
    recipient_dept: str,
    *,
    calendar: WorkingCalendar,
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
    counted: list[date] = []
    receipt_by = None
    if route.receipt_days is not None:
        receipt_day = calendar.add_working_days(start, route.receipt_days)
        receipt_by = end_of_day(receipt_day)
        if policy.receipt_override_s is None:
            counted.append(receipt_day)
    reply_by = None
    if route.reply is not None and route.owes_reply(recipient_dept, named=named):
        reply_by, reply_day = _reply_due(route.reply.deadline, start, payload, calendar)
        if reply_day is not None and policy.reply_override_s is None:
            counted.append(reply_day)
    return DueTimes(
        receipt_by=_shortened(routed_at, receipt_by, policy.scale, policy.receipt_override_s),
        reply_by=_shortened(routed_at, reply_by, policy.scale, policy.reply_override_s),
        calendar=calendar.label_for(start, max(counted)) if counted else None,
    )


def due_times_inputs(
    route: TypeRoute,
    routed_at: datetime,
    payload: Mapping[str, Any],
    recipient_dept: str,
    *,
    named: bool = False,
    policy: DeadlinePolicy | None = None,
) -> Hashable | None:
    """What `due_times` reads of its arguments, besides the route and the calendar: equal inputs
    give equal due times. None when a payload value it reads is not hashable (a list, an object).

    The date in China at `routed_at` (a period starts on that day and ends at the end of one),
    whether the recipient owes a reply (the only thing the dept and `named` decide), the payload's
    due date when the reply rule takes it from there, and the instant of routing itself only when
    `policy` shortens deadlines or overrides them (they then run from that instant).
    """
    if routed_at.tzinfo is None:
        raise ValueError("routed_at must carry its UTC offset")
    policy = policy or DeadlinePolicy()
    owes = route.reply is not None and route.owes_reply(recipient_dept, named=named)
    given = None
    if owes and route.reply is not None and route.reply.deadline.payload_field is not None:
        given = _lookup(payload, route.reply.deadline.payload_field)
        if not isinstance(given, str | int | float | bool | date | None):
            return None
    as_counted = (
        policy.scale == 1.0
        and policy.receipt_override_s is None
        and policy.reply_override_s is None
    )
    instant = None if as_counted else routed_at
    return (routed_at.astimezone(CHINA_TZ).date(), owes, given, instant)


def _reply_due(
    deadline: Deadline, start: date, payload: Mapping[str, Any], calendar: WorkingCalendar
) -> tuple[datetime | None, date | None]:
    """The reply's due time, and its last day when it was counted on the calendar."""
    if deadline.payload_field is not None:
        given = _as_due_time(_lookup(payload, deadline.payload_field))
        if given is not None:
            return given, None
    last: date | None = None
    if deadline.working_days is not None:
        last = calendar.add_working_days(start, deadline.working_days)
    elif deadline.calendar_days is not None:
        # 民法典 arts 201–203: calendar days, the period moved to the next working day when it
        # ends on a rest day or holiday.
        last = calendar.next_working_day_from(add_calendar_days(start, deadline.calendar_days))
    elif deadline.months is not None:
        last = calendar.next_working_day_from(add_months(start, deadline.months))
    return (None, None) if last is None else (end_of_day(last), last)


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
