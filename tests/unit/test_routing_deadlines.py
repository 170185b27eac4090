"""Deadlines on the official PRC calendar. Expected dates are counted by hand from the State
Council holiday notices for 2024 (国办发明电〔2023〕7号):
  Spring Festival: 2-10 (Sat) … 2-17 (Sat) off; Sunday 2-4 and Sunday 2-18 are working days.
  National Day:    10-1 (Tue) … 10-7 (Mon) off; Sunday 9-29 and Saturday 10-12 are working days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.routing.deadlines import (
    CHINA_TZ,
    DeadlinePolicy,
    DueTimes,
    add_calendar_days,
    add_months,
    due_times,
)
from hub.routing.table import TypeRoute
from tests.calendars import shipped_calendar

CALENDAR = shipped_calendar()
add_working_days = CALENDAR.add_working_days
is_working_day = CALENDAR.is_working_day
next_working_day_from = CALENDAR.next_working_day_from


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


def route(reply: dict[str, Any] | None = None, **extra: Any) -> TypeRoute:
    return TypeRoute.model_validate(
        {
            "publishers": ["court"],
            "recipients": {"groups": ["bankruptcy_linkage"]},
            "projection": {"tax": {"fields": ["case_no"], "why": "test", "basis": "test"}},
            "reply": reply,
            **extra,
        }
    )


# --- working days -----------------------------------------------------------------------------


def test_spring_festival_2024_is_skipped_and_the_adjusted_sunday_counts() -> None:
    # From Thu 2-8: Fri 2-9 (1), holiday 2-10…2-17, Sun 2-18 调休 (2), Mon 2-19 (3).
    assert add_working_days(date(2024, 2, 8), 3) == date(2024, 2, 19)
    assert add_working_days(date(2024, 2, 8), 2) == date(2024, 2, 18)


def test_the_adjusted_working_sunday_before_spring_festival_counts() -> None:
    # From Sat 2-3: Sun 2-4 调休 is the first working day.
    assert add_working_days(date(2024, 2, 3), 1) == date(2024, 2, 4)


def test_national_day_2024_and_the_adjusted_saturday() -> None:
    # From Mon 9-30: 10-1…10-7 off; 10-8 (1) 10-9 (2) 10-10 (3) 10-11 (4) Sat 10-12 调休 (5),
    # 10-14…10-18 (6–10), 10-21…10-25 (11–15).
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)
    assert add_working_days(date(2024, 9, 30), 15) == date(2024, 10, 25)


def test_an_adjusted_saturday_is_a_working_day_and_a_holiday_weekday_is_not() -> None:
    assert is_working_day(date(2024, 10, 12))  # Saturday, 调休
    assert not is_working_day(date(2024, 10, 7))  # Monday, National Day holiday
    assert not is_working_day(date(2024, 10, 13))  # ordinary Sunday


def test_years_beyond_every_source_keep_the_statutory_holidays() -> None:
    # chinese-calendar 1.11.0 and the shipped files end with 2026. 2027-01-01 (a Friday) is
    # New Year's Day by statute all the same, so one working day after it is Monday 01-04 and
    # one working day after Thursday 12-31 is that Monday too, not Friday 01-01.
    assert not is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)


# --- calendar days and months -----------------------------------------------------------------


def test_calendar_days_and_the_next_working_day() -> None:
    assert add_calendar_days(date(2024, 9, 20), 15) == date(2024, 10, 5)
    assert next_working_day_from(date(2024, 10, 5)) == date(2024, 10, 8)
    assert next_working_day_from(date(2024, 10, 8)) == date(2024, 10, 8)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 8, 3), 2, date(2024, 10, 3)),
        (date(2024, 12, 15), 2, date(2025, 2, 15)),
    ],
)
def test_add_months_takes_the_corresponding_day_or_the_month_end(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


# --- due times --------------------------------------------------------------------------------


def test_receipt_is_due_at_the_end_of_the_next_working_day() -> None:
    due = due_times(route(), at(date(2024, 9, 30)), {}, "tax", calendar=CALENDAR)
    assert due.receipt_by == end_of(date(2024, 10, 8))
    assert due.reply_by is None


def test_a_routing_time_in_utc_counts_from_the_china_date() -> None:
    # 2024-10-11 17:00 UTC is Saturday 10-12 01:00 in China (a 调休 working day), so the count
    # starts on 10-12 and the next working day is Monday 10-14, not 10-12.
    due = due_times(route(), datetime(2024, 10, 11, 17, tzinfo=UTC), {}, "tax", calendar=CALENDAR)
    assert due.receipt_by == end_of(date(2024, 10, 14))


def test_reply_in_working_days_across_spring_festival() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    due = due_times(rule, at(date(2024, 2, 8), 15), {}, "tax", calendar=CALENDAR)
    assert due.reply_by == end_of(date(2024, 2, 19))


def test_reply_in_calendar_days_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"calendar_days": 15}})
    due = due_times(rule, at(date(2024, 9, 20)), {}, "tax", calendar=CALENDAR)
    assert due.reply_by == end_of(date(2024, 10, 8))


def test_reply_in_months() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"months": 2}})
    assert due_times(rule, at(date(2024, 8, 3)), {}, "tax", calendar=CALENDAR).reply_by == end_of(
        date(2024, 10, 8)
    )
    assert due_times(rule, at(date(2023, 12, 31)), {}, "tax", calendar=CALENDAR).reply_by == end_of(
        date(2024, 2, 29)
    )


def test_a_deadline_in_the_payload_wins_over_the_default() -> None:
    rule = route(
        {"types": ["x.answered.v1"], "deadline": {"months": 2, "payload_field": "reply_by"}}
    )
    routed = at(date(2024, 3, 1))
    given = due_times(rule, routed, {"reply_by": "2024-03-20"}, "tax", calendar=CALENDAR)
    assert given.reply_by == end_of(date(2024, 3, 20))
    default = due_times(rule, routed, {"reply_by": None}, "tax", calendar=CALENDAR)
    assert default.reply_by == end_of(date(2024, 5, 6))  # 5-1…5-5 Labour Day holiday


def test_a_payload_date_time_is_the_deadline_itself() -> None:
    rule = route({"types": ["x.reported.v1"], "deadline": {"payload_field": "hearing_at"}})
    due = due_times(
        rule,
        at(date(2024, 3, 1)),
        {"hearing_at": "2024-03-12T09:00:00+08:00"},
        "tax",
        calendar=CALENDAR,
    )
    assert due.reply_by == datetime(2024, 3, 12, 9, tzinfo=CHINA_TZ)


def test_a_nested_payload_date_object_is_accepted() -> None:
    rule = route({"types": ["x.declared.v1"], "deadline": {"payload_field": "claims.deadline"}})
    payload = {"claims": {"deadline": date(2024, 4, 30)}}
    assert due_times(
        rule, at(date(2024, 3, 1)), payload, "tax", calendar=CALENDAR
    ).reply_by == end_of(date(2024, 4, 30))


def test_only_the_depts_that_owe_a_reply_get_a_reply_deadline() -> None:
    rule = route(
        {
            "types": ["x.declared.v1"],
            "owed_by": ["tax"],
            "deadline": {"payload_field": "claims_deadline"},
        }
    )
    payload = {"claims_deadline": "2024-04-30"}
    assert due_times(
        rule, at(date(2024, 3, 1)), payload, "tax", calendar=CALENDAR
    ).reply_by == end_of(date(2024, 4, 30))
    samr = due_times(rule, at(date(2024, 3, 1)), payload, "samr", calendar=CALENDAR)
    assert samr.reply_by is None
    assert samr.receipt_by == end_of(date(2024, 3, 4))


def test_a_type_nobody_acknowledges_has_no_receipt_deadline() -> None:
    assert (
        due_times(
            route(receipt_days=None), at(date(2024, 3, 1)), {}, "tax", calendar=CALENDAR
        ).receipt_by
        is None
    )


def test_a_scale_shortens_every_interval() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    routed = at(date(2024, 2, 8), 15)
    full = due_times(rule, routed, {}, "tax", calendar=CALENDAR)
    short = due_times(
        rule, routed, {}, "tax", calendar=CALENDAR, policy=DeadlinePolicy(scale=0.001)
    )
    assert full.reply_by is not None
    assert short.reply_by == routed + (full.reply_by - routed) * 0.001
    assert short.receipt_by is not None
    assert short.receipt_by - routed < timedelta(minutes=2)


def test_overrides_fix_the_intervals_in_seconds() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    routed = at(date(2024, 2, 8), 15)
    policy = DeadlinePolicy(receipt_override_s=2, reply_override_s=5)
    due = due_times(rule, routed, {}, "tax", calendar=CALENDAR, policy=policy)
    # Nothing was counted on the calendar, so the delivery names none.
    assert due == DueTimes(routed + timedelta(seconds=2), routed + timedelta(seconds=5), None)


def test_a_routing_time_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        due_times(route(), datetime(2024, 3, 1, 10), {}, "tax", calendar=CALENDAR)  # noqa: DTZ001


# --- which calendar -------------------------------------------------------------------------


def test_a_deadline_counted_into_2027_is_provisional_and_skips_its_holidays() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 15}})
    # From Thu 2026-12-24: 12-25, 12-28…12-31 (5), 2027-01-01 元旦 skipped, 01-04…01-08 (10),
    # 01-11…01-15 (15).
    due = due_times(rule, at(date(2026, 12, 24)), {}, "tax", calendar=CALENDAR)
    assert due.reply_by == end_of(date(2027, 1, 15))
    assert due.calendar == "provisional"


def test_spring_festival_2027_and_its_make_up_days_are_skipped() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    # From Wed 2027-02-03: Thu 02-04 (1); 02-05…02-10 off (春节 and 补假); Thu 02-11 (2), Fri (3).
    due = due_times(rule, at(date(2027, 2, 3)), {}, "tax", calendar=CALENDAR)
    assert due.reply_by == end_of(date(2027, 2, 12))
    assert due.receipt_by == end_of(date(2027, 2, 4))


def test_a_deadline_within_an_official_year_is_official() -> None:
    due = due_times(route(), at(date(2026, 12, 1)), {}, "tax", calendar=CALENDAR)
    assert due.calendar == "official"


def test_a_receipt_due_in_2027_makes_the_delivery_provisional() -> None:
    # Routed Thu 2026-12-31: the receipt is due on Mon 2027-01-04, a provisional year.
    due = due_times(route(), at(date(2026, 12, 31)), {}, "tax", calendar=CALENDAR)
    assert (due.receipt_by, due.calendar) == (end_of(date(2027, 1, 4)), "provisional")


def test_a_deadline_given_in_the_payload_is_not_the_calendars() -> None:
    rule = route(
        {"types": ["x.answered.v1"], "deadline": {"months": 2, "payload_field": "reply_by"}},
        receipt_days=None,
    )
    due = due_times(
        rule, at(date(2026, 12, 1)), {"reply_by": "2027-03-01"}, "tax", calendar=CALENDAR
    )
    assert (due.reply_by, due.calendar) == (end_of(date(2027, 3, 1)), None)


def test_a_scaled_deadline_keeps_its_calendar() -> None:
    rule = route({"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    policy = DeadlinePolicy(scale=0.001)
    due = due_times(rule, at(date(2026, 12, 30)), {}, "tax", calendar=CALENDAR, policy=policy)
    assert due.calendar == "provisional"
