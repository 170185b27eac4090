"""The statutory holidays of a year no arrangement covers yet. Pure.

《全国年节及纪念日放假办法》 as amended in 2024 (in force 2025-01-01), art 2: 13 days for every
citizen: 元旦 (1 January), 春节 4 days (农历除夕 and 正月初一 to 初三), 清明节 (the day of the
清明 solar term), 劳动节 (1–2 May), 端午节 (农历五月初五), 中秋节 (农历八月十五), 国庆节 (1–3
October). Art 6: such a holiday falling on a Saturday or Sunday is made up on a working day (补假);
here, the first weekday after it that is not a holiday already.

This is what the State Council's notice for the year will give at the least. The notice usually
adds 调休 (weekend days worked, days off joined into longer holidays), which no rule foretells:
deadlines counted on this are marked provisional until the year's file is added.
Lunar dates and the solar term come from `borax`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from borax.calendars.lunardate import LunarDate, TermUtils

STATUTE: Final = "《全国年节及纪念日放假办法》(2024年修订)"
MAKE_UP: Final = "（补假）"


def statutory_holidays(year: int) -> dict[date, str]:
    """The 13 statutory holidays of `year` (fewer dates when two fall on one day), by name."""
    eve = LunarDate(year, 1, 1).before(1).to_solar_date()
    named: list[tuple[date, str]] = [
        (date(year, 1, 1), "元旦"),
        *((eve + timedelta(days=n), "春节") for n in range(4)),
        (TermUtils.nth_term_day(year, term_name="清明"), "清明节"),
        (date(year, 5, 1), "劳动节"),
        (date(year, 5, 2), "劳动节"),
        (LunarDate(year, 5, 5).to_solar_date(), "端午节"),
        (LunarDate(year, 8, 15).to_solar_date(), "中秋节"),
        *((date(year, 10, n), "国庆节") for n in (1, 2, 3)),
    ]
    days: dict[date, str] = {}
    for day, name in named:
        # 中秋 can fall within 国庆 (2020-10-01): one day off, both names.
        days[day] = f"{days[day]}、{name}" if day in days and name not in days[day] else name
    return days


def with_make_up_days(holidays: dict[date, str]) -> dict[date, str]:
    """`holidays` and, for each that falls on a weekend, its 补假 (art 6)."""
    days = dict(holidays)
    for day in sorted(holidays):
        if day.weekday() < 5:
            continue
        make_up = day + timedelta(days=1)
        while make_up.weekday() >= 5 or make_up in days:
            make_up += timedelta(days=1)
        days[make_up] = holidays[day] + MAKE_UP
    return days


def provisional_holidays(year: int) -> dict[date, str]:
    """Every day off beyond the weekends that the statute alone gives `year`."""
    return with_make_up_days(statutory_holidays(year))
