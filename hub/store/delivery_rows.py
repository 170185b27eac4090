"""Store rows ↔ `hub.deliveries.state.Delivery` snapshots, for every reader and writer of the
`deliveries` table (auditor, tracker, supervision). Pure.

`deliveries.fields` is a list of payload field paths; a copy that kept the whole payload (`"all"`
in the journal) is stored as `[WHOLE_PAYLOAD]`, a path no payload field has.

The tracker's columns (`tracker_columns`: its marks and attempts) are set only by its journal
entries, which the auditor applies apart from the answers' columns, so neither overwrites the
other's facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal, cast

from hub.deliveries.state import Delivery
from hub.routing.deadlines import CHINA_TZ, DueTimes
from hub.store.tables import DeliveryRow

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy import RowMapping

    from hub.calendar import CalendarLabel

OPEN_STATES: Final = ("routed", "received", "rejected")
"""Statuses of deliveries that still owe something; `replied` and `closed` ones owe nothing."""
WHOLE_PAYLOAD: Final = "*"
"""`deliveries.fields` of a copy that kept the whole payload: a path no payload field has."""

_COLUMNS: Final = tuple(DeliveryRow.__table__.columns.keys())


def delivery_snapshot(
    row: Mapping[str, Any] | RowMapping, event_type: str, subject: str | None
) -> Delivery:
    """A stored delivery as the state machine sees it; `event_type` and `subject` come from its
    event's row.

    The store keeps no time for a refused reply, only the `rejected` status; the routing time
    stands in for it, so the snapshot keeps that status until a valid reply arrives. Nothing the
    tracker decides depends on when a reply was refused.
    """
    refused = row["routed_at"] if row["status"] == "rejected" else None
    return Delivery(
        event_source=row["event_source"],
        event_id=row["event_id"],
        recipient=row["recipient"],
        event_type=event_type,
        # An event without a subject is keyed by its id (`hub.kafka.records.case_key`).
        subject=subject or row["event_id"],
        routed_at=row["routed_at"],
        receipt_due=row["receipt_due"],
        reply_due=row["reply_due"],
        receipt_at=row["receipt_at"],
        replied_at=row["replied_at"],
        reply_event_id=row["reply_event_id"],
        reply_refused_at=refused,
        receipt_overdue_at=row["receipt_overdue_at"],
        reply_overdue_at=row["reply_overdue_at"],
        escalated_at=row["escalated_at"],
        attempts=row["attempts"],
        last_attempt_at=row.get("last_attempt_at"),
    )


def delivery_from_row(row: DeliveryRow, *, event_type: str, subject: str | None) -> Delivery:
    """`delivery_snapshot` of a loaded `DeliveryRow`."""
    return delivery_snapshot({name: getattr(row, name) for name in _COLUMNS}, event_type, subject)


def tracker_columns(d: Delivery) -> dict[str, Any]:
    """The columns the tracker's entries set, as `d` has them: its marks and delivery attempts."""
    return {
        "receipt_overdue_at": d.receipt_overdue_at,
        "reply_overdue_at": d.reply_overdue_at,
        "escalated_at": d.escalated_at,
        "attempts": d.attempts,
        "last_attempt_at": d.last_attempt_at,
    }


def stored_due_times(row: DeliveryRow) -> DueTimes:
    """The deadlines the copy carried, in China time as the router writes them.

    The store keeps instants in UTC; deadlines counted in days end at 23:59:59 China time, so
    this gives back the copy's exact text for them (shortened test deadlines differ only in
    the offset they are written with).
    """
    calendar = row.calendar if row.calendar in {"official", "provisional"} else None
    return DueTimes(
        receipt_by=_china(row.receipt_due),
        reply_by=_china(row.reply_due),
        calendar=cast("CalendarLabel | None", calendar),
    )


def _china(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(CHINA_TZ)


def fields_to_store(fields: list[str] | Literal["all"]) -> list[str]:
    """The `deliveries.fields` value of a copy that kept `fields` (the journal's form)."""
    return [WHOLE_PAYLOAD] if fields == "all" else list(fields)


def fields_from_store(row: DeliveryRow) -> list[str] | Literal["all"]:
    """The payload fields the copy kept, or "all" for the whole payload; the inverse of
    `fields_to_store` (a stored `"all"` is read as the whole payload too)."""
    fields: Any = row.fields
    if fields in ("all", [WHOLE_PAYLOAD]):
        return "all"
    return [str(path) for path in fields]
