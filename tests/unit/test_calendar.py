"""The working-day calendar: files over the package over the statute, and the statute's own
holidays for a year neither covers (《全国年节及纪念日放假办法》 as amended in 2024).

Expected 2027 dates counted by hand: 除夕 2027-02-05 (Fri), 正月初一–初三 02-06 (Sat) … 02-08
(Mon); the Saturday and Sunday are made up on Tue 02-09 and Wed 02-10 (art 6). 清明 2027-04-05
(Mon), 端午 06-09 (Wed), 中秋 09-15 (Wed), 国庆 10-01 (Fri) … 10-03 (Sun), made up Mon 10-04
and Tue 10-05.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hub.calendar import (
    Arrangement,
    CalendarFileError,
    DayKind,
    LibraryCalendar,
    SourceKind,
    WorkingCalendar,
    load_arrangements,
)
from hub.calendar.statutory import provisional_holidays, statutory_holidays
from tests.calendars import SHIPPED_CALENDAR, calendar_from, library_calendar, shipped_calendar

CAL = shipped_calendar()


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


# --- the shipped files and the package ----------------------------------------------------------


def test_the_shipped_files_agree_with_chinese_calendar_day_by_day() -> None:
    files = load_arrangements(SHIPPED_CALENDAR)
    library = LibraryCalendar()
    both = sorted(year for year in files if library.covers(year))
    assert both == [2025, 2026]
    from_files, from_library = WorkingCalendar(files, None), library_calendar()
    for year in both:
        for day in days_of(year):
            mine, theirs = from_files.day(day), from_library.day(day)
            assert mine.kind == theirs.kind, day
            if theirs.name is not None:
                # The notice names one period 国庆节、中秋节; the package names each day.
                assert mine.name is not None
                assert theirs.name in mine.name, day


def test_a_file_wins_over_the_package_for_its_year(tmp_path: Path) -> None:
    # A made-up correction: the file moves 2024-12-31 (Tuesday) to a holiday.
    (tmp_path / "2024.yaml").write_text(
        "year: 2024\nnotice: {title: 测试通知}\n"
        "holidays:\n  - {name: 测试假日, start: 2024-12-31, end: 2024-12-31}\n",
        encoding="utf-8",
    )
    calendar = calendar_from(tmp_path)
    assert calendar.day(date(2024, 12, 31)).kind is DayKind.HOLIDAY
    assert calendar.source_of(2024).kind is SourceKind.FILE
    assert "测试通知" in calendar.source_of(2024).description
    # The file holds the whole year: the package's 2024 holidays are not merged in.
    assert calendar.day(date(2024, 10, 1)).kind is DayKind.WORKING
    assert calendar.source_of(2023).kind is SourceKind.LIBRARY


def test_each_year_names_its_source() -> None:
    assert CAL.source_of(2004).kind is SourceKind.LIBRARY
    assert CAL.source_of(2024).kind is SourceKind.LIBRARY
    assert CAL.source_of(2025).kind is SourceKind.FILE
    assert CAL.source_of(2026).description.startswith(str(SHIPPED_CALENDAR / "2026.yaml"))
    assert CAL.source_of(2027).kind is SourceKind.PROVISIONAL
    assert CAL.source_of(2003).kind is SourceKind.PROVISIONAL
    assert CAL.covered_years() == range(2004, 2027)


def test_the_adjusted_working_sunday_of_2026_counts_and_is_named() -> None:
    day = CAL.day(date(2026, 1, 4))
    assert (day.kind, day.name, day.working) == (DayKind.ADJUSTED_WORKING, "元旦", True)
    assert CAL.day(date(2026, 1, 3)).kind is DayKind.HOLIDAY
    assert CAL.day(date(2026, 1, 10)).kind is DayKind.REST
    assert CAL.day(date(2026, 1, 5)).kind is DayKind.WORKING


# --- the statute, for a year nobody covers ------------------------------------------------------


def test_2027_new_years_day_is_a_provisional_holiday() -> None:
    day = CAL.day(date(2027, 1, 1))
    assert (day.kind, day.name, day.source.kind) == (DayKind.HOLIDAY, "元旦", "provisional")
    assert not day.working


def test_spring_festival_2027_with_its_make_up_days() -> None:
    month = {d.day: d for d in CAL.month(2027, 2)}
    off = [day for day, d in month.items() if d.kind is DayKind.HOLIDAY]
    assert off == [date(2027, 2, n) for n in range(5, 11)]
    assert month[date(2027, 2, 5)].name == "春节"  # 除夕
    assert month[date(2027, 2, 9)].name == "春节（补假）"
    assert month[date(2027, 2, 10)].name == "春节（补假）"
    assert month[date(2027, 2, 4)].kind is DayKind.WORKING
    assert month[date(2027, 2, 11)].kind is DayKind.WORKING
    assert month[date(2027, 2, 13)].kind is DayKind.REST


def test_the_statute_gives_thirteen_days_and_places_the_lunar_ones() -> None:
    days = statutory_holidays(2027)
    assert len(days) == 13
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert [d for d, name in days.items() if name == "国庆节"] == [
        date(2027, 10, n) for n in (1, 2, 3)
    ]


def test_a_holiday_on_a_weekend_is_made_up_on_the_next_free_weekday() -> None:
    # 国庆 2027: Sat 10-02 and Sun 10-03 are made up on Mon 10-04 and Tue 10-05.
    days = provisional_holidays(2027)
    assert days[date(2027, 10, 4)] == "国庆节（补假）"
    assert days[date(2027, 10, 5)] == "国庆节（补假）"
    assert date(2027, 10, 6) not in days
    # 元旦 2028 is a Saturday: made up on Monday 01-03.
    assert provisional_holidays(2028)[date(2028, 1, 3)] == "元旦（补假）"


def test_the_statute_matches_the_package_where_the_notice_made_no_adjustment() -> None:
    # 2025's notice kept every statutory day off; the statute alone must find them all.
    notice = LibraryCalendar().holiday_days(2025)
    assert set(statutory_holidays(2025)) <= set(notice)


def test_mid_autumn_on_national_day_is_one_day_with_both_names() -> None:
    # 2020: 中秋 fell on 10-01.
    days = statutory_holidays(2020)
    assert set(days[date(2020, 10, 1)].split("、")) == {"国庆节", "中秋节"}
    assert len(days) == 12


def test_provisional_is_never_monday_to_friday_alone() -> None:
    provisional = WorkingCalendar({}, None)
    for year in (2027, 2030, 2040):
        off_weekdays = [
            d for d in days_of(year) if d.weekday() < 5 and not provisional.is_working_day(d)
        ]
        assert len(off_weekdays) >= 13, year


def test_a_count_labels_its_calendar() -> None:
    assert CAL.label_for(date(2026, 12, 1), date(2026, 12, 31)) == "official"
    assert CAL.label_for(date(2026, 12, 28), date(2027, 1, 4)) == "provisional"


# --- files ----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
year: 2027
notice: {title: 国务院办公厅关于2027年部分节假日安排的通知}
holidays:
  - name: 元旦
    start: 2027-01-01
    end: 2027-01-03
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "2027.yaml", GOOD)
    [(year, loaded)] = load_arrangements(tmp_path).items()
    assert year == 2027
    assert loaded.arrangement.holiday_days()[date(2027, 1, 3)] == "元旦"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("2028.yaml", GOOD, "must be named 2027.yaml"),
        ("2027.yaml", GOOD.replace("end: 2027-01-03", "end: 2026-12-31"), "before start"),
        (
            "2027.yaml",
            GOOD.replace("2027-01-03", "2027-01-03\n    working_days: [2027-01-05]"),
            "is a weekday",
        ),
        (
            "2027.yaml",
            GOOD.replace("2027-01-03", "2027-01-03\n    working_days: [2027-01-02]"),
            "inside the holiday",
        ),
        ("2027.yaml", GOOD.replace("start: 2027-01-01", "start: 2026-12-31"), "not in 2027"),
        (
            "2027.yaml",
            GOOD + "  - {name: 又一个, start: 2027-01-03, end: 2027-01-04}\n",
            "given twice",
        ),
        (
            "2027.yaml",
            GOOD.replace("notice: {title: 国务院办公厅关于2027年部分节假日安排的通知}\n", ""),
            "notice",
        ),
        ("2027.yaml", GOOD + "extra: 1\n", "extra"),
        ("2027.yaml", GOOD.replace("2027-01-03", "2027-02-30"), "day is out of range"),
        ("2027.yaml", "year: [2027\n", "not valid YAML"),
    ],
)
def test_a_bad_file_fails_naming_the_file_and_the_problem(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(CalendarFileError) as raised:
        load_arrangements(tmp_path)
    message = str(raised.value)
    assert str(path) in message
    assert problem in message


def test_every_bad_file_is_named_at_once(tmp_path: Path) -> None:
    write(tmp_path, "2027.yaml", GOOD.replace("end: 2027-01-03", "end: 2026-12-31"))
    write(tmp_path, "2029.yaml", GOOD)
    with pytest.raises(CalendarFileError) as raised:
        load_arrangements(tmp_path)
    assert {p.file.name for p in raised.value.problems if p.file} == {"2027.yaml", "2029.yaml"}


def test_a_missing_directory_fails(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="no such calendar directory"):
        load_arrangements(tmp_path / "nowhere")


def test_a_notice_number_and_date_are_optional_but_not_blank() -> None:
    base = {
        "year": 2027,
        "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"}],
    }
    Arrangement.model_validate(base | {"notice": {"title": "通知"}})
    with pytest.raises(ValueError, match="at least 1 character"):
        Arrangement.model_validate(base | {"notice": {"title": "通知", "number": ""}})


# --- caching ----------------------------------------------------------------------------------


def test_lookups_are_cached_on_the_instance() -> None:
    calendar = WorkingCalendar({}, LibraryCalendar())
    first = calendar.day(date(2027, 2, 9))
    assert calendar.day(date(2027, 2, 9)) is first
    assert calendar.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    # Another instance has caches of its own (no state shared between calendars).
    other = WorkingCalendar({}, None)
    # 2025-01-26, a Sunday worked (调休) by the notice the package has, is a rest day by statute.
    assert other.day(date(2025, 1, 26)).kind is DayKind.REST
    assert calendar.day(date(2025, 1, 26)).kind is DayKind.ADJUSTED_WORKING
