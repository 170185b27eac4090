"""Events about delivery itself: a unit's receipt (签收), the hub's rejection of a record, and the
hub's notice that a receipt or reply is overdue (督办)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Final, Self, overload

from pydantic import Field, field_validator

from schemas.common import LongText, Payload, Record, Text, Unit
from schemas.control import AssetKind, ControlAction
from schemas.dates import Duration, IsoDate, Timestamp
from schemas.enforcement import EnforcementCaseNo
from schemas.errors import ErrorCode, Rejection, storable_text


class HubReceipt(Payload):
    """A recipient acknowledges a delivered event; the envelope's `correlationid` names it and
    `hubdelivery` echoes the delivery token."""

    event_type = "hub.receipt.v1"
    received_at: Timestamp
    """When the recipient's system took the event in."""


class RejectedField(Record):
    path: Text
    """Path of the offending field, e.g. ``data.subjects[0].id_no``."""
    message: LongText


class HubRejected(Payload):
    """The hub refused a record the sender published; the raw record is in the dead-letter
    topic."""

    event_type = "hub.rejected.v1"
    code: ErrorCode
    detail: LongText
    fields: tuple[RejectedField, ...] = ()
    rejected_id: Text | None = None
    """The `id` of the refused record, when it could be read."""
    rejected_type: Text | None = None
    """The `type` of the refused record, when it could be read."""

    @classmethod
    def from_rejection(cls, rejection: Rejection) -> Self:
        """The notice for any rejection, whatever the refused record held: texts cut to their
        limits, blank ones named, ids and types left out when they are no text to repeat."""
        return cls(
            code=rejection.code,
            detail=_told(rejection.detail, _LONG, "(no detail)"),
            fields=tuple(
                RejectedField(
                    path=_told(f.path, _SHORT, BLANK_PATH),
                    message=_told(f.message, _LONG, "(no message)"),
                )
                for f in rejection.fields
            ),
            rejected_id=_told(rejection.event_id, _SHORT, None),
            rejected_type=_told(rejection.type, _SHORT, None),
        )


BLANK_PATH: Final = "(blank)"
"""How a notice names a field path that is empty or only blanks (a key `""` at the top level)."""
_SHORT: Final = 500
_LONG: Final = 5000
_CUT: Final = " …"


@overload
def _told(text: str, limit: int, blank: str) -> str: ...
@overload
def _told(text: str | None, limit: int, blank: None) -> str | None: ...
def _told(text: str | None, limit: int, blank: str | None) -> str | None:
    if text is None or not text.strip():
        return blank
    text = storable_text(text)
    return text if len(text) <= limit else text[: limit - len(_CUT)] + _CUT


class OverdueStage(StrEnum):
    RECEIPT = "receipt"
    REPLY = "reply"


class HubOverdue(Payload):
    """A receipt or reply is past due; sent to the unit and to the joint-meeting office."""

    event_type = "hub.overdue.v1"
    event_id: Text
    """The delivered event still waiting for its receipt or reply."""
    recipient: Unit
    """The unit that owes the receipt or reply."""
    stage: OverdueStage
    due: Timestamp
    overdue_by: Duration
    """How late, as an ISO 8601 duration, e.g. P1DT2H."""

    @field_validator("overdue_by")
    @classmethod
    def _positive(cls, value: dt.timedelta) -> dt.timedelta:
        if value <= dt.timedelta(0):
            raise ValueError("overdue_by must be positive")
        return value


# --- measure-expiry watch (措施到期提醒) ---


class EnforcementControlExpiring(Payload):
    """A seal or freeze the court imposed lapses soon (民诉法解释 art. 485: it ends at its term
    unless continued); sent by the hub to the court that owns it, once per end, a configured
    number of working days before. Nothing of the asset but its kind: the court has the rest
    under `request_no`."""

    event_type = "enforcement.control.expiring.v1"
    event_id: Text
    """The control request that imposed the measure (`enforcement.control.requested.v1`)."""
    request_no: Text
    """The court's number of that request (控制请求单号)."""
    case_no: EnforcementCaseNo
    unit: Unit
    """The unit holding the measure."""
    action: ControlAction
    """`seal` or `freeze`: the measure as imposed."""
    asset_kind: AssetKind
    end: IsoDate
    """The last day of the measure's term (after any continuation)."""
    days_left: int = Field(ge=0)
    """Calendar days from the reminder's day to `end` (0: it lapses at the end of that day)."""

    @field_validator("action")
    @classmethod
    def _imposes(cls, value: ControlAction) -> ControlAction:
        if value not in {ControlAction.SEAL, ControlAction.FREEZE}:
            raise ValueError("only a seal or a freeze lapses at its term")
        return value
