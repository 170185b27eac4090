"""The working-day calendar the hub counts deadlines on. Pure: arrangements in, days out.

For each year, the first source that covers it:

1. the State Council's arrangement kept as a file, `deploy/calendar/<year>.yaml`;
2. the pinned `chinese-calendar` package;
3. otherwise the statute alone (`hub.calendar.statutory`): the 13 statutory holidays with their
   补假, and the weekends. Such a year is *provisional*: its notice will add 调休 that no rule
   foretells, so deadlines counted over it are marked and recomputed once its file is added.

Every day is a working day, a rest day (a weekend), a holiday, or an adjusted working day
(调休上班, a weekend day worked), with its holiday's name and the source that said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from hub.calendar.statutory import STATUTE, provisional_holidays

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from hub.calendar.arrangement import Arrangement
    from hub.calendar.library import LibraryCalendar

CalendarLabel = Literal["official", "provisional"]
"""What a delivery records about the calendar its deadlines were counted on."""


class DayKind(StrEnum):
    WORKING = "working"
    REST = "rest"
    HOLIDAY = "holiday"
    ADJUSTED_WORKING = "adjusted_working"
    """调休上班: a Saturday or Sunday worked."""


class SourceKind(StrEnum):
    FILE = "file"
    LIBRARY = "library"
    PROVISIONAL = "provisional"


@dataclass(frozen=True, slots=True)
class YearSource:
    kind: SourceKind
    description: str
    """The file and its notice, the package and its version, or the statute."""

    @property
    def provisional(self) -> bool:
        return self.kind is SourceKind.PROVISIONAL


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    kind: DayKind
    name: str | None
    """The holiday's name, for holidays and adjusted working days."""
    source: YearSource

    @property
    def working(self) -> bool:
        return self.kind in {DayKind.WORKING, DayKind.ADJUSTED_WORKING}


@dataclass(frozen=True, slots=True)
class ArrangementFile:
    """An arrangement and the file it was read from."""

    path: Path
    arrangement: Arrangement

    def describe(self) -> str:
        notice = self.arrangement.notice
        known = ", ".join(str(part) for part in (notice.number, notice.published) if part)
        return f"{self.path} ({notice.title}{', ' + known if known else ''})"


@dataclass(frozen=True, slots=True)
class _Year:
    holidays: Mapping[date, str]
    working: Mapping[date, str]
    source: YearSource


class WorkingCalendar:
    """Working days by year from the files, the package, or the statute (see the module).

    Lookups are cached on the instance: the router asks about the same few weeks for every copy
    it routes, and a file or the package is searched once per year.
    """

    def __init__(
        self, files: Mapping[int, ArrangementFile], library: LibraryCalendar | None
    ) -> None:
        self._files = dict(files)
        self._library = library
        self._years: dict[int, _Year] = {}
        self._days: dict[date, Day] = {}
        self._working: dict[date, bool] = {}
        self._added: dict[tuple[date, int], date] = {}

    # --- years ------------------------------------------------------------------------------

    def source_of(self, year: int) -> YearSource:
        return self._year(year).source

    def is_provisional(self, year: int) -> bool:
        return self._year(year).source.provisional

    def covered_years(self) -> range:
        """From the first year a file or the package covers to the last."""
        years = set(self._files)
        if self._library is not None:
            years |= {self._library.years.start, self._library.years.stop - 1}
        if not years:
            return range(0)
        return range(min(years), max(years) + 1)

    def label_for(self, first: date, last: date) -> CalendarLabel:
        """`provisional` when any day from `first` to `last` is in a provisional year."""
        low, high = sorted((first.year, last.year))
        years = range(low, high + 1)
        return "provisional" if any(self.is_provisional(y) for y in years) else "official"

    # --- days -------------------------------------------------------------------------------

    def day(self, day: date) -> Day:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._classify(day)
        return found

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.day(day).working
        return working

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (`start` itself is not counted)."""
        key = (start, days)
        found = self._added.get(key)
        if found is not None:
            return found
        day, remaining = start, days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        self._added[key] = day
        return day

    def next_working_day_from(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def month(self, year: int, month: int) -> list[Day]:
        first = date(year, month, 1)
        days = []
        day = first
        while day.month == month:
            days.append(self.day(day))
            day += timedelta(days=1)
        return days

    # --- sources ----------------------------------------------------------------------------

    def _classify(self, day: date) -> Day:
        year = self._year(day.year)
        if day in year.working:
            return Day(day, DayKind.ADJUSTED_WORKING, year.working[day], year.source)
        if day in year.holidays:
            return Day(day, DayKind.HOLIDAY, year.holidays[day], year.source)
        kind = DayKind.REST if day.weekday() >= 5 else DayKind.WORKING
        return Day(day, kind, None, year.source)

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._load_year(year)
        return found

    def _load_year(self, year: int) -> _Year:
        file = self._files.get(year)
        if file is not None:
            source = YearSource(SourceKind.FILE, file.describe())
            arrangement = file.arrangement
            return _Year(arrangement.holiday_days(), arrangement.adjusted_working_days(), source)
        library = self._library
        if library is not None and library.covers(year):
            source = YearSource(SourceKind.LIBRARY, library.name)
            return _Year(library.holiday_days(year), library.adjusted_working_days(year), source)
        source = YearSource(
            SourceKind.PROVISIONAL,
            f"provisional: the statutory holidays of {STATUTE}, no 调休 until the notice is added",
        )
        return _Year(provisional_holidays(year), {}, source)
