"""What the court answers a non-litigation application with (connectors.court.review) and what
each answer changes in the agency's database (connectors.department.nonlitigation). Pure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.court.review import (
    names_legal_basis,
    reconsider,
    reconsideration_case_no,
    review,
    review_case_no,
)
from connectors.department.nonlitigation import application_update, reconsideration_request
from schemas.nonlitigation import (
    Acceptance,
    NonlitigationEnforcementApplied,
    ReconsiderationOutcome,
    RefusalGround,
    Ruling,
)
from schemas.nonlitigation_limits import Reconsidered
from tests.calendars import shipped_calendar
from tests.fixtures.corpus.loader import sample_data

CALENDAR = shipped_calendar()
CASE = review_case_no(2026, "豫1121", 31)


def applied(**changes: Any) -> NonlitigationEnforcementApplied:
    data = sample_data("nonlitigation.enforcement.applied.v1") | changes
    return NonlitigationEnforcementApplied.model_validate(data)


def test_the_review_case_number_is_a_review_case() -> None:
    assert CASE == "（2026）豫1121行审31号"


def test_a_decision_citing_its_law_is_accepted_and_granted_the_ruling_due_in_7_working_days() -> (
    None
):
    application = applied(obligation="依据《中华人民共和国产品质量法》第四十九条，缴纳罚款50000元")
    assert names_legal_basis(application)
    # Received and accepted Mon 2026-12-28: 7 working days across 元旦 → Thu 2027-01-07.
    outcome = review(application, case_no=CASE, today=date(2026, 12, 28), calendar=CALENDAR)
    assert outcome.accepted.outcome is Acceptance.ACCEPTED
    assert outcome.accepted.rule_by == date(2027, 1, 7)
    assert outcome.ruled is not None
    assert outcome.ruled.ruling is Ruling.GRANTED
    assert outcome.served is not None
    assert [a.event_type for a in outcome.answers] == [
        "nonlitigation.enforcement.accepted.v1",
        "nonlitigation.enforcement.ruled.v1",
        "nonlitigation.enforcement.served.v1",
    ]


def test_a_decision_without_legal_basis_is_refused_on_that_ground() -> None:
    outcome = review(applied(), case_no=CASE, today=date(2026, 6, 16), calendar=CALENDAR)
    assert outcome.ruled is not None
    assert outcome.ruled.ruling is Ruling.REFUSED
    assert outcome.ruled.refusal_ground is RefusalGround.LACKS_LEGAL_BASIS
    assert outcome.served is not None
    assert outcome.served.ruling is Ruling.REFUSED


def test_an_application_past_the_window_on_the_real_calendar_is_not_accepted() -> None:
    # 行诉解释 art. 156. Period to sue ended 2026-07-10: 3 months → Sat 10-10, a make-up working
    # day, so the window ends that day. The payload check (weekends only) lets Mon 10-12 through;
    # the court, counting on the real calendar, does not accept it and names the rule.
    late = applied(suit_period_ended_on="2026-07-10", applied_on="2026-10-12")
    outcome = review(late, case_no=CASE, today=date(2026, 10, 12), calendar=CALENDAR)
    assert outcome.accepted.outcome is Acceptance.NOT_ACCEPTED
    assert outcome.accepted.reason is not None
    assert "行诉解释 art. 156" in outcome.accepted.reason
    assert "2026-10-10" in outcome.accepted.reason
    assert outcome.answers == (outcome.accepted,)
    on_time = applied(suit_period_ended_on="2026-07-10", applied_on="2026-10-10")
    accepted = review(on_time, case_no=CASE, today=date(2026, 10, 12), calendar=CALENDAR)
    assert accepted.accepted.outcome is Acceptance.ACCEPTED


def test_each_answer_moves_the_agencys_application_on() -> None:
    outcome = review(applied(), case_no=CASE, today=date(2026, 6, 16), calendar=CALENDAR)
    accepted = application_update(outcome.accepted)
    assert accepted["status"] == "accepted"
    assert (accepted["case_no"], accepted["rule_by"]) == (CASE, date(2026, 6, 26))
    assert outcome.ruled is not None
    assert outcome.served is not None
    assert application_update(outcome.ruled) == {
        "status": "ruled",
        "ruling": "refused",
        "ruled_on": date(2026, 6, 16),
    }
    assert application_update(outcome.served) == {
        "status": "served",
        "served_on": date(2026, 6, 16),
    }


ROW = {
    "application_no": "舞市监执申〔2026〕22号",
    "case_no": CASE,
    "accepted": True,
    "accepted_on": date(2026, 12, 7),
    "ruling": "refused",
    "served_on": date(2026, 12, 8),
}


def test_a_refusal_is_taken_to_the_higher_court_with_its_30_days() -> None:
    # 行政强制法 art 58: within 15 days of service; the higher court rules in 30 days. Filed
    # Mon 2026-12-14: the 30th day, Wed 2027-01-13.
    request = reconsideration_request(
        ROW,
        today=date(2026, 12, 14),
        higher_court="漯河市中级人民法院",
        grounds="理由",
        calendar=CALENDAR,
    )
    assert request.against is Reconsidered.REFUSAL
    assert (request.received_on, request.decide_by) == (date(2026, 12, 8), date(2027, 1, 13))
    ruled = reconsider(
        request, case_no=reconsideration_case_no(2026, "豫11", 2), today=date(2027, 1, 4)
    )
    assert ruled.case_no == "（2026）豫11行审复2号"
    assert ruled.outcome is ReconsiderationOutcome.UPHELD
    assert application_update(ruled) == {"status": "reconsidered_upheld"}


def test_a_non_acceptance_is_reconsidered_in_15_days_and_a_grant_not_at_all() -> None:
    not_accepted = ROW | {"accepted": False, "ruling": None, "served_on": None}
    request = reconsideration_request(
        not_accepted,
        today=date(2026, 12, 14),
        higher_court="漯河市中级人民法院",
        grounds="理由",
        calendar=CALENDAR,
    )
    assert (request.against, request.received_on, request.decide_by) == (
        Reconsidered.NON_ACCEPTANCE,
        date(2026, 12, 7),
        None,
    )
    assert reconsider(
        request, case_no="（2026）豫11行审复3号", today=date(2026, 12, 20)
    ).outcome is (ReconsiderationOutcome.REVERSED)
    with pytest.raises(ValueError, match="nothing to reconsider"):
        reconsideration_request(
            ROW | {"ruling": "granted"},
            today=date(2026, 12, 14),
            higher_court="漯河市中级人民法院",
            grounds="理由",
            calendar=CALENDAR,
        )
