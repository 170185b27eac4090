"""One year's holiday arrangement by the State Council (部分节假日安排的通知), as data.

One `deploy/calendar/<year>.yaml` holds one notice: each holiday period (放假调休) with its name and
its first and last day off, and the weekend days worked instead (调休上班). Pure: the models check a
file's content; `hub.calendar.files` reads the files.

Every day of a file is in its own year. The notices sometimes move a working day into the year
before (2012's 元旦 had 2011-12-31 worked); such a day goes into that year's file.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Notice(_Strict):
    """The notice an arrangement comes from; number and date only where they are known for sure."""

    title: str = Field(min_length=1)
    number: str | None = Field(default=None, min_length=1)
    """Its document number (文号), e.g. 国办发明电〔2023〕7号."""
    published: date | None = None


class HolidayPeriod(_Strict):
    """One holiday of the notice: days off from `start` to `end`, and the days worked instead."""

    name: str = Field(min_length=1)
    start: date
    end: date
    working_days: tuple[date, ...] = ()
    """调休上班: weekend days worked to make the period longer."""

    @model_validator(mode="after")
    def _ordered(self) -> HolidayPeriod:
        if self.end < self.start:
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")
        for day in self.working_days:
            if day.weekday() < 5:
                raise ValueError(
                    f"{self.name}: working day {day} is a weekday; 调休 moves weekend days only"
                )
            if self.start <= day <= self.end:
                raise ValueError(f"{self.name}: working day {day} is inside the holiday itself")
        return self

    def days_off(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


class Arrangement(_Strict):
    """One year's holidays and adjusted working days, and the notice that set them."""

    year: int = Field(ge=1949, le=2999)
    notice: Notice
    holidays: tuple[HolidayPeriod, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Arrangement:
        seen: dict[date, str] = {}
        for period in self.holidays:
            for day in (*period.days_off(), *period.working_days):
                if day.year != self.year:
                    raise ValueError(f"{period.name}: {day} is not in {self.year}")
                if day in seen:
                    raise ValueError(f"{day} is given twice ({seen[day]} and {period.name})")
                seen[day] = period.name
        return self

    def holiday_days(self) -> dict[date, str]:
        """Each day off, with its holiday's name."""
        return {day: p.name for p in self.holidays for day in p.days_off()}

    def adjusted_working_days(self) -> dict[date, str]:
        """Each weekend day worked (调休上班), with the holiday it makes room for."""
        return {day: p.name for p in self.holidays for day in p.working_days}
