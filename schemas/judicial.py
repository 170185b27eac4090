"""Judicial suggestions (司法建议): the court points a unit to problems found in its cases, and the
unit replies in writing.

Legal rules: 《最高人民法院关于综合治理类司法建议工作若干问题的规定》 法释〔2023〕11号 (numbering
××法建〔年〕×号, a written reply generally within 2 months, tracked by the court).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, ValidationInfo, field_validator

from schemas.common import LongText, Name, Payload, Text, UnitRef
from schemas.dates import IsoDate
from schemas.documents import Attachments
from schemas.identifiers import CaseNo, SuggestionNo

if TYPE_CHECKING:
    import datetime as dt


class JudicialSuggestionIssued(Payload):
    """The court issues a judicial suggestion (司法建议书) to a unit, copied to justice."""

    event_type = "judicial.suggestion.issued.v1"
    suggestion_no: SuggestionNo
    court: Name
    recipient: UnitRef
    """The unit the suggestion is addressed to (被建议单位)."""
    case_no: CaseNo | None = None
    """The case in which the problems came to light, if one."""
    title: Text
    problems: tuple[LongText, ...] = Field(min_length=1)
    """Problems found (发现的问题)."""
    suggestions: tuple[LongText, ...] = Field(min_length=1)
    """Suggestions answering the problems (建议)."""
    issued_on: IsoDate
    reply_by: IsoDate
    """Deadline for the written reply (反馈时限), normally 2 months after issued_on."""
    attachments: Attachments | None = None
    """The signed suggestion itself (司法建议书) and any documents it refers to."""

    @field_validator("reply_by")
    @classmethod
    def _reply_after_issue(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        issued_on = info.data.get("issued_on")
        if issued_on and value <= issued_on:
            raise ValueError(f"reply_by must be after issued_on ({issued_on})")
        return value


class JudicialSuggestionReplied(Payload):
    """The unit's written reply to a judicial suggestion (书面回复)."""

    event_type = "judicial.suggestion.replied.v1"
    suggestion_no: SuggestionNo
    replied_on: IsoDate
    measures: tuple[LongText, ...] = Field(min_length=1)
    """What the unit did or will do about each suggestion (整改措施)."""
    summary: LongText | None = None
