"""Non-litigation enforcement (行政非诉执行): a unit without enforcement power asks the court to
enforce its administrative decision; the court reviews it (行审) and rules.

Legal rules: 行政强制法 art. 54 (apply only after a written reminder (催告) has gone unheeded for
10 days), arts 57–58 (the court rules, refusing only on stated grounds); 行诉解释 art. 161
(grounds for refusing), art. 156 (apply within 3 months after the party's period to sue has
expired); art. 56 (the court decides on acceptance), art. 58 (a refusal is served; the agency may
ask the higher court to reconsider). The limits themselves, and how they count, are in
`schemas.nonlitigation_limits`.

The chain: applied → accepted (the court's reply to the application), then ruled and served
(answering the same application, so that one trace follows it), and on a non-acceptance or a
refusal reconsideration.applied → reconsideration.ruled with the higher court.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Party, Payload, Text
from schemas.dates import IsoDate
from schemas.identifiers import CaseNo
from schemas.nonlitigation_limits import (
    HEARING_DAYS,
    REFUSAL_DECISION_DAYS,
    Reconsidered,
    application_window_problem,
    reconsideration_application_due,
    weekend_calendar,
)
from schemas.rules import case_no_checker, case_no_schema, json_rules, when

_REMINDER_DAYS: Final = 10
ReviewCaseNo = Annotated[
    CaseNo,
    case_no_checker("行审", rule="行诉解释 art. 160: the application is reviewed as a 行审 case"),
    case_no_schema("行审"),
]
ReconsiderationCaseNo = Annotated[
    CaseNo,
    case_no_checker(
        "行审复", rule="法〔2015〕137号: reconsideration of a 行审 ruling is a 行审复 case"
    ),
    case_no_schema("行审复"),
]
_SEVEN_WORKING_DAYS_SPAN: Final = 11
"""Calendar days 7 working days span at most with two weekends in them; holidays add the slack."""
_HOLIDAY_SLACK: Final = dt.timedelta(days=10)
"""The most a period ending in a holiday moves (the longest 连休 is 8 days), for checks that have
no holiday arrangement at hand."""


class NonlitigationEnforcementApplied(Payload):
    """A unit applies to the court to enforce its administrative decision."""

    event_type = "nonlitigation.enforcement.applied.v1"
    application_no: Text
    """The unit's own reference for the application."""
    court: Name
    decision_no: Text
    """Number of the administrative decision to enforce, e.g. 舞市监罚〔2024〕12号."""
    decided_on: IsoDate
    party: Party
    """The party bound by the decision (被执行人)."""
    obligation: LongText
    """What the decision requires of the party."""
    amount: Fen | None = None
    """Amount to enforce, in fen, for a fine or fee."""
    reminded_on: IsoDate
    """Date the written reminder (催告书) was served."""
    suit_period_ended_on: IsoDate
    """Last day of the party's statutory period to apply for review or to sue (起诉期限届满之日)."""
    applied_on: IsoDate

    @field_validator("reminded_on")
    @classmethod
    def _reminded_after_decision(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        decided_on = info.data.get("decided_on")
        if decided_on and value < decided_on:
            raise ValueError(f"the reminder follows the decision ({decided_on})")
        return value

    @field_validator("applied_on")
    @classmethod
    def _ten_days_after_reminder(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        reminded_on = info.data.get("reminded_on")
        if reminded_on and value < reminded_on + dt.timedelta(days=_REMINDER_DAYS):
            raise ValueError(
                "行政强制法 art. 54: apply only when the reminder has gone unheeded for 10 days "
                f"(from {reminded_on + dt.timedelta(days=_REMINDER_DAYS)})"
            )
        suit_period_ended_on = info.data.get("suit_period_ended_on")
        if suit_period_ended_on:
            problem = application_window_problem(suit_period_ended_on, value)
            if problem:
                raise ValueError(problem)
        return value


class Ruling(StrEnum):
    GRANTED = "granted"
    """准予执行."""
    REFUSED = "refused"
    """不准予执行."""


class RefusalGround(StrEnum):
    """Grounds for refusing enforcement (行诉解释 art. 161)."""

    NO_ADMINISTRATIVE_AUTHORITY = "no_administrative_authority"
    """实施主体不具有行政主体资格."""
    LACKS_FACTS = "lacks_facts"
    """明显缺乏事实根据."""
    LACKS_LEGAL_BASIS = "lacks_legal_basis"
    """明显缺乏法律、法规依据."""
    OTHER_CLEAR_ILLEGALITY = "other_clear_illegality"
    """其他明显违法并损害被执行人合法权益的情形."""


class NonlitigationEnforcementRuled(Payload):
    """The court's ruling on an application for non-litigation enforcement."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("ruling", [Ruling.REFUSED], require=["refusal_ground"]),
            when("ruling", [Ruling.GRANTED], forbid=["refusal_ground"]),
        )
    )
    event_type = "nonlitigation.enforcement.ruled.v1"
    case_no: ReviewCaseNo
    application_no: Text
    decision_no: Text
    ruling: Ruling
    ruling_no: Text
    ruled_on: IsoDate
    refusal_ground: RefusalGround | None = Field(default=None, validate_default=True)
    reason: LongText | None = None
    enforcing_court: Name | None = None
    """Who carries out a granted enforcement, when not the ruling court."""

    @field_validator("refusal_ground")
    @classmethod
    def _refusal_grounded(
        cls, value: RefusalGround | None, info: ValidationInfo
    ) -> RefusalGround | None:
        ruling = info.data.get("ruling")
        if ruling is Ruling.REFUSED and value is None:
            raise ValueError("行诉解释 art. 161: a refusal names its ground")
        if ruling is Ruling.GRANTED and value is not None:
            raise ValueError("granted: leave refusal_ground out")
        return value


# --- acceptance, service and reconsideration (行政强制法 arts 56, 58) ---------------------------


class Acceptance(StrEnum):
    ACCEPTED = "accepted"
    """受理."""
    NOT_ACCEPTED = "not_accepted"
    """不予受理."""


class NonlitigationEnforcementAccepted(Payload):
    """The court's decision on accepting an application (行政强制法 art. 56), its reply to it."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [Acceptance.ACCEPTED], require=["rule_by"], forbid=["reason"]),
            when("outcome", [Acceptance.NOT_ACCEPTED], require=["reason"], forbid=["rule_by"]),
        )
    )
    event_type = "nonlitigation.enforcement.accepted.v1"
    case_no: ReviewCaseNo
    application_no: Text
    decision_no: Text
    received_on: IsoDate
    """The day the court received the application; the 5 days of art. 56 run from it."""
    outcome: Acceptance
    accepted_on: IsoDate
    """The day the court decided on acceptance (受理, or the 不予受理 ruling)."""
    hearing: bool = False
    """The court doubts the decision and hears the parties (行政强制法 art. 58): 30 days to rule."""
    rule_by: IsoDate | None = Field(default=None, validate_default=True)
    """Last day to rule, counted by the court from `accepted_on` (7 working days, or 30 days
    with a hearing; `schemas.nonlitigation_limits.ruling_due`)."""
    reason: LongText | None = Field(default=None, validate_default=True)
    """Why the application is not accepted."""

    @field_validator("accepted_on")
    @classmethod
    def _after_receipt(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        received_on = info.data.get("received_on")
        if received_on and value < received_on:
            raise ValueError(f"acceptance follows receipt ({received_on})")
        return value

    @field_validator("rule_by")
    @classmethod
    def _rule_by_counted(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        outcome, accepted_on = info.data.get("outcome"), info.data.get("accepted_on")
        if outcome is Acceptance.NOT_ACCEPTED:
            if value is not None:
                raise ValueError("not accepted: nothing is ruled; leave rule_by out")
            return value
        if value is None:
            raise ValueError("行政强制法 arts 57–58: an accepted application states rule_by")
        if accepted_on:
            longest = HEARING_DAYS if info.data.get("hearing") else _SEVEN_WORKING_DAYS_SPAN
            if not accepted_on < value <= accepted_on + dt.timedelta(days=longest) + _HOLIDAY_SLACK:
                raise ValueError(
                    "行政强制法 arts 57–58: rule within 7 working days of acceptance, 30 days "
                    f"with a hearing (accepted {accepted_on})"
                )
        return value

    @field_validator("reason")
    @classmethod
    def _non_acceptance_reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") is Acceptance.NOT_ACCEPTED and value is None:
            raise ValueError("行政强制法 art. 56: a non-acceptance states its reason")
        if info.data.get("outcome") is Acceptance.ACCEPTED and value is not None:
            raise ValueError("accepted: leave reason out")
        return value


class NonlitigationEnforcementServed(Payload):
    """The court served its ruling on the applying agency (送达, 行政强制法 art. 58)."""

    event_type = "nonlitigation.enforcement.served.v1"
    case_no: ReviewCaseNo
    application_no: Text
    ruling_no: Text
    ruling: Ruling
    ruled_on: IsoDate
    served_on: IsoDate

    @field_validator("served_on")
    @classmethod
    def _after_ruling(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        ruled_on = info.data.get("ruled_on")
        if ruled_on and value < ruled_on:
            raise ValueError(f"service follows the ruling ({ruled_on})")
        return value


class NonlitigationReconsiderationApplied(Payload):
    """The agency asks the higher court to reconsider a non-acceptance or a refusal."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("against", [Reconsidered.REFUSAL], require=["decide_by"]),
            when("against", [Reconsidered.NON_ACCEPTANCE], forbid=["decide_by"]),
        )
    )
    event_type = "nonlitigation.reconsideration.applied.v1"
    case_no: ReviewCaseNo
    """The reviewing court's case."""
    application_no: Text
    higher_court: Name
    against: Reconsidered
    ruling_no: Text
    """The non-acceptance or refusal ruling to reconsider."""
    received_on: IsoDate
    """The day the agency received that ruling; its 15 days run from it."""
    applied_on: IsoDate
    grounds: LongText
    decide_by: IsoDate | None = Field(default=None, validate_default=True)
    """For a refusal, the higher court's 30 days (行政强制法 art. 58), counted from `applied_on`;
    a non-acceptance takes the routing table's 15 days (art. 56)."""

    @field_validator("applied_on")
    @classmethod
    def _within_15_days(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        received_on = info.data.get("received_on")
        if received_on is None:
            return value
        due = reconsideration_application_due(received_on, weekend_calendar)
        if not received_on <= value <= due + _HOLIDAY_SLACK:
            raise ValueError(
                f"行政强制法 arts 56, 58: apply for reconsideration within 15 days of {received_on}"
            )
        return value

    @field_validator("decide_by")
    @classmethod
    def _decide_by_counted(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        against, applied_on = info.data.get("against"), info.data.get("applied_on")
        if against is Reconsidered.NON_ACCEPTANCE and value is not None:
            raise ValueError(
                "a non-acceptance is decided in 15 days (art. 56); leave decide_by out"
            )
        if against is Reconsidered.REFUSAL:
            if value is None:
                raise ValueError("行政强制法 art. 58: a refusal's reconsideration states decide_by")
            first = applied_on + dt.timedelta(days=REFUSAL_DECISION_DAYS) if applied_on else None
            if first and not first <= value <= first + _HOLIDAY_SLACK:
                raise ValueError(f"行政强制法 art. 58: the higher court rules in 30 days ({first})")
        return value


class ReconsiderationOutcome(StrEnum):
    UPHELD = "upheld"
    """维持: the non-acceptance or refusal stands."""
    REVERSED = "reversed"
    """撤销: the court below accepts (or the application is granted)."""


class NonlitigationReconsiderationRuled(Payload):
    """The higher court's decision on a reconsideration."""

    event_type = "nonlitigation.reconsideration.ruled.v1"
    case_no: ReconsiderationCaseNo
    application_no: Text
    outcome: ReconsiderationOutcome
    ruled_on: IsoDate
    reason: LongText | None = None
