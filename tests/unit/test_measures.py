"""Measures in force and the reminder before they lapse (`hub.measures`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hub.measures.book import (
    ControlAnswer,
    Measure,
    MeasureState,
    answered,
    continued_measure,
    control_answer,
    measure_from_row,
    requested_measure,
)
from hub.measures.reminders import Reminder, reminder_day, reminders_due
from schemas.control import ControlAction
from tests.calendars import shipped_calendar
from tests.fixtures.corpus import samples

CAL = shipped_calendar()


def _measure(
    event_id: str = "e-freeze",
    *,
    action: ControlAction = ControlAction.FREEZE,
    end: date | None = date(2027, 1, 8),
    state: MeasureState = MeasureState.IN_FORCE,
    request_no: str = "KZ1",
    previous: str | None = None,
    reminded: date | None = None,
) -> Measure:
    return Measure(
        event_source="fy:unit:court.411121",
        event_id=event_id,
        court="court.411121",
        unit="finreg.411121",
        case_no="（2026）豫1121执356号",
        request_no=request_no,
        action=action,
        asset_kind="deposit",
        end=end,
        previous_request_no=previous,
        state=state,
        reminded_for_end=reminded,
    )


# --- the reminder day --------------------------------------------------------------------------


def test_reminder_day_counts_working_days_back_across_the_new_year_holiday() -> None:
    # 2027-01-05 (Tue): back over Jan 4 (Mon), the holiday Jan 1-3, Dec 31, Dec 30.
    assert reminder_day(date(2027, 1, 5), 3, CAL) == date(2026, 12, 30)


def test_reminder_day_skips_weekends() -> None:
    # 2026-12-28 (Mon) - 1 working day is Fri 2026-12-25.
    assert reminder_day(date(2026, 12, 28), 1, CAL) == date(2026, 12, 25)


def test_reminder_day_with_no_lead_is_the_end_itself() -> None:
    assert reminder_day(date(2027, 1, 2), 0, CAL) == date(2027, 1, 2)


def test_fifteen_working_days_before_a_january_end_falls_in_december() -> None:
    day = reminder_day(date(2027, 1, 15), 15, CAL)
    assert day.year == 2026
    assert sum(CAL.is_working_day(d) for d in _days(day, date(2027, 1, 15))) == 15


def _days(first: date, last: date) -> list[date]:
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal())]


# --- which reminders are due -------------------------------------------------------------------


def test_not_due_before_its_reminder_day() -> None:
    measure = _measure(end=date(2027, 1, 5))
    assert reminders_due([measure], date(2026, 12, 29), 3, CAL) == []


def test_due_on_its_reminder_day_with_the_days_left() -> None:
    measure = _measure(end=date(2027, 1, 5))
    [due] = reminders_due([measure], date(2026, 12, 30), 3, CAL)
    assert due == Reminder(measure, date(2027, 1, 5), 6)


def test_due_on_a_holiday_after_the_reminder_day() -> None:
    measure = _measure(end=date(2027, 1, 5))
    [due] = reminders_due([measure], date(2027, 1, 2), 3, CAL)
    assert due.days_left == 3


def test_due_on_its_last_day() -> None:
    measure = _measure(end=date(2027, 1, 5))
    [due] = reminders_due([measure], date(2027, 1, 5), 3, CAL)
    assert due.days_left == 0


def test_not_due_once_lapsed() -> None:
    assert reminders_due([_measure(end=date(2027, 1, 5))], date(2027, 1, 6), 3, CAL) == []


def test_reminded_once_per_end() -> None:
    measure = _measure(end=date(2027, 1, 5), reminded=date(2027, 1, 5))
    assert reminders_due([measure], date(2027, 1, 4), 3, CAL) == []


def test_a_pending_reminder_is_not_sent_again() -> None:
    measure = _measure(end=date(2027, 1, 5))
    pending = {("e-freeze", date(2027, 1, 5))}
    assert reminders_due([measure], date(2027, 1, 4), 3, CAL, pending=pending) == []


def test_a_new_end_is_reminded_again() -> None:
    measure = _measure(end=date(2027, 1, 8), reminded=date(2027, 1, 5))
    [due] = reminders_due([measure], date(2027, 1, 6), 3, CAL)
    assert due.end == date(2027, 1, 8)


@pytest.mark.parametrize(
    "state", [MeasureState.RELEASED, MeasureState.REQUESTED, MeasureState.NOT_CONTROLLED]
)
def test_only_a_measure_in_force_is_reminded(state: MeasureState) -> None:
    assert reminders_due([_measure(state=state)], date(2027, 1, 7), 3, CAL) == []


def test_a_continuation_row_is_never_reminded_itself() -> None:
    row = _measure(action=ControlAction.CONTINUE_FREEZE, state=MeasureState.APPLIED)
    assert reminders_due([row], date(2027, 1, 7), 3, CAL) == []


def test_the_notice_id_is_the_same_for_the_same_measure_and_end_only() -> None:
    measure = _measure()
    first = Reminder(measure, date(2027, 1, 8), 2)
    assert first.notice_id == Reminder(measure, date(2027, 1, 8), 1).notice_id
    assert first.notice_id != Reminder(measure, date(2027, 1, 9), 2).notice_id
    assert (
        first.notice_id != Reminder(replace(measure, event_id="x"), date(2027, 1, 8), 2).notice_id
    )


def test_sweeping_day_by_day_reminds_exactly_once() -> None:
    measure = _measure(end=date(2027, 1, 8))
    sent = []
    day = date(2026, 12, 20)
    while day <= date(2027, 1, 12):
        for due in reminders_due([measure], day, 5, CAL):
            sent.append(day)
            measure = replace(measure, reminded_for_end=due.end)
        day = date.fromordinal(day.toordinal() + 1)
    assert sent == [reminder_day(date(2027, 1, 8), 5, CAL)]


# --- what requests and answers do --------------------------------------------------------------


def test_a_freeze_request_opens_a_row_with_no_personal_data() -> None:
    row = requested_measure(samples.DEPOSIT_FREEZE, court="court.411121", unit="finreg.411121")
    assert row is not None
    assert (row.action, row.asset_kind, row.end) == (
        ControlAction.FREEZE,
        "deposit",
        date(2027, 3, 3),
    )
    assert row.state is MeasureState.REQUESTED
    values = str(row.values())
    for personal in (samples.WANG["name"], samples.WANG["id_no"], "622991786500123456"):
        assert personal not in values


def test_a_row_reads_back_from_its_values() -> None:
    row = _measure(reminded=date(2027, 1, 2))
    assert measure_from_row(row.values()) == row


def test_other_types_and_actions_open_no_row() -> None:
    assert requested_measure(samples.CONTROLLED, court="c", unit="u") is None
    deduct = {**samples.DEPOSIT_FREEZE, "data": {**samples.DEPOSIT_FREEZE["data"]}}
    deduct["data"]["action"] = "deduct"
    del deduct["data"]["end"], deduct["data"]["start"]
    assert requested_measure(deduct, court="c", unit="u") is None
    broken = {**samples.DEPOSIT_FREEZE, "data": {"action": "freeze"}}
    assert requested_measure(broken, court="c", unit="u") is None


def test_the_answers_read() -> None:
    assert control_answer(samples.CONTROLLED) == ControlAnswer(
        controlled=True, end=date(2029, 3, 3)
    )
    assert control_answer(samples.NOT_CONTROLLED) == ControlAnswer(controlled=False, end=None)
    assert control_answer(samples.SEAL) is None


def test_a_freeze_answered_controlled_is_in_force_until_the_registered_end() -> None:
    request = _measure(state=MeasureState.REQUESTED, end=date(2027, 3, 3))
    [row] = answered(request, ControlAnswer(controlled=True, end=date(2027, 3, 2)), None)
    assert (row.state, row.end) == (MeasureState.IN_FORCE, date(2027, 3, 2))


def test_without_a_registered_end_the_requested_one_holds() -> None:
    request = _measure(state=MeasureState.REQUESTED, end=date(2027, 3, 3))
    [row] = answered(request, ControlAnswer(controlled=True, end=None), None)
    assert row.end == date(2027, 3, 3)


def test_not_controlled_is_never_in_force() -> None:
    [row] = answered(
        _measure(state=MeasureState.REQUESTED), ControlAnswer(controlled=False, end=None), None
    )
    assert row.state is MeasureState.NOT_CONTROLLED


def test_a_second_answer_changes_nothing() -> None:
    assert answered(_measure(), ControlAnswer(controlled=False, end=None), None) == []


def test_a_continuation_moves_the_end_and_leaves_the_reminder_for_the_old_end() -> None:
    target = _measure(end=date(2027, 1, 8), reminded=date(2027, 1, 8))
    continuation = _measure(
        "e-cont",
        action=ControlAction.CONTINUE_FREEZE,
        state=MeasureState.REQUESTED,
        end=date(2028, 1, 8),
        request_no="KZ2",
        previous="KZ1",
    )
    done, moved = answered(continuation, ControlAnswer(controlled=True, end=None), target)
    assert done.state is MeasureState.APPLIED
    assert (moved.event_id, moved.end, moved.state) == ("e-freeze", date(2028, 1, 8), target.state)
    assert moved.reminded_for_end == date(2027, 1, 8)
    assert reminders_due([moved], date(2027, 1, 7), 3, CAL) == []
    [due] = reminders_due([moved], date(2028, 1, 5), 3, CAL)
    assert due.end == date(2028, 1, 8)


def test_a_continuation_not_controlled_leaves_the_measure() -> None:
    continuation = _measure(
        "e-cont", action=ControlAction.CONTINUE_FREEZE, state=MeasureState.REQUESTED
    )
    assert answered(continuation, ControlAnswer(controlled=False, end=None), _measure()) == [
        replace(continuation, state=MeasureState.NOT_CONTROLLED)
    ]


def test_an_unfreeze_releases_the_measure_which_is_never_reminded() -> None:
    unfreeze = _measure(
        "e-unfreeze", action=ControlAction.UNFREEZE, state=MeasureState.REQUESTED, end=None
    )
    done, released = answered(unfreeze, ControlAnswer(controlled=True, end=None), _measure())
    assert (done.state, released.state) == (MeasureState.APPLIED, MeasureState.RELEASED)
    assert reminders_due([released], date(2027, 1, 7), 3, CAL) == []


def test_a_continuation_of_a_released_measure_moves_nothing() -> None:
    continuation = _measure(
        "e-cont", action=ControlAction.CONTINUE_FREEZE, state=MeasureState.REQUESTED
    )
    released = _measure(state=MeasureState.RELEASED)
    assert answered(continuation, ControlAnswer(controlled=True, end=None), released) == [
        replace(continuation, state=MeasureState.APPLIED)
    ]


def test_a_chain_of_continuations_leads_back_to_the_measure_imposed() -> None:
    first = _measure()
    second = _measure("e2", action=ControlAction.CONTINUE_FREEZE, request_no="KZ2", previous="KZ1")
    rows = {m.event_id: m for m in (first, second)}
    assert continued_measure("KZ2", "court.411121", rows) == "e-freeze"
    assert continued_measure("KZ1", "court.411121", rows) == "e-freeze"
    assert continued_measure("KZ1", "court.other", rows) is None
    assert continued_measure("KZ9", "court.411121", rows) is None


def test_a_loop_of_continuations_names_nothing() -> None:
    one = _measure("e1", action=ControlAction.CONTINUE_FREEZE, request_no="A", previous="B")
    two = _measure("e2", action=ControlAction.CONTINUE_FREEZE, request_no="B", previous="A")
    assert continued_measure("A", "court.411121", {"e1": one, "e2": two}) is None
