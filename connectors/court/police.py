"""The court's police requests (公安协作): sent from the court database, their answers stored
back in it.

`send_police_request` writes the request and its export row in one transaction (the export
drainer then publishes it, keyed by the case number, as it does every court event);
`load_police_request` is the drainer's loader; `answer_values` (pure) is what an answer becomes in
`police_answers`. A locate request, an exit-control decision and a 拒执 referral are each drafted
whole by the enforcement officer, so the row keeps the payload as written, filed under its
request or referral number; an answer is filed under the number it answers, with its outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select

from connectors.court.store import now, police_answers, police_requests, queue_export
from schemas.catalogue import CATALOGUE
from schemas.police import (
    PoliceExitControlAnswered,
    PoliceExitControlRequested,
    PoliceLocateAnswered,
    PoliceLocateRequested,
    PoliceRefusalHandled,
    PoliceRefusalReferred,
)

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from schemas.common import Payload

SENT_TYPES: Final = (PoliceLocateRequested, PoliceExitControlRequested, PoliceRefusalReferred)
"""The requests the court sends the police."""

ANSWER_TYPES: Final = (PoliceLocateAnswered, PoliceExitControlAnswered, PoliceRefusalHandled)
"""The police's answers the court writes back."""


def reference_of(payload: Payload) -> str:
    """The number a request or its answer is filed under: the request's or the referral's."""
    for field in ("request_no", "referral_no"):
        value = getattr(payload, field, None)
        if isinstance(value, str):
            return value
    raise TypeError(f"{payload.event_type} names no request or referral")


def answer_values(answer_event_id: str, payload: Payload) -> tuple[Table, dict[str, Any]]:
    """The `police_answers` row recording `payload`, keyed by the answer's event id."""
    if not isinstance(payload, ANSWER_TYPES):
        raise TypeError(f"the court connector does not write back {payload.event_type}")
    return police_answers, {
        "answer_event_id": answer_event_id,
        "type": payload.event_type,
        "reference": reference_of(payload),
        "outcome": str(payload.outcome),
        "payload": payload.model_dump(mode="json", exclude_none=True),
    }


async def send_police_request(engine: AsyncEngine, request: Payload, *, to: str) -> str:
    """Record `request` for the police unit `to` and queue its export; the event id."""
    if not isinstance(request, SENT_TYPES):
        raise TypeError(f"the court does not send {request.event_type} to the police")
    if not to.startswith("police."):
        raise ValueError(f"police requests go to a police unit, not {to!r}")
    async with engine.begin() as connection:
        result = await connection.execute(
            insert(police_requests).values(
                event_type=request.event_type,
                reference=reference_of(request),
                case_no=request.case_no,
                payload=request.model_dump(mode="json", exclude_none=True),
                to_unit=to,
                created_at=now(),
            )
        )
        (row_id,) = result.inserted_primary_key or (None,)
        return await queue_export(connection, request.event_type, row_id, to)


async def load_police_request(connection: AsyncConnection, ref_id: int) -> Payload:
    """The payload of the request in row `ref_id`, validated as the hub will."""
    query = select(police_requests).where(police_requests.c.id == ref_id)
    row = (await connection.execute(query)).mappings().one()
    return CATALOGUE[row["event_type"]].validate_payload(row["payload"])
