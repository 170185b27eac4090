"""The court's notices (通报): sent from the court database, their answers stored back in it.

`send_notice` writes the notice and its export row in one transaction (the export drainer then
publishes it, as it does every court event); `load_notice` is the drainer's loader for the notice
types; `answer_values` (pure) is what an answer becomes in `notice_answers`. The court publishes
the major-case, pre-judgment, public-debtor and petition notices; it keeps each notice's payload
as it wrote it, since a notice is drafted whole rather than assembled from case rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select

from connectors.court.store import court_notices, notice_answers, now, queue_export
from schemas.catalogue import CATALOGUE
from schemas.key_enterprise import (  # --- key enterprises (涉企审慎执行) ---
    EnforcementKeyEnterpriseAdvised,
    EnforcementKeyEnterpriseNotified,
)
from schemas.notice import (
    NoticeFinancialRiskIssued,
    NoticeHousingProjectIssued,
    NoticeMajorCaseIssued,
    NoticePetitionHandled,
    NoticePetitionReferred,
    NoticePrejudgmentAcknowledged,
    NoticePrejudgmentIssued,
    NoticePublicDebtorMeasureReported,
    NoticePublicDebtorNotified,
    NoticeRiskResponded,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from schemas.common import Payload

SENT_TYPES: Final = (
    NoticeMajorCaseIssued,
    NoticeFinancialRiskIssued,
    NoticeHousingProjectIssued,
    NoticePetitionReferred,
    NoticePrejudgmentIssued,
    NoticePublicDebtorNotified,
    EnforcementKeyEnterpriseNotified,
)
"""The notices the court sends."""

ANSWER_TYPES: Final = (
    NoticeRiskResponded,
    NoticePetitionHandled,
    NoticePrejudgmentAcknowledged,
    NoticePublicDebtorMeasureReported,
    EnforcementKeyEnterpriseAdvised,
)
"""The answers to them the court writes back."""


def reference_of(payload: Payload) -> str:
    """The number the court files a notice or its answer under: the notice's, the referral's or
    the case's."""
    for field in ("notice_no", "referral_no", "case_no"):
        value = getattr(payload, field, None)
        if isinstance(value, str):
            return value
    raise TypeError(f"{payload.event_type} names no notice, referral or case")


def subject_for(notice: Payload) -> str:
    """The Kafka key of a notice: its case number when it has one (the hub requires the subject
    to equal `case_no`), else its own number, so a notice and its answers share a partition."""
    case_no = getattr(notice, "case_no", None)
    return case_no if isinstance(case_no, str) else reference_of(notice)


def answer_values(answer_event_id: str, payload: Payload) -> tuple[Table, dict[str, Any]]:
    """The `notice_answers` row recording `payload`, keyed by the answer's event id."""
    if not isinstance(payload, ANSWER_TYPES):
        raise TypeError(f"the court connector does not write back {payload.event_type}")
    return notice_answers, {
        "answer_event_id": answer_event_id,
        "type": payload.event_type,
        "reference": reference_of(payload),
        "payload": payload.model_dump(mode="json", exclude_none=True),
    }


async def send_notice(engine: AsyncEngine, notice: Payload, *, to: Sequence[str]) -> str:
    """Record `notice` addressed to the units `to` and queue its export; the event id."""
    if not isinstance(notice, SENT_TYPES):
        raise TypeError(f"the court does not send {notice.event_type}")
    if not to:
        raise ValueError("a notice names the units it is for")
    async with engine.begin() as connection:
        return await queue_notice(connection, notice, " ".join(to))


async def queue_notice(connection: AsyncConnection, notice: Payload, to_units: str) -> str:
    """Write `notice` and its export row on `connection` (the caller's transaction); the id of
    the event that will carry it."""
    result = await connection.execute(
        insert(court_notices).values(
            event_type=notice.event_type,
            reference=reference_of(notice),
            payload=notice.model_dump(mode="json", exclude_none=True),
            to_units=to_units,
            created_at=now(),
        )
    )
    (row_id,) = result.inserted_primary_key or (None,)
    return await queue_export(connection, notice.event_type, row_id, to_units)


async def load_notice(connection: AsyncConnection, ref_id: int) -> Payload:
    """The payload of the notice in row `ref_id`, validated as the hub will."""
    row = (
        (await connection.execute(select(court_notices).where(court_notices.c.id == ref_id)))
        .mappings()
        .one()
    )
    return CATALOGUE[row["event_type"]].validate_payload(row["payload"])
