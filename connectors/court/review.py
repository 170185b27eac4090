"""The court's review of a non-litigation application (行审), demo logic. Pure: the application,
the day it arrived and the working-day calendar in, what the court answers out.

The court decides on acceptance the day the application arrives (行政强制法 art. 56 allows 5
working days), refusing one filed outside 行诉解释 art. 156's window; it rules on the written
record the same day (art. 57 allows 7 working days from the acceptance), granting enforcement
unless the decision names no legal basis (行诉解释 art. 161 (三)), and serves the ruling that day
(art. 58 allows 5 working days for a refusal).

A decision names its legal basis when the obligation cites a law or regulation in 《》.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.nonlitigation import (
    Acceptance,
    NonlitigationEnforcementAccepted,
    NonlitigationEnforcementApplied,
    NonlitigationEnforcementRuled,
    NonlitigationEnforcementServed,
    NonlitigationReconsiderationApplied,
    NonlitigationReconsiderationRuled,
    ReconsiderationOutcome,
    RefusalGround,
    Ruling,
)
from schemas.nonlitigation_limits import RULES, Limit, application_due, ruling_due

if TYPE_CHECKING:
    import datetime as dt

    from schemas.common import Payload
    from schemas.nonlitigation_limits import WorkingDays


@dataclass(frozen=True, slots=True)
class Review:
    """What the court answers, in the order it sends it."""

    accepted: NonlitigationEnforcementAccepted
    ruled: NonlitigationEnforcementRuled | None = None
    served: NonlitigationEnforcementServed | None = None

    @property
    def answers(self) -> tuple[Payload, ...]:
        return tuple(p for p in (self.accepted, self.ruled, self.served) if p is not None)


def names_legal_basis(applied: NonlitigationEnforcementApplied) -> bool:
    return "《" in applied.obligation and "》" in applied.obligation


def review(
    applied: NonlitigationEnforcementApplied,
    *,
    case_no: str,
    today: dt.date,
    calendar: WorkingDays,
) -> Review:
    """Accept (or not), rule and serve `applied`, received `today`, as review case `case_no`."""
    head = {
        "case_no": case_no,
        "application_no": applied.application_no,
        "decision_no": applied.decision_no,
        "received_on": today,
        "accepted_on": today,
    }
    window = application_due(applied.suit_period_ended_on, calendar)
    if applied.applied_on > window:
        reason = f"申请超过法定期限（{RULES[Limit.APPLICATION]}, by {window.isoformat()}）"
        return Review(
            NonlitigationEnforcementAccepted(**head, outcome=Acceptance.NOT_ACCEPTED, reason=reason)
        )
    accepted = NonlitigationEnforcementAccepted(
        **head,
        outcome=Acceptance.ACCEPTED,
        hearing=False,
        rule_by=ruling_due(today, calendar, hearing=False),
    )
    granted = names_legal_basis(applied)
    ruling = Ruling.GRANTED if granted else Ruling.REFUSED
    ruled = NonlitigationEnforcementRuled(
        case_no=case_no,
        application_no=applied.application_no,
        decision_no=applied.decision_no,
        ruling=ruling,
        ruling_no=case_no,
        ruled_on=today,
        refusal_ground=None if granted else RefusalGround.LACKS_LEGAL_BASIS,
        reason=None if granted else "行政决定未载明所依据的法律、法规",
    )
    served = NonlitigationEnforcementServed(
        case_no=case_no,
        application_no=applied.application_no,
        ruling_no=case_no,
        ruling=ruling,
        ruled_on=today,
        served_on=today,
    )
    return Review(accepted, ruled, served)


def review_case_no(year: int, court_code: str, serial: int) -> str:
    """The review case's number, e.g. （2026）豫1121行审9号."""
    return f"（{year}）{court_code}行审{serial}号"


def reconsider(
    request: NonlitigationReconsiderationApplied, *, case_no: str, today: dt.date
) -> NonlitigationReconsiderationRuled:
    """The higher court's decision, demo logic: a non-acceptance filed in time is reversed (the
    court below accepts), a refusal stands (its ground was the decision's own)."""
    non_acceptance = request.against.value == "non_acceptance"
    return NonlitigationReconsiderationRuled(
        case_no=case_no,
        application_no=request.application_no,
        outcome=ReconsiderationOutcome.REVERSED
        if non_acceptance
        else ReconsiderationOutcome.UPHELD,
        ruled_on=today,
        reason="撤销原不予受理裁定，由原审法院受理"
        if non_acceptance
        else "原裁定认定事实清楚，适用法律正确",
    )


def reconsideration_case_no(year: int, court_code: str, serial: int) -> str:
    """The reconsideration case's number, e.g. （2026）豫11行审复2号."""
    return f"（{year}）{court_code}行审复{serial}号"
