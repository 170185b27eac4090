"""Non-litigation enforcement (行政非诉执行): a unit without enforcement power asks the court to
enforce its administrative decision; the court reviews it (行审) and rules.

Legal rules: 行政强制法 art. 54 (apply only after a written reminder (催告) has gone unheeded for
10 days), arts 57–58 (the court rules, refusing only on stated grounds); 行诉解释 art. 161
(grounds for refusing).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Party, Payload, Text
from schemas.dates import IsoDate
from schemas.identifiers import CaseNo
from schemas.rules import case_no_checker, case_no_schema, json_rules, when

_REMINDER_DAYS: Final = 10
ReviewCaseNo = Annotated[
    CaseNo,
    case_no_checker("行审", rule="行诉解释 art. 160: the application is reviewed as a 行审 case"),
    case_no_schema("行审"),
]


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
