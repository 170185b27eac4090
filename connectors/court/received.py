"""Notices the court receives (通报 to the court, 涉诉信访 referred by the petition bureau) and the
rules its answers follow. Pure: payloads and rows in, rows and verdicts out.

An agency names the court in `to` of a major-case, financial-risk or housing-project notice and
the court owes a `notice.risk.responded.v1` (舞政文〔2022〕56号 二(一)5); the petition bureau
refers a petition about a case (诉访分离, 长春新区 2020 二(三)5) and the court owes a
`notice.petition.handled.v1`: `accepted` is interim (信访工作条例 art 24, the referral stays
open), `concluded` or `not_accepted` closes it (art 32).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from schemas.notice import (
    NoticeFinancialRiskIssued,
    NoticeHousingProjectIssued,
    NoticeMajorCaseIssued,
    NoticePetitionHandled,
    NoticePetitionReferred,
    NoticeRiskResponded,
    PetitionOutcome,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from schemas.common import Payload

RISK_NOTICES: Final = (NoticeMajorCaseIssued, NoticeFinancialRiskIssued, NoticeHousingProjectIssued)
RECEIVED_TYPES: Final = (*RISK_NOTICES, NoticePetitionReferred)
"""The notices the court can receive."""

REPLY_TYPES: Final = (NoticeRiskResponded, NoticePetitionHandled)
"""The answers the court gives to them."""
REPLY_TYPE_NAMES: Final = frozenset(reply.event_type for reply in REPLY_TYPES)


class ReceivedState(StrEnum):
    OPEN = "open"
    """The court owes an answer and has given none."""
    INTERIM = "interim"
    """The petition is accepted (受理); the court still owes its conclusion."""
    ANSWERED = "answered"
    """The court has given its final answer."""
    NOT_OWED = "not_owed"
    """A copy the court only receipts (it is not named and owes nothing)."""


class AnswerRefusedError(ValueError):
    """The answer does not fit the notice it is given to (type, number or state)."""


def reference_of(payload: Payload) -> str:
    """The number a received notice and its answers are filed under."""
    if isinstance(payload, NoticePetitionReferred | NoticePetitionHandled):
        return payload.referral_no
    if isinstance(payload, (*RISK_NOTICES, NoticeRiskResponded)):
        return payload.notice_no
    raise TypeError(f"the court does not receive or answer {payload.event_type}")


def received_values(
    event_id: str,
    payload: Payload,
    *,
    sender: str | None,
    delivered: Mapping[str, Any],
    reply_by: dt.datetime | None,
    received_at: dt.datetime,
) -> dict[str, Any]:
    """The `received_notices` row of a delivered notice."""
    if not isinstance(payload, RECEIVED_TYPES):
        raise TypeError(f"the court does not receive {payload.event_type}")
    state = ReceivedState.OPEN if reply_by is not None else ReceivedState.NOT_OWED
    return {
        "event_id": event_id,
        "type": payload.event_type,
        "sender": sender,
        "reference": reference_of(payload),
        "payload": payload.model_dump(mode="json", exclude_none=True),
        "delivered": dict(delivered),
        "reply_by": reply_by,
        "received_at": received_at,
        "state": state.value,
    }


def reply_type_for(notice_type: str) -> type[Payload]:
    """The answer a received notice of `notice_type` owes."""
    if notice_type == NoticePetitionReferred.event_type:
        return NoticePetitionHandled
    if notice_type in {notice.event_type for notice in RISK_NOTICES}:
        return NoticeRiskResponded
    raise TypeError(f"the court does not receive {notice_type}")


def state_after(answer: Payload) -> ReceivedState:
    """Where an answer leaves the notice: an acceptance is interim, anything else final."""
    if isinstance(answer, NoticePetitionHandled) and answer.outcome is PetitionOutcome.ACCEPTED:
        return ReceivedState.INTERIM
    return ReceivedState.ANSWERED


def check_answer(notice: Mapping[str, Any], answer: Payload) -> ReceivedState:
    """The state `answer` moves the `received_notices` row `notice` to; raises
    `AnswerRefusedError` when the answer is of the wrong type, names another notice, or comes
    after the final one (or to a copy that owes none)."""
    expected = reply_type_for(notice["type"])
    if not isinstance(answer, expected):
        raise AnswerRefusedError(f"{notice['type']} is answered by {expected.event_type}")
    if reference_of(answer) != notice["reference"]:
        raise AnswerRefusedError(
            f"the answer names {reference_of(answer)}, not the notice's number"
        )
    state = ReceivedState(notice["state"])
    if state in {ReceivedState.ANSWERED, ReceivedState.NOT_OWED}:
        raise AnswerRefusedError(f"the notice is {state}: no further answer is owed")
    after = state_after(answer)
    if state is ReceivedState.INTERIM and after is ReceivedState.INTERIM:
        raise AnswerRefusedError("the petition is already accepted; its conclusion is owed")
    return after
