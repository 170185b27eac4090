"""The holiday tables of the pinned `chinese-calendar` package, by year. Pure (data in code).

The package ships the State Council's arrangements for a fixed range of years (2004–2026 in
1.11.0); it names holidays in English and Chinese.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.metadata import version
from typing import TYPE_CHECKING

from chinese_calendar import constants

if TYPE_CHECKING:
    from datetime import date


class LibraryCalendar:
    """The package's holidays and adjusted working days, indexed by year once."""

    def __init__(self) -> None:
        self.name = f"chinese-calendar {version('chinese-calendar')}"
        self._holidays: dict[int, dict[date, str]] = defaultdict(dict)
        self._working: dict[int, dict[date, str]] = defaultdict(dict)
        for day, english in constants.holidays.items():
            self._holidays[day.year][day] = constants.Holiday(english).chinese
        for day, english in constants.workdays.items():
            self._working[day.year][day] = constants.Holiday(english).chinese
        self.years = range(min(self._holidays), max(self._holidays) + 1)

    def covers(self, year: int) -> bool:
        return year in self.years

    def holiday_days(self, year: int) -> dict[date, str]:
        return dict(self._holidays.get(year, {}))

    def adjusted_working_days(self, year: int) -> dict[date, str]:
        return dict(self._working.get(year, {}))
