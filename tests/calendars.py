"""The calendars tests count deadlines on: the shipped files over the pinned package, or the
package alone, or files of a test's own. Built once per process (they are read-only)."""

from __future__ import annotations

import functools
from pathlib import Path

from hub.calendar import LibraryCalendar, WorkingCalendar, load_arrangements

SHIPPED_CALENDAR = Path(__file__).resolve().parents[1] / "deploy" / "calendar"


@functools.cache
def shipped_calendar() -> WorkingCalendar:
    """What production counts on: `deploy/calendar/`, then chinese-calendar, then the statute."""
    return WorkingCalendar(load_arrangements(SHIPPED_CALENDAR), LibraryCalendar())


@functools.cache
def library_calendar() -> WorkingCalendar:
    """chinese-calendar alone, then the statute."""
    return WorkingCalendar({}, LibraryCalendar())


def calendar_from(directory: Path) -> WorkingCalendar:
    """The files in `directory`, then chinese-calendar, then the statute."""
    return WorkingCalendar(load_arrangements(directory), LibraryCalendar())
