"""Administrative cases (行政案件) against member units: filing, defence, hearing, the head's
appearance (负责人出庭应诉) and the judgment.

Legal rules: 行政诉讼法 art. 3 para. 3 (the head appears, or sends agency staff — never only a
lawyer), art. 67 (defence within 15 days); 《最高人民法院关于行政机关负责人出庭应诉若干问题的规定》
(2020) art. 5 (the appearance notice is served at least 3 days before the hearing), art. 8 (valid
reasons for not appearing).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import LongText, Name, Official, Party, Payload, Record, Text, UnitRef
from schemas.dates import CHINA_TIME, IsoDate, Timestamp
from schemas.documents import Attachments
from schemas.identifiers import CaseNo
from schemas.rules import case_no_checker, case_no_schema, json_rules, when

_APPEARANCE_RULE: Final = "最高人民法院关于行政机关负责人出庭应诉若干问题的规定"
FirstInstanceCaseNo = Annotated[
    CaseNo,
    case_no_checker("行初", rule="行政诉讼法: a new administrative case is a 行初 case"),
    case_no_schema("行初"),
]
_TRIAL_TYPES: Final = ("行初", "行终", "行再")
AdminCaseNo = Annotated[
    CaseNo,
    case_no_checker(
        *_TRIAL_TYPES, rule="行政诉讼法: an administrative trial is a 行初/行终/行再 case"
    ),
    case_no_schema(*_TRIAL_TYPES),
]


class AdmincaseFiled(Payload):
    """The court files a case against a unit; the complaint copy follows within 5 days."""

    event_type = "admincase.filed.v1"
    case_no: FirstInstanceCaseNo
    court: Name
    plaintiff: Party
    defendant: UnitRef
    """The defendant agency; the hub routes the case to this unit."""
    cause: Text
    """Cause of action (案由), e.g. 行政处罚."""
    claims: LongText | None = None
    """The plaintiff's claims (诉讼请求)."""
    filed_on: IsoDate
    attachments: Attachments | None = None
    """The documents served on the defendant, typically the complaint copy (起诉状副本)."""


class DocumentKind(StrEnum):
    DEFENCE = "defence"
    """答辩状."""
    EVIDENCE = "evidence"
    """Evidence the decision rests on (作出行政行为的证据)."""
    NORMATIVE_DOCUMENT = "normative_document"
    """Normative documents relied on (所依据的规范性文件)."""
    AUTHORISATION = "authorisation"
    """Power of attorney, identity documents of the agents."""


class Document(Record):
    kind: DocumentKind
    title: Text
    pages: int | None = Field(default=None, ge=1, strict=True)


class AdmincaseDefenceSubmitted(Payload):
    """The defendant unit submits its defence and evidence (行政诉讼法 art. 67)."""

    event_type = "admincase.defence.submitted.v1"
    case_no: FirstInstanceCaseNo
    submitted_on: IsoDate
    documents: tuple[Document, ...] = Field(
        min_length=1, json_schema_extra={"contains": {"properties": {"kind": {"const": "defence"}}}}
    )

    @field_validator("documents")
    @classmethod
    def _includes_defence(cls, value: tuple[Document, ...]) -> tuple[Document, ...]:
        if all(document.kind is not DocumentKind.DEFENCE for document in value):
            raise ValueError("行政诉讼法 art. 67: the defendant files a defence statement (答辩状)")
        return value


class AdmincaseHearingScheduled(Payload):
    """The court schedules a hearing and, where required, notifies the head to appear."""

    event_type = "admincase.hearing.scheduled.v1"
    case_no: AdminCaseNo
    court: Name
    noticed_on: IsoDate
    """Date the hearing notice (出庭通知书) is served."""
    hearing_at: Timestamp
    place: Text
    head_required: bool
    """The court requires the agency's head to appear (2020 rule art. 4)."""

    @field_validator("hearing_at")
    @classmethod
    def _three_days_notice(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        noticed_on = info.data.get("noticed_on")
        if noticed_on and value.astimezone(CHINA_TIME).date() < noticed_on + dt.timedelta(days=3):
            raise ValueError(
                f"{_APPEARANCE_RULE} art. 5: the notice is served at least 3 days before the "
                f"hearing: hearing_at on {noticed_on + dt.timedelta(days=3)} or later"
            )
        return value


class Head(Official):
    """The agency head appearing (正职、副职或分管负责人, 2020 rule art. 2)."""

    principal: bool
    """The principal head (正职) rather than a deputy."""


class AbsenceReason(StrEnum):
    """Why the head cannot appear (2020 rule art. 8)."""

    FORCE_MAJEURE = "force_majeure"
    ACCIDENT = "accident"
    NON_DELEGABLE_DUTY = "non_delegable_duty"
    """需要履行他人不能代替的公务."""
    OTHER = "other"
    """其他正当事由: explain in reason_detail."""


class AdmincaseAppearanceReported(Payload):
    """The defendant unit reports who appears at the hearing, or why the head cannot."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            {
                "if": {"properties": {"head_appears": {"const": True}}},
                "then": {"required": ["head"], "properties": {"reason": {"type": "null"}}},
                "else": {
                    "required": ["reason", "staff"],
                    "properties": {"head": {"type": "null"}, "staff": {"minItems": 1}},
                },
            },
            when("reason", [AbsenceReason.OTHER], require=["reason_detail"]),
        )
    )
    event_type = "admincase.appearance.reported.v1"
    case_no: AdminCaseNo
    hearing_at: Timestamp
    head_appears: bool
    head: Head | None = Field(default=None, validate_default=True)
    reason: AbsenceReason | None = Field(default=None, validate_default=True)
    reason_detail: LongText | None = Field(default=None, validate_default=True)
    staff: tuple[Official, ...] = Field(default=(), validate_default=True)
    """Agency staff appearing with or instead of the head (相应的工作人员)."""

    @field_validator("head")
    @classmethod
    def _head_named(cls, value: Head | None, info: ValidationInfo) -> Head | None:
        appears = info.data.get("head_appears")
        if appears is True and value is None:
            raise ValueError(f"{_APPEARANCE_RULE} art. 6: name the appearing head and post")
        if appears is False and value is not None:
            raise ValueError("head_appears is false: leave head out")
        return value

    @field_validator("reason")
    @classmethod
    def _absence_explained(
        cls, value: AbsenceReason | None, info: ValidationInfo
    ) -> AbsenceReason | None:
        appears = info.data.get("head_appears")
        if appears is False and value is None:
            raise ValueError(f"{_APPEARANCE_RULE} art. 8: give the reason the head cannot appear")
        if appears is True and value is not None:
            raise ValueError("head_appears is true: no absence reason")
        return value

    @field_validator("reason_detail")
    @classmethod
    def _other_reason_detailed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("reason") is AbsenceReason.OTHER:
            raise ValueError(f"{_APPEARANCE_RULE} art. 8: explain the other justified reason")
        return value

    @field_validator("staff")
    @classmethod
    def _someone_appears(
        cls, value: tuple[Official, ...], info: ValidationInfo
    ) -> tuple[Official, ...]:
        if info.data.get("head_appears") is False and not value:
            raise ValueError(
                "行政诉讼法 art. 3: a head who cannot appear sends agency staff, not only a lawyer"
            )
        return value


class Outcome(StrEnum):
    AGENCY_WON = "agency_won"
    AGENCY_LOST = "agency_lost"
    WITHDRAWN = "withdrawn"
    MEDIATED = "mediated"


class AdmincaseJudged(Payload):
    """The court decides the case; the outcome feeds the annual administrative-case report."""

    event_type = "admincase.judged.v1"
    case_no: AdminCaseNo
    outcome: Outcome
    judged_on: IsoDate
    head_appeared: bool
    """Whether the agency head appeared in this instance (2020 rule art. 12: recorded)."""
    document_no: Text | None = None
    """Number of the judgment or ruling, when it differs from the case number."""
