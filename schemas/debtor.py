"""Dishonest-debtor list (失信被执行人名单) and joint punishment (联合惩戒).

Legal rules: 《最高人民法院关于公布失信被执行人名单信息的若干规定》 法释〔2017〕7号 — art. 1
(the six grounds), art. 2 (a listing on grounds 2–6 lasts 2 years, extendable by 1–3 years for
violent obstruction or several grounds; early deletion), art. 6 (what a listing records); the
deletion grounds (2013 text art. 7); the joint-punishment memorandum 发改财金〔2016〕141号
(measures by article).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Party, Payload, Record, Text
from schemas.dates import IsoDate, Timestamp, add_years, not_before
from schemas.identifiers import CaseNo
from schemas.rules import case_no_checker, case_no_schema, json_rules, when

_LISTING_RULE: Final = "法释〔2017〕7号 art. 2"
ListingCaseNo = Annotated[
    CaseNo,
    case_no_checker(
        "执", "执恢", rule="法释〔2017〕7号 art. 6: a listing names its enforcement case"
    ),
    case_no_schema("执", "执恢"),
]


class DishonestConduct(StrEnum):
    """The grounds for listing, 法释〔2017〕7号 art. 1 (1)–(6)."""

    REFUSES_DESPITE_ABILITY = "refuses_despite_ability"
    """(1) 有履行能力而拒不履行生效法律文书确定义务."""
    OBSTRUCTS_ENFORCEMENT = "obstructs_enforcement"
    """(2) 以伪造证据、暴力、威胁等方法妨碍、抗拒执行."""
    EVADES_ENFORCEMENT = "evades_enforcement"
    """(3) 以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行."""
    VIOLATES_PROPERTY_REPORTING = "violates_property_reporting"
    """(4) 违反财产报告制度."""
    VIOLATES_CONSUMPTION_BAN = "violates_consumption_ban"
    """(5) 违反限制消费令."""
    BREAKS_SETTLEMENT = "breaks_settlement"
    """(6) 无正当理由拒不履行执行和解协议."""


class Performance(StrEnum):
    NOT_PERFORMED = "not_performed"
    """全部未履行."""
    PARTIALLY_PERFORMED = "partially_performed"
    """部分履行."""


class Basis(Record):
    """The enforcement basis: who issued it and its number (执行依据)."""

    issuer: Name
    """E.g. 舞阳县人民法院, or an arbitration commission."""
    doc_no: Text
    """E.g. （2023）豫1121民初456号."""


def _performed_matches(value: int | None, info: ValidationInfo) -> int | None:
    performance = info.data.get("performance")
    if performance is Performance.PARTIALLY_PERFORMED and not value:
        raise ValueError("partially_performed: state the amount performed (fen, > 0)")
    if performance is Performance.NOT_PERFORMED and value:
        raise ValueError("not_performed: the amount performed must be 0 or absent")
    return value


def _period_end_problem(
    period_end: dt.date | None, listed_on: dt.date, conduct: tuple[DishonestConduct, ...]
) -> str | None:
    fixed_term = any(c is not DishonestConduct.REFUSES_DESPITE_ABILITY for c in conduct)
    if period_end is None:
        if fixed_term:
            return (
                f"{_LISTING_RULE}: a listing on grounds (2)-(6) runs for a fixed period; "
                f"give period_end (normally {add_years(listed_on, 2)})"
            )
        return None
    if period_end <= listed_on:
        return f"period_end must be after listed_on ({listed_on})"
    extendable = DishonestConduct.OBSTRUCTS_ENFORCEMENT in conduct or len(set(conduct)) > 1
    if not extendable and period_end > add_years(listed_on, 2):
        return (
            f"{_LISTING_RULE}: a listing runs 2 years from listed_on (until "
            f"{add_years(listed_on, 2)}); it may be extended only for violent obstruction "
            "or several grounds"
        )
    if period_end > add_years(listed_on, 5):
        return (
            f"{_LISTING_RULE}: a listing runs at most 2 years plus an extension of 1-3 years "
            f"(until {add_years(listed_on, 5)})"
        )
    return None


class DebtorListed(Payload):
    """The court lists a dishonest debtor (纳入失信被执行人名单); units apply joint punishment."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("performance", [Performance.PARTIALLY_PERFORMED], require=["performed"])
        )
    )
    event_type = "debtor.listed.v1"
    listing_id: Text
    """The list's record id; later corrections, deletions and feedback refer to it."""
    case_no: ListingCaseNo
    court: Name
    case_filed_on: IsoDate
    """Filing date of the enforcement case (立案日期)."""
    decision_no: Text | None = None
    """Number of the listing decision (决定书), when numbered separately from the case."""
    debtor: Party
    basis: Basis
    duty: LongText
    """The duty fixed by the effective legal document (生效法律文书确定的义务)."""
    performance: Performance
    performed: Fen | None = Field(default=None, validate_default=True)
    """Amount already performed, in fen (已履行部分)."""
    conduct: tuple[DishonestConduct, ...] = Field(
        min_length=1, json_schema_extra={"uniqueItems": True}
    )
    listed_on: IsoDate
    period_end: IsoDate | None = Field(default=None, validate_default=True)
    """End of the listing period; may be absent only for ground (1), which lasts until
    performance."""

    _check_performed = field_validator("performed")(_performed_matches)

    @field_validator("conduct")
    @classmethod
    def _distinct_grounds(cls, value: tuple[DishonestConduct, ...]) -> tuple[DishonestConduct, ...]:
        if len(set(value)) != len(value):
            raise ValueError("conduct must not repeat a ground")
        return value

    @field_validator("listed_on")
    @classmethod
    def _listed_after_filing(cls, value: dt.date, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "case_filed_on", rule="a debtor is listed in a filed case")

    @field_validator("period_end")
    @classmethod
    def _period_within_limit(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        listed_on, conduct = info.data.get("listed_on"), info.data.get("conduct")
        problem = (
            _period_end_problem(value, listed_on, conduct)
            if isinstance(listed_on, dt.date) and conduct
            else None
        )
        if problem:
            raise ValueError(problem)
        return value


class ListingChanges(Record):
    """The corrected fields of a listing, with their new values; at least one."""

    debtor: Party | None = None
    basis: Basis | None = None
    duty: LongText | None = None
    performance: Performance | None = None
    performed: Fen | None = None
    conduct: tuple[DishonestConduct, ...] | None = Field(default=None, min_length=1)
    period_end: IsoDate | None = None


class DebtorCorrected(Payload):
    """The court corrects a listing (纠正), on the debtor's application or of its own motion."""

    event_type = "debtor.corrected.v1"
    listing_id: Text
    case_no: ListingCaseNo
    corrected_on: IsoDate
    changes: ListingChanges = Field(json_schema_extra={"minProperties": 1})
    reason: LongText

    @field_validator("changes")
    @classmethod
    def _something_changes(cls, value: ListingChanges) -> ListingChanges:
        if all(getattr(value, name) is None for name in ListingChanges.model_fields):
            raise ValueError("name at least one corrected field of the listing")
        return value


class DelistingGround(StrEnum):
    """Why a listing is deleted (2013 text art. 7; 法释〔2017〕7号 art. 2 for early deletion)."""

    FULFILLED = "fulfilled"
    """履行完毕."""
    SETTLEMENT = "settlement"
    """和解协议履行完毕."""
    TERMINATED = "terminated"
    """终结执行."""
    EXPIRED = "expired"
    """期满."""
    EARLY = "early"
    """提前删除 (the debtor actively performed)."""


class DebtorDelisted(Payload):
    """The court deletes a listing (屏蔽/删除); units lift their measures."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(when("ground", [DelistingGround.EARLY], require=["reason"]))
    )
    event_type = "debtor.delisted.v1"
    listing_id: Text
    case_no: ListingCaseNo
    ground: DelistingGround
    delisted_on: IsoDate
    reason: LongText | None = Field(default=None, validate_default=True)
    """Required for an early deletion."""

    @field_validator("reason")
    @classmethod
    def _early_needs_reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("ground") is DelistingGround.EARLY:
            raise ValueError(f"{_LISTING_RULE}: an early deletion must give its reason")
        return value


class SanctionAction(StrEnum):
    APPLIED = "applied"
    LIFTED = "lifted"


class Measure(Record):
    """One joint-punishment measure a unit applied or lifted (惩戒措施反馈)."""

    memo_article: int = Field(ge=1, le=100, strict=True)
    """Article of the memorandum 发改财金〔2016〕141号 the measure implements."""
    measure: Text
    """E.g. 限制申请补贴性资金和社会保障资金."""
    action: SanctionAction
    applied_at: Timestamp
    """When the measure was applied or lifted."""
    result: LongText
    """What happened, e.g. the application that was refused."""


class NoMeasureReason(StrEnum):
    """Why a unit applies, keeps or lifts no measure on a listing (无可实施的惩戒措施)."""

    NOT_IN_REGISTERS = "not_in_registers"
    """The debtor is unknown to the unit's registers (本单位无该主体登记或业务记录)."""
    NO_APPLICABLE_MEASURE = "no_applicable_measure"
    """The debtor is known, but none of the unit's measures applies to it (e.g. a measure for
    organisations against a natural person), or the unit had applied none to lift or carry."""
    OTHER = "other"
    """Another reason, stated in `detail`."""


class NoMeasure(Record):
    """The unit's answer when no measure applies: why, in a code and in words."""

    reason: NoMeasureReason
    detail: LongText
    """What the unit checked and found, e.g. 经核查本局征管系统无该纳税人登记信息."""


class DebtorSanctionReported(Payload):
    """A unit reports the measures it took on a listing, correction or deletion, or that no
    measure applies (`no_measure`, with its reason): either answers the delivery on time."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            {
                "oneOf": [
                    {
                        "required": ["measures"],
                        "properties": {
                            "measures": {"type": "array"},
                            "no_measure": {"type": "null"},
                        },
                    },
                    {
                        "required": ["no_measure"],
                        "properties": {
                            "measures": {"type": "null"},
                            "no_measure": {"type": "object"},
                        },
                    },
                ]
            }
        )
    )
    event_type = "debtor.sanction.reported.v1"
    listing_id: Text
    case_no: ListingCaseNo
    measures: tuple[Measure, ...] | None = Field(default=None, min_length=1)
    """The measures applied or lifted; absent when `no_measure` says why there are none."""
    no_measure: NoMeasure | None = Field(default=None, validate_default=True)
    """Why no measure applies; absent when `measures` are reported."""

    @field_validator("no_measure")
    @classmethod
    def _measures_or_why_not(
        cls, value: NoMeasure | None, info: ValidationInfo
    ) -> NoMeasure | None:
        if "measures" not in info.data:  # measures failed: its own error says why
            return value
        measures = info.data["measures"]
        if value is None and measures is None:
            raise ValueError("report the measures, or state in no_measure why none applies")
        if value is not None and measures is not None:
            raise ValueError("no_measure excludes measures: report one or the other")
        return value
