"""The time limits of non-litigation enforcement (行政非诉执行), each with its rule. Pure: dates and
a working-day calendar in, due dates out.

行政强制法 art. 69: periods of ten days or less count working days (statutory holidays excluded);
longer periods (15 days, 30 days, 3 months) count calendar days, the day the period starts not
counted, and a period that ends on a rest day or holiday ends on the next working day
(民法典 arts 201–203). Each due date is the last day on which the act is on time.

The calendar is any object with `add_working_days` and `next_working_day_from`
(`hub.calendar.WorkingCalendar` is one); `weekend_calendar` knows weekends only, for a payload
check that has no holiday arrangement at hand.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from enum import StrEnum
from typing import Final, Protocol

_SATURDAY: Final = 5


class WorkingDays(Protocol):
    def add_working_days(self, start: dt.date, days: int) -> dt.date: ...

    def next_working_day_from(self, day: dt.date) -> dt.date: ...


class Limit(StrEnum):
    """One limit of the procedure; the value names it in counts and reports."""

    APPLICATION = "application"
    """The agency applies within 3 months after the party's period to sue expired."""
    ACCEPTANCE = "acceptance"
    """The court decides on acceptance within 5 working days of receiving the application."""
    RULING = "ruling"
    """The court rules within 7 working days of acceptance (30 days when the parties are heard)."""
    SERVICE = "service"
    """A refusal is served on the agency within 5 working days of the ruling."""
    RECONSIDERATION_APPLICATION = "reconsideration_application"
    """The agency asks the higher court to reconsider within 15 days of receiving the decision."""
    RECONSIDERATION_DECISION = "reconsideration_decision"
    """The higher court decides within 15 days (a non-acceptance) or 30 days (a refusal)."""


RULES: Final[dict[Limit, str]] = {
    Limit.APPLICATION: "行诉解释 art. 156: apply within 3 months after the period to sue expired",
    Limit.ACCEPTANCE: "行政强制法 art. 56: decide on acceptance within 5 days (working days, "
    "art. 69)",
    Limit.RULING: "行政强制法 arts 57–58: rule within 7 days of acceptance (working days, "
    "art. 69), 30 days when the parties are heard",
    Limit.SERVICE: "行政强制法 art. 58: serve a refusal within 5 days (working days, art. 69)",
    Limit.RECONSIDERATION_APPLICATION: "行政强制法 arts 56, 58: ask the higher court to reconsider "
    "within 15 days of receipt",
    Limit.RECONSIDERATION_DECISION: "行政强制法 art. 56: the higher court decides within 15 days "
    "(non-acceptance); art. 58: rules within 30 days (refusal)",
}

ACCEPTANCE_WORKING_DAYS: Final = 5
RULING_WORKING_DAYS: Final = 7
HEARING_DAYS: Final = 30
SERVICE_WORKING_DAYS: Final = 5
RECONSIDERATION_APPLICATION_DAYS: Final = 15
NON_ACCEPTANCE_DECISION_DAYS: Final = 15
REFUSAL_DECISION_DAYS: Final = 30
APPLICATION_MONTHS: Final = 3


class Reconsidered(StrEnum):
    """What the higher court is asked to reconsider."""

    NON_ACCEPTANCE = "non_acceptance"
    """不予受理 (行政强制法 art. 56)."""
    REFUSAL = "refusal"
    """不予执行 (行政强制法 art. 58)."""


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later, or that month's last day when it has none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, monthrange(year, month)[1]))


def _calendar_days(start: dt.date, days: int, calendar: WorkingDays) -> dt.date:
    return calendar.next_working_day_from(start + dt.timedelta(days=days))


def application_due(suit_period_ended_on: dt.date, calendar: WorkingDays) -> dt.date:
    return calendar.next_working_day_from(add_months(suit_period_ended_on, APPLICATION_MONTHS))


def acceptance_due(received_on: dt.date, calendar: WorkingDays) -> dt.date:
    return calendar.add_working_days(received_on, ACCEPTANCE_WORKING_DAYS)


def ruling_due(accepted_on: dt.date, calendar: WorkingDays, *, hearing: bool) -> dt.date:
    if hearing:
        return _calendar_days(accepted_on, HEARING_DAYS, calendar)
    return calendar.add_working_days(accepted_on, RULING_WORKING_DAYS)


def service_due(ruled_on: dt.date, calendar: WorkingDays) -> dt.date:
    return calendar.add_working_days(ruled_on, SERVICE_WORKING_DAYS)


def reconsideration_application_due(received_on: dt.date, calendar: WorkingDays) -> dt.date:
    return _calendar_days(received_on, RECONSIDERATION_APPLICATION_DAYS, calendar)


def reconsideration_decision_due(
    received_on: dt.date, calendar: WorkingDays, *, against: Reconsidered
) -> dt.date:
    days = (
        NON_ACCEPTANCE_DECISION_DAYS
        if against is Reconsidered.NON_ACCEPTANCE
        else REFUSAL_DECISION_DAYS
    )
    return _calendar_days(received_on, days, calendar)


class _Weekends:
    """Saturdays and Sundays are rest days; no holidays, no make-up working days."""

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        day, remaining = start, days
        while remaining > 0:
            day += dt.timedelta(days=1)
            remaining -= day.weekday() < _SATURDAY
        return day

    def next_working_day_from(self, day: dt.date) -> dt.date:
        while day.weekday() >= _SATURDAY:
            day += dt.timedelta(days=1)
        return day


weekend_calendar: Final[WorkingDays] = _Weekends()


def application_window_problem(suit_period_ended_on: dt.date, applied_on: dt.date) -> str | None:
    """Why an application on `applied_on` is outside 行诉解释 art. 156's window, or None.

    Counted on weekends alone (a payload carries no holiday arrangement): the court's own count,
    with holidays, is `application_due`.
    """
    if applied_on <= suit_period_ended_on:
        return (
            f"{RULES[Limit.APPLICATION]}: the party may still sue until {suit_period_ended_on}; "
            "apply after that"
        )
    due = application_due(suit_period_ended_on, weekend_calendar)
    if applied_on > due:
        return f"{RULES[Limit.APPLICATION]} (by {due})"
    return None


def on_time(done_on: dt.date, due: dt.date) -> bool:
    return done_on <= due
