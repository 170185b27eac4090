"""Enforcement inquiry (执行查询): the court asks units what a debtor owns.

Legal rules: 《最高人民法院关于网络查询、冻结被执行人存款的规定》 (officers pre-registered with
the assisting unit; network inquiries only on debtors). Control requests are in `schemas.control`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, TypeVar

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Payload, Record, Subject, Text
from schemas.dates import IsoDate
from schemas.identifiers import CaseNo
from schemas.rules import case_no_checker, case_no_schema, json_rules

_ENFORCEMENT_TYPES: Final = ("执", "执恢", "执保")
EnforcementCaseNo = Annotated[
    CaseNo,
    case_no_checker(*_ENFORCEMENT_TYPES, rule="inquiry and control serve an enforcement case"),
    case_no_schema(*_ENFORCEMENT_TYPES),
]


class QueryCategory(StrEnum):
    """Asset categories of the network inquiry system (查控 16类25项, grouped)."""

    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    EQUITY = "equity"
    TAX = "tax"
    SOCIAL_SECURITY = "social_security"
    PROVIDENT_FUND = "provident_fund"
    DEPOSIT = "deposit"
    SECURITIES = "securities"
    FINANCIAL_PRODUCT = "financial_product"
    INSURANCE = "insurance"
    SHIP = "ship"
    NETWORK_FUNDS = "network_funds"
    BUSINESS_REGISTRATION = "business_registration"
    HOUSEHOLD_REGISTRATION = "household_registration"


class Officer(Record):
    """The enforcement officer, whose credentials the unit holds on file (2013 rule art. 2)."""

    name: Name
    work_id: Text
    """Number of the officer's work credential (工作证编号)."""


_T = TypeVar("_T")


def _unique(values: tuple[_T, ...], what: str) -> tuple[_T, ...]:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must not repeat")
    return values


class EnforcementQueryRequested(Payload):
    """The court asks the units in `to` what the subjects own (电子协助查询)."""

    event_type = "enforcement.query.requested.v1"
    request_no: Text
    """The court's inquiry request number (查询请求单号)."""
    case_no: EnforcementCaseNo
    court: Name
    officer: Officer
    subjects: tuple[Subject, ...] = Field(min_length=1, max_length=200)
    """Debtors of the case; network inquiries on anyone else are unlawful (2013 rule art. 7)."""
    categories: tuple[QueryCategory, ...] = Field(
        min_length=1, json_schema_extra={"uniqueItems": True}
    )
    reply_by: IsoDate | None = None
    """Overrides the default reply deadline (3 working days)."""

    @field_validator("subjects")
    @classmethod
    def _distinct_subjects(cls, value: tuple[Subject, ...]) -> tuple[Subject, ...]:
        _unique(tuple((subject.id_type, subject.id_no) for subject in value), "subjects")
        return value

    @field_validator("categories")
    @classmethod
    def _distinct_categories(cls, value: tuple[QueryCategory, ...]) -> tuple[QueryCategory, ...]:
        return _unique(value, "categories")


class AssetRecord(Record):
    """One asset found: what it is, how the unit identifies it, and what already burdens it."""

    category: QueryCategory
    description: Text
    """E.g. 坐落 of a flat, make and model of a car, bank and account type."""
    identifier: Text
    """The unit's own key: 不动产权证号 / 不动产单元号, plate number, account number …"""
    value: Fen | None = None
    """Balance or registered value, when the unit knows it."""
    encumbrances: LongText | None = None
    """Existing seals, freezes or mortgages, as registered."""


_FOUND_IS: Final = {
    flag: {"properties": {"found": {"const": flag}}, "required": ["found"]}
    for flag in (True, False)
}


class QueryResult(Record):
    """What the unit holds on one subject of the request."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            {"if": _FOUND_IS[True], "then": {"properties": {"records": {"minItems": 1}}}},
            {"if": _FOUND_IS[False], "then": {"properties": {"records": {"maxItems": 0}}}},
        )
    )
    subject: Subject
    found: bool
    records: tuple[AssetRecord, ...] = ()

    @field_validator("records")
    @classmethod
    def _records_match_found(
        cls, value: tuple[AssetRecord, ...], info: ValidationInfo
    ) -> tuple[AssetRecord, ...]:
        found = info.data.get("found")
        if found is True and not value:
            raise ValueError("found is true: list the records found")
        if found is False and value:
            raise ValueError("found is false: records must be empty")
        return value


class EnforcementQueryAnswered(Payload):
    """A unit's answer to an inquiry (查询结果反馈)."""

    event_type = "enforcement.query.answered.v1"
    request_no: Text
    case_no: EnforcementCaseNo
    answered_on: IsoDate
    results: tuple[QueryResult, ...] = Field(min_length=1)
