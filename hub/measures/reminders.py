"""Which measures in force the court is to be reminded of before they lapse. Pure.

A seal or freeze lapses at the end of its term (民诉法解释 art. 485) unless the court continues
it before. The reminder day is `lead` working days before the end (the end itself not counted);
from that day until the end the measure is due its reminder, once per end: a continuation moves
the end, and the new end is reminded again when its day comes. A released measure, or one past
its end, is never reminded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from hub.measures.book import MeasureState

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

    from hub.calendar import WorkingCalendar
    from hub.measures.book import Measure

_REMINDER_IDS: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:fyhub:enforcement.control.expiring.v1")


@dataclass(frozen=True, slots=True)
class Reminder:
    measure: Measure
    end: date
    days_left: int
    """Calendar days from today to the end (0: it lapses at the end of today)."""

    @property
    def key(self) -> tuple[str, date]:
        return (self.measure.event_id, self.end)

    @property
    def notice_id(self) -> str:
        """The same reminder always gets the same event id, so a resent one is a duplicate."""
        name = f"{self.measure.event_source}\n{self.measure.event_id}\n{self.end.isoformat()}"
        return str(uuid.uuid5(_REMINDER_IDS, name))


def reminder_day(end: date, lead: int, calendar: WorkingCalendar) -> date:
    """The `lead`-th working day before `end`; `end` itself when `lead` is 0."""
    day, remaining = end, lead
    while remaining > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def reminders_due(
    measures: Iterable[Measure],
    today: date,
    lead_working_days: int,
    calendar: WorkingCalendar,
    *,
    pending: Container[tuple[str, date]] = (),
) -> list[Reminder]:
    """The measures in force whose reminder day has come, not past their end, and not yet
    reminded for their current end (`reminded_for_end`, or a reminder in `pending`: sent, not
    yet in the store)."""
    due = []
    for measure in measures:
        end = measure.end
        if measure.state is not MeasureState.IN_FORCE or not measure.imposes or end is None:
            continue
        if measure.reminded_for_end == end or (measure.event_id, end) in pending:
            continue
        if reminder_day(end, lead_working_days, calendar) <= today <= end:
            due.append(Reminder(measure, end, (end - today).days))
    return due
