"""The limits of non-litigation enforcement (schemas.nonlitigation_limits), each on the shipped
calendar: working days for periods of ten days or less (行政强制法 art. 69), calendar days
otherwise, moved off rest days and holidays (民法典 arts 201–203)."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.nonlitigation_limits import (
    RULES,
    Limit,
    Reconsidered,
    acceptance_due,
    add_months,
    application_due,
    application_window_problem,
    on_time,
    reconsideration_application_due,
    reconsideration_decision_due,
    ruling_due,
    service_due,
    weekend_calendar,
)
from tests.calendars import shipped_calendar

CALENDAR = shipped_calendar()


def test_every_limit_names_its_rule() -> None:
    assert set(RULES) == set(Limit)
    assert RULES[Limit.APPLICATION].startswith("行诉解释 art. 156")
    assert all("行政强制法" in RULES[limit] for limit in set(Limit) - {Limit.APPLICATION})


def test_the_application_window_is_3_months_after_the_period_to_sue() -> None:
    # 行诉解释 art. 156. Period ended Sat 2026-10-31 → Sun 2027-01-31 → Mon 2027-02-01.
    assert application_due(date(2026, 10, 31), CALENDAR) == date(2027, 2, 1)
    # A month without the day ends on its last day: 11-30 → 2027-02-28 (Sun) → Mon 03-01.
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert application_due(date(2026, 11, 30), CALENDAR) == date(2027, 3, 1)


def test_the_payload_check_refuses_early_and_late_applications_naming_the_rule() -> None:
    ended = date(2026, 9, 4)
    assert application_window_problem(ended, date(2026, 12, 4)) is None
    early = application_window_problem(ended, ended)
    late = application_window_problem(ended, date(2026, 12, 5))
    assert early is not None
    assert early.startswith("行诉解释 art. 156")
    assert late is not None
    assert late.startswith("行诉解释 art. 156")
    # Sat 2026-12-05 would end the period; it moves to Mon 12-07.
    assert application_window_problem(date(2026, 9, 5), date(2026, 12, 7)) is None


def test_acceptance_within_5_working_days_across_new_year() -> None:
    # 行政强制法 art. 56 + art. 69. Received Mon 2026-12-28: 29 (1), 30 (2), 31 (3), 元旦 01-01,
    # weekend, Mon 01-04 (4), Tue 01-05 (5).
    assert acceptance_due(date(2026, 12, 28), CALENDAR) == date(2027, 1, 5)


def test_the_ruling_runs_from_the_acceptance() -> None:
    # 行政强制法 art. 57: 7 working days of acceptance. Accepted Mon 2026-12-28 → Thu 2027-01-07.
    assert ruling_due(date(2026, 12, 28), CALENDAR, hearing=False) == date(2027, 1, 7)
    # Across the Dragon Boat Festival 2026 (Fri 06-19): accepted Tue 06-16 → Fri 06-26.
    assert ruling_due(date(2026, 6, 16), CALENDAR, hearing=False) == date(2026, 6, 26)


def test_a_hearing_gives_30_calendar_days_moved_past_spring_festival() -> None:
    # 行政强制法 art. 58. Accepted Thu 2027-01-07: the 30th day, Sat 02-06, falls in the Spring
    # Festival holiday (02-05..02-10 on the shipped calendar); the period ends Thu 02-11.
    assert ruling_due(date(2027, 1, 7), CALENDAR, hearing=True) == date(2027, 2, 11)
    # Without a hearing the same acceptance is ruled on within 7 working days: Mon 01-18.
    assert ruling_due(date(2027, 1, 7), CALENDAR, hearing=False) == date(2027, 1, 18)


def test_a_refusal_is_served_within_5_working_days() -> None:
    # 行政强制法 art. 58 + art. 69. Ruled Thu 2026-12-31: Mon 01-04 (1) .. Fri 01-08 (5).
    assert service_due(date(2026, 12, 31), CALENDAR) == date(2027, 1, 8)


@pytest.mark.parametrize(
    ("against", "days"), [(Reconsidered.NON_ACCEPTANCE, 15), (Reconsidered.REFUSAL, 30)]
)
def test_reconsideration_periods_are_calendar_days(against: Reconsidered, days: int) -> None:
    # 行政强制法 arts 56, 58: the agency asks within 15 days; the higher court decides on a
    # non-acceptance in 15 days, on a refusal in 30. Received Mon 2026-12-21.
    received = date(2026, 12, 21)
    assert reconsideration_application_due(received, CALENDAR) == date(2027, 1, 5)
    due = reconsideration_decision_due(received, CALENDAR, against=against)
    assert due == {15: date(2027, 1, 5), 30: date(2027, 1, 20)}[days]


def test_the_weekend_calendar_knows_no_holidays() -> None:
    # Thu 2026-12-31 + 1 working day: Fri 2027-01-01 (元旦 on the real calendar).
    assert weekend_calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert CALENDAR.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_on_time_includes_the_last_day() -> None:
    assert on_time(date(2027, 1, 5), date(2027, 1, 5))
    assert not on_time(date(2027, 1, 6), date(2027, 1, 5))
