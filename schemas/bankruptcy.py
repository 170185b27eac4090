"""Bankruptcy information sharing (破产信息共享): the court tells the bankruptcy-linkage units of
each stage; tax files its claims, market supervision reports the deregistration.

Legal rules: 企业破产法 art. 14 (announcement within 25 days of acceptance), art. 45 (claims period
30 days to 3 months from the announcement), art. 62 (first creditors' meeting within 15 days after
the claims period), arts 43, 86, 105, 120 (termination), art. 121 (deregistration); 国家税务总局公告
2019年第48号 (tax claims computed to the acceptance date).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, Name, Payload, Phone, Record, Text
from schemas.dates import CHINA_TIME, IsoDate, Timestamp, add_months, not_before
from schemas.identifiers import CaseNo, Uscc
from schemas.rules import case_no_checker, case_no_schema, json_rules, when

_LAW: Final = "企业破产法"
BankruptcyCaseNo = Annotated[
    CaseNo,
    case_no_checker("破", rule=f"{_LAW}: a bankruptcy proceeding is a 破 case"),
    case_no_schema("破"),
]


class Enterprise(Record):
    """The debtor enterprise, by its unified social credit code."""

    name: Name
    uscc: Uscc


class Administrator(Record):
    """The bankruptcy administrator (管理人) appointed with the acceptance (art. 13)."""

    name: Name
    """E.g. the law firm or liquidation group appointed."""
    address: Text | None = None
    phone: Phone | None = None


class Procedure(StrEnum):
    LIQUIDATION = "liquidation"
    """破产清算."""
    REORGANIZATION = "reorganization"
    """重整."""
    SETTLEMENT = "settlement"
    """和解."""


class BankruptcyAccepted(Payload):
    """The court accepts a bankruptcy application (受理) and appoints the administrator."""

    event_type = "bankruptcy.accepted.v1"
    case_no: BankruptcyCaseNo
    court: Name
    debtor: Enterprise
    procedure: Procedure
    accepted_on: IsoDate
    announced_on: IsoDate | None = None
    """Date of the acceptance announcement; the claims period counts from it (art. 45)."""
    administrator: Administrator
    claims_deadline: IsoDate
    """Last day for filing claims (债权申报期限届满日)."""
    first_meeting_at: Timestamp

    @field_validator("announced_on")
    @classmethod
    def _announced_in_time(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        not_before(value, info, "accepted_on", rule=f"{_LAW} art. 14")
        accepted_on = info.data.get("accepted_on")
        if value and accepted_on and value > accepted_on + dt.timedelta(days=25):
            raise ValueError(
                f"{_LAW} art. 14: the acceptance is announced within 25 days of accepted_on "
                f"(by {accepted_on + dt.timedelta(days=25)})"
            )
        return value

    @field_validator("claims_deadline")
    @classmethod
    def _claims_period(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        announced = info.data.get("announced_on") or info.data.get("accepted_on")
        if announced is None:
            return value
        earliest, latest = announced + dt.timedelta(days=30), add_months(announced, 3)
        if not earliest <= value <= latest:
            raise ValueError(
                f"{_LAW} art. 45: the claims period runs 30 days to 3 months from the "
                f"announcement ({announced}): claims_deadline between {earliest} and {latest}"
            )
        return value

    @field_validator("first_meeting_at")
    @classmethod
    def _first_meeting_in_time(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        deadline = info.data.get("claims_deadline")
        meeting_day = value.astimezone(CHINA_TIME).date()
        if deadline and not deadline <= meeting_day <= deadline + dt.timedelta(days=15):
            raise ValueError(
                f"{_LAW} art. 62: the first creditors' meeting is held within 15 days after "
                f"the claims deadline ({deadline} to {deadline + dt.timedelta(days=15)})"
            )
        return value


class _CourtRuling(Payload):
    """A ruling in the proceeding: its date and number."""

    case_no: BankruptcyCaseNo
    court: Name
    debtor: Enterprise
    date: IsoDate
    """Date of the ruling."""
    ruling_no: Text
    """Number of the ruling (裁定书文号)."""


class BankruptcyDeclared(_CourtRuling):
    """The court declares the debtor bankrupt (宣告破产, art. 107)."""

    event_type = "bankruptcy.declared.v1"


class BankruptcyReorganizationApproved(_CourtRuling):
    """The court approves the reorganisation plan (批准重整计划, art. 86)."""

    event_type = "bankruptcy.reorganization.approved.v1"


class TerminationGround(StrEnum):
    INSUFFICIENT_ASSETS = "insufficient_assets"
    """Assets do not cover the bankruptcy costs (art. 43)."""
    SETTLEMENT = "settlement"
    """Settlement agreement approved, or reached out of court (arts 98, 105)."""
    NO_DISTRIBUTABLE_ASSETS = "no_distributable_assets"
    """Nothing to distribute (art. 120 para. 1)."""
    DISTRIBUTION_COMPLETED = "distribution_completed"
    """Final distribution completed (art. 120 para. 2)."""


class BankruptcyTerminated(_CourtRuling):
    """The court terminates the proceeding (终结破产程序); samr deregisters the debtor."""

    event_type = "bankruptcy.terminated.v1"
    ground: TerminationGround


class ClaimKind(StrEnum):
    """Kinds of claim a creditor unit files. Tax (公告2019年第48号): late fees and interest are
    ordinary claims, taxes rank under art. 113 (2). Employees' and social-insurance claims
    (hrss, medins): art. 113 (1) and (2)."""

    TAX = "tax"
    LATE_FEE = "late_fee"
    FINE = "fine"
    SPECIAL_ADJUSTMENT_INTEREST = "special_adjustment_interest"
    SOCIAL_INSURANCE = "social_insurance"
    """Social-insurance arrears other than the employees' individual-account part (art. 113 (2)),
    declared by the insurance agency."""
    OTHER = "other"
    # --- wage and social-insurance claims (art. 48, art. 113) ---
    WAGES = "wages"
    """Wages, medical, disability and survivor allowances and statutory compensation owed to
    employees (art. 113 (1)). Not declared (art. 48 para. 2): hrss reports the arrears it knows
    for the administrator's list of employees' claims."""
    PERSONAL_ACCOUNT_INSURANCE = "personal_account_insurance"
    """Basic pension and medical contributions due to the employees' individual accounts
    (art. 113 (1)), declared by the insurance agency (hrss for pension, medins for medical)."""
    MEDICAL_INSURANCE = "medical_insurance"
    """Medical-insurance arrears other than the individual-account part (art. 113 (2)), declared
    by medins."""


EMPLOYEE_CLAIMS: Final = frozenset({ClaimKind.WAGES, ClaimKind.PERSONAL_ACCOUNT_INSURANCE})
"""Kinds that concern named employees: the item gives their number, never their names (the
administrator lists each employee's claim, art. 48 para. 2)."""


class ClaimItem(Record):
    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("kind", sorted(EMPLOYEE_CLAIMS), require=["employees"]),
        )
    )
    kind: ClaimKind
    description: Text
    """E.g. 增值税 2023-01 至 2023-12."""
    amount: Fen
    employees: int | None = Field(default=None, ge=1, strict=True, validate_default=True)
    """How many employees the item concerns (wages and individual-account contributions only)."""

    @field_validator("employees")
    @classmethod
    def _employees_counted(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("kind") in EMPLOYEE_CLAIMS and value is None:
            raise ValueError(
                "企业破产法 art. 48: an employees' claim states how many employees it concerns"
            )
        return value


class BankruptcyClaimDeclared(Payload):
    """A creditor unit files its claims with the administrator: tax its taxes, hrss its
    social-insurance arrears and the wage arrears it knows, medins its medical-insurance
    arrears."""

    event_type = "bankruptcy.claim.declared.v1"
    case_no: BankruptcyCaseNo
    creditor: Name
    """The filing unit, e.g. 国家税务总局舞阳县税务局."""
    computed_to: IsoDate
    """Claims are computed up to the acceptance date (公告2019年第48号)."""
    declared_on: IsoDate
    items: tuple[ClaimItem, ...] = Field(min_length=1)
    total: Fen

    @field_validator("total")
    @classmethod
    def _total_adds_up(cls, value: int, info: ValidationInfo) -> int:
        items = info.data.get("items")
        if items and value != sum(item.amount for item in items):
            total = sum(item.amount for item in items)
            raise ValueError(f"total must equal the sum of items ({total} fen)")
        return value


class BankruptcyDeregistrationReported(Payload):
    """Market supervision reports that the terminated debtor is deregistered (art. 121)."""

    event_type = "bankruptcy.deregistration.reported.v1"
    case_no: BankruptcyCaseNo
    debtor: Enterprise
    authority: Name
    """The registration authority, e.g. 舞阳县市场监督管理局."""
    terminated_on: IsoDate | None = None
    """Date of the termination ruling the deregistration rests on."""
    deregistered_on: IsoDate

    @field_validator("deregistered_on")
    @classmethod
    def _after_termination(cls, value: dt.date, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "terminated_on", rule=f"{_LAW} art. 121")
