"""Calendar months and years as the joint-meeting office counts them: in China Standard Time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from hub.routing.deadlines import CHINA_TZ

if TYPE_CHECKING:
    from datetime import tzinfo

_MONTH_RE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no month {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2024-03` → Month(2024, 3); raises ValueError naming the expected form."""
        found = _MONTH_RE.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2024-03")
        return cls(int(found["year"]), int(found["month"]))

    @classmethod
    def of(cls, at: datetime, tz: tzinfo = CHINA_TZ) -> Month:
        """The month `at` falls in, on the office's calendar."""
        local = at.astimezone(tz)
        return cls(local.year, local.month)

    @property
    def start(self) -> datetime:
        """Midnight of the 1st, China Standard Time."""
        return datetime(self.year, self.month, 1, tzinfo=CHINA_TZ)

    @property
    def end(self) -> datetime:
        """Midnight of the 1st of the next month: the month is [start, end)."""
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年{self.month}月"


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of `year`."""
    return date(year, 1, 1), date(year, 12, 31)
