"""The joint-meeting mechanism's own traffic: supervised tasks (府院"双清单" with 督办) and
changes of liaison officers (联络员)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Contact, LongText, Payload, Record, Text, Unit, UnitRef
from schemas.dates import IsoDate, not_before
from schemas.rules import json_rules

if TYPE_CHECKING:
    import datetime as dt


class TaskList(StrEnum):
    """The two lists of the mechanism (府院"双清单")."""

    GOV = "gov"
    """Tasks of the government side (政府清单)."""
    COURT = "court"
    """Tasks of the court side (法院清单)."""


class LinkageTaskAssigned(Payload):
    """The joint-meeting office assigns a task with an owner, a responsible person and a due
    date (清单台账)."""

    event_type = "linkage.task.assigned.v1"
    task_id: Text
    list: TaskList
    title: Text
    description: LongText | None = None
    owner: UnitRef
    responsible: Contact
    """The responsible person (责任人) at the owner unit."""
    assigned_on: IsoDate
    due: IsoDate

    @field_validator("due")
    @classmethod
    def _due_after_assignment(cls, value: dt.date, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "assigned_on", rule="a task falls due after assignment")


class TaskStatus(StrEnum):
    PROGRESS = "progress"
    DONE = "done"


class Evidence(Record):
    """Proof of what was done: a document, its number or a link."""

    title: Text
    reference: Text


class LinkageTaskReported(Payload):
    """The owner unit reports progress on a task, or its completion with evidence."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            {
                "if": {"properties": {"status": {"const": "done"}}, "required": ["status"]},
                "then": {"required": ["evidence"], "properties": {"evidence": {"minItems": 1}}},
            }
        )
    )
    event_type = "linkage.task.reported.v1"
    task_id: Text
    status: TaskStatus
    progress: LongText
    reported_on: IsoDate
    evidence: tuple[Evidence, ...] = Field(default=(), validate_default=True)

    @field_validator("evidence")
    @classmethod
    def _done_with_evidence(
        cls, value: tuple[Evidence, ...], info: ValidationInfo
    ) -> tuple[Evidence, ...]:
        if info.data.get("status") is TaskStatus.DONE and not value:
            raise ValueError("a task reported done carries evidence for the office to review")
        return value


class UnitLiaisonChanged(Payload):
    """A unit names a new liaison officer (联络员); every unit updates its contacts."""

    event_type = "unit.liaison.changed.v1"
    unit: Unit
    old: Contact | None = None
    new: Contact
    effective_on: IsoDate

    @field_validator("new")
    @classmethod
    def _really_new(cls, value: Contact, info: ValidationInfo) -> Contact:
        if value == info.data.get("old"):
            raise ValueError("new liaison is the same as old")
        return value
