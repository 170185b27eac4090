"""Bankruptcy follow-up (破产后续联动): preservation measures released on acceptance, credit
repair after an approved reorganisation, and the zombie-company list.

Legal rules: 企业破产法 art. 19 (after acceptance, preservation measures on the debtor's property
are released and enforcement against it is suspended); 《最高人民法院关于适用〈中华人民共和国企业
破产法〉若干问题的规定（二）》 art. 7 (a unit holding such a measure releases it 及时 once it knows
of the acceptance); 企业破产法 art. 86 and 发改财金规〔2021〕274号 (credit repair of a reorganised
debtor); 舞政文〔2022〕56号 二(一)3 (信用修复); 长春新区 2020 二(二)2 (僵尸企业 exchanged
between the government and the court for market exit).

Every party here is an enterprise, identified by its USCC; no natural person is named.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.bankruptcy import BankruptcyCaseNo, Enterprise
from schemas.common import LongText, Name, Payload, Record, Text, UnitRef
from schemas.control import AssetKind
from schemas.dates import IsoDate, after, not_before
from schemas.identifiers import CaseNo
from schemas.rules import json_rules, when

if TYPE_CHECKING:
    import datetime as dt

_ART19: Final = "企业破产法 art. 19"


def _unique(values: tuple[Record, ...], key: str, what: str) -> None:
    seen: set[object] = set()
    for value in values:
        item = getattr(value, key)
        if item in seen:
            raise ValueError(f"{what} {item} is listed twice")
        seen.add(item)


# --- art 19: release of preservation measures ----------------------------------------------------


class HeldMeasure(Record):
    """One preservation or enforcement measure the addressed unit registered on the debtor's
    property, as the court knows it from its control request."""

    request_no: Text
    """The control request that imposed the measure (控制请求单号)."""
    ruling_no: Text
    """The ruling ordering it (裁定书文号)."""
    case_no: CaseNo
    """The case in which it was ordered (执, 执保, 财保, 民初 …)."""
    asset_kind: AssetKind
    asset_identifier: Text
    """不动产权证号, plate number, the company's USCC for equity … as the unit registers it."""


class BankruptcyMeasuresReleaseRequested(Payload):
    """The bankruptcy court asks one unit holding measures on the debtor's property to release
    them and suspend enforcement (art. 19); one request per holding unit, listing only its own
    measures."""

    event_type = "bankruptcy.measures.release_requested.v1"
    request_no: Text
    """The court's number of this release request."""
    case_no: BankruptcyCaseNo
    court: Name
    debtor: Enterprise
    accepted_on: IsoDate
    """Date of the acceptance ruling; the measures lose their ground from it."""
    acceptance_ruling_no: Text
    """Number of the acceptance ruling (受理裁定书文号)."""
    measures: tuple[HeldMeasure, ...] = Field(min_length=1, max_length=200)
    reply_by: IsoDate | None = None
    """Overrides the default reply deadline (3 working days)."""

    @field_validator("measures")
    @classmethod
    def _each_measure_once(cls, value: tuple[HeldMeasure, ...]) -> tuple[HeldMeasure, ...]:
        _unique(value, "request_no", "measure")
        return value

    @field_validator("reply_by")
    @classmethod
    def _reply_after_acceptance(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "accepted_on", rule=_ART19)


class ReleaseOutcome(StrEnum):
    RELEASED = "released"
    """解除: the measure is lifted on the register."""
    NOT_HELD = "not_held"
    """The unit holds no such measure (never registered, lapsed or released before)."""


class MeasureRelease(Record):
    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [ReleaseOutcome.RELEASED], require=["released_on"]),
            when("outcome", [ReleaseOutcome.NOT_HELD], require=["reason"], forbid=["released_on"]),
        )
    )
    request_no: Text
    """The control request of the measure, as listed in the release request."""
    outcome: ReleaseOutcome
    released_on: IsoDate | None = Field(default=None, validate_default=True)
    registration_no: Text | None = None
    """The unit's business number of the release (业务号)."""
    reason: Text | None = Field(default=None, validate_default=True)
    """Why the measure is not held; only for not_held."""

    @field_validator("released_on")
    @classmethod
    def _date_iff_released(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        outcome = info.data.get("outcome")
        if outcome is ReleaseOutcome.RELEASED and value is None:
            raise ValueError(f"{_ART19}: a released measure states the day it was released")
        if outcome is ReleaseOutcome.NOT_HELD and value is not None:
            raise ValueError("not_held: nothing was released, so no released_on")
        return value

    @field_validator("reason")
    @classmethod
    def _reason_iff_not_held(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") is ReleaseOutcome.NOT_HELD and value is None:
            raise ValueError("not_held: say why (e.g. released before, never registered)")
        return value


class BankruptcyMeasuresReleased(Payload):
    """The unit reports, measure by measure, that it released it or does not hold it."""

    event_type = "bankruptcy.measures.released.v1"
    request_no: Text
    """The release request answered."""
    case_no: BankruptcyCaseNo
    answered_on: IsoDate
    results: tuple[MeasureRelease, ...] = Field(min_length=1, max_length=200)

    @field_validator("results")
    @classmethod
    def _each_measure_once(cls, value: tuple[MeasureRelease, ...]) -> tuple[MeasureRelease, ...]:
        _unique(value, "request_no", "measure")
        return value


# --- credit repair after an approved reorganisation ----------------------------------------------


class CreditRepairMeasure(StrEnum):
    """What each unit repairs once the reorganisation plan is approved."""

    CREDIT_REFERENCE = "credit_reference"
    """pboc: records the reorganisation in the credit-reference report (征信 添加重整信息)."""
    TAX_CREDIT = "tax_credit"
    """tax: re-rates the taxpayer's credit (纳税信用修复)."""
    ABNORMAL_OPERATIONS_LIST = "abnormal_operations_list"
    """samr: removes the debtor from the list of abnormal operations (移出经营异常名录)."""


class BankruptcyCreditRepairRequested(Payload):
    """The court, after approving the reorganisation plan, asks pboc, tax and samr to repair the
    reorganised debtor's credit records."""

    event_type = "bankruptcy.credit_repair.requested.v1"
    request_no: Text
    case_no: BankruptcyCaseNo
    court: Name
    debtor: Enterprise
    approved_on: IsoDate
    """Date of the ruling approving the plan (art. 86)."""
    approval_ruling_no: Text
    """Number of that ruling (批准重整计划裁定书文号)."""
    measures: tuple[CreditRepairMeasure, ...] = Field(min_length=1, max_length=3)
    requested_on: IsoDate
    reply_by: IsoDate | None = None
    """Overrides the default reply deadline (15 working days)."""

    @field_validator("measures")
    @classmethod
    def _each_measure_once(
        cls, value: tuple[CreditRepairMeasure, ...]
    ) -> tuple[CreditRepairMeasure, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each credit-repair measure is requested once")
        return value

    @field_validator("requested_on")
    @classmethod
    def _after_approval(cls, value: dt.date, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "approved_on", rule="企业破产法 art. 86")

    @field_validator("reply_by")
    @classmethod
    def _reply_after_request(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return after(value, info, "requested_on", rule="reply_by")


class CreditRepairOutcome(StrEnum):
    REPAIRED = "repaired"
    NOT_APPLICABLE = "not_applicable"
    """Nothing to repair (e.g. the debtor is on no abnormal-operations list)."""
    REFUSED = "refused"
    """Not repaired, with the reason (e.g. a record the plan does not cover)."""


class BankruptcyCreditRepairReported(Payload):
    """A unit reports the credit repair it did (or why none was done)."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [CreditRepairOutcome.REFUSED], require=["reason"]),
        )
    )
    event_type = "bankruptcy.credit_repair.reported.v1"
    request_no: Text
    case_no: BankruptcyCaseNo
    measure: CreditRepairMeasure
    outcome: CreditRepairOutcome
    reported_on: IsoDate
    reason: Text | None = Field(default=None, validate_default=True)
    note: LongText | None = None

    @field_validator("reason")
    @classmethod
    def _refusal_reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") is CreditRepairOutcome.REFUSED and value is None:
            raise ValueError("refused: say why the record cannot be repaired")
        return value


# --- the zombie-company list (僵尸企业, 长春 二(二)2) --------------------------------------------


class ZombieIndicator(StrEnum):
    """Why an enterprise is on the list."""

    CONTINUOUS_LOSSES = "continuous_losses"
    """连续三年以上亏损."""
    CEASED_OPERATIONS = "ceased_operations"
    """停产停业, no annual report or tax filing."""
    ABNORMAL_OPERATIONS_LIST = "abnormal_operations_list"
    """在经营异常名录."""
    TAX_ARREARS = "tax_arrears"
    WAGE_ARREARS = "wage_arrears"
    ENFORCEMENT_CASES = "enforcement_cases"
    """Enforcement cases against it closed without satisfaction (终本)."""
    BANKRUPTCY_CASE = "bankruptcy_case"
    """A bankruptcy case is pending or accepted."""


class ZombieStatus(StrEnum):
    WATCH = "watch"
    """Identified, no exit route decided."""
    BANKRUPTCY_PROPOSED = "bankruptcy_proposed"
    """Exit by bankruptcy (清算 or 重整) proposed."""
    IN_BANKRUPTCY = "in_bankruptcy"
    DEREGISTERED = "deregistered"
    """Exited (注销 or 吊销)."""


class ZombieEnterprise(Enterprise):
    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("status", [ZombieStatus.IN_BANKRUPTCY], require=["case_no"]),
        )
    )
    indicators: tuple[ZombieIndicator, ...] = Field(min_length=1)
    status: ZombieStatus
    case_no: CaseNo | None = Field(default=None, validate_default=True)
    """The bankruptcy case, once there is one."""
    note: Text | None = None

    @field_validator("case_no")
    @classmethod
    def _case_when_in_bankruptcy(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("status") is ZombieStatus.IN_BANKRUPTCY and value is None:
            raise ValueError("in_bankruptcy: give the bankruptcy case number")
        return value


class BankruptcyZombieListShared(Payload):
    """A list of zombie enterprises exchanged between samr or ndrc and the court (each way): the
    government names the enterprises it has identified, the court returns the list with the
    bankruptcy cases it has. Receipted; no answer is owed."""

    event_type = "bankruptcy.zombie_list.shared.v1"
    list_no: Text
    """The issuer's number of the list, e.g. 舞发改僵〔2026〕1号."""
    issuer: UnitRef
    as_of: IsoDate
    enterprises: tuple[ZombieEnterprise, ...] = Field(min_length=1, max_length=1000)
    in_reply_to: Text | None = None
    """The list this one returns (the court's list answering the government's)."""

    @field_validator("enterprises")
    @classmethod
    def _each_enterprise_once(
        cls, value: tuple[ZombieEnterprise, ...]
    ) -> tuple[ZombieEnterprise, ...]:
        _unique(value, "uscc", "enterprise")
        return value
