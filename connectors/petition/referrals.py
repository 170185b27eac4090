"""What the petition bureau sends the court and what it keeps of the court's answers. Pure: rows
in, payloads and rows out.

诉访分离 (长春新区 2020 二(三)5): a petition about a court case belongs in the court's procedure
(依法导入诉讼程序), so the bureau refers it to the court; one about no case is the bureau's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.notice import NoticePetitionReferred, ReferralDirection

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from schemas.notice import NoticePetitionHandled


class NotForTheCourtError(ValueError):
    """The petition concerns no court case: the bureau handles it itself."""


def referral_for(
    petition: Mapping[str, Any], referral_no: str, today: dt.date
) -> NoticePetitionReferred:
    """The referral of the registered `petition` (a `petitions` row) to the court."""
    if petition["case_no"] is None:
        raise NotForTheCourtError(f"petition {petition['petition_no']} concerns no court case")
    return NoticePetitionReferred(
        referral_no=referral_no,
        direction=ReferralDirection.TO_COURT,
        petitioner=petition["petitioner"],
        petitioners_count=petition["petitioners_count"],
        matter=petition["matter"],
        case_no=petition["case_no"],
        received_on=petition["received_on"],
        referred_on=today,
    )


def subject_for(referral: NoticePetitionReferred) -> str:
    """The Kafka key: the case number (the hub requires it), else the referral's number."""
    return referral.case_no or referral.referral_no


def handling_values(
    event_id: str,
    report: NoticePetitionHandled,
    *,
    sender: str | None,
    received_at: dt.datetime,
) -> dict[str, Any]:
    """The `court_handling` row of the court's report; the petition takes its `outcome` as
    status."""
    return {
        "event_id": event_id,
        "referral_no": report.referral_no,
        "sender": sender,
        "outcome": report.outcome.value,
        "handled_on": report.handled_on,
        "payload": report.model_dump(mode="json", exclude_none=True),
        "received_at": received_at,
    }
