"""The working-day calendar: the State Council's arrangements as files, the pinned package, and
the statute for the years neither covers (provisional). See `hub.calendar.working`."""

from hub.calendar.arrangement import Arrangement, HolidayPeriod, Notice
from hub.calendar.files import CalendarFileError, load_arrangement, load_arrangements
from hub.calendar.library import LibraryCalendar
from hub.calendar.working import (
    ArrangementFile,
    CalendarLabel,
    Day,
    DayKind,
    SourceKind,
    WorkingCalendar,
    YearSource,
)

__all__ = [
    "Arrangement",
    "ArrangementFile",
    "CalendarFileError",
    "CalendarLabel",
    "Day",
    "DayKind",
    "HolidayPeriod",
    "LibraryCalendar",
    "Notice",
    "SourceKind",
    "WorkingCalendar",
    "YearSource",
    "load_arrangement",
    "load_arrangements",
]
