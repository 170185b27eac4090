"""What a tracker entry (`delivery.overdue`, `delivery.redelivered`, `delivery.escalated`)
changes about its delivery, and the audit fact it leaves. Pure.

The auditor applies these to the store, and the tracker applies the same functions to its own
overlay of marks journalled but not yet in the store (`hub.tracker.pending`), so the two agree on
what a mark does. Everything comes from the entry, never from a clock: the live auditor and a
replay into an empty store produce the same rows and the same audit hashes.

A mark that changes nothing (already recorded: a second sweep's entry, or a replayed one) leaves
no audit fact, and neither does one the delivery's recorded facts contradict (its receipt came in
before the entry): the tracker recorded neither when it wrote the store itself.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from hub.deliveries.state import (
    DeliveryKey,
    Stage,
    TransitionError,
    escalated,
    marked_overdue,
    redelivered,
)
from hub.journal.entries import DeliveryEscalated, DeliveryOverdue
from hub.store.audit_chain import AuditEntry

if TYPE_CHECKING:
    from datetime import datetime

    from hub.deliveries.state import Delivery
    from hub.journal.entries import DeliveryMark


def mark_key(entry: DeliveryMark) -> DeliveryKey:
    return DeliveryKey(entry.event_source, entry.event_id, entry.recipient)


def marked(d: Delivery, entry: DeliveryMark) -> Delivery:
    """`d` with the entry's mark, or `d` itself when there is nothing (more) to mark.

    Raises `hub.deliveries.state.TransitionError` when the recorded facts contradict the mark,
    e.g. the receipt is in.
    """
    if isinstance(entry, DeliveryOverdue):
        return marked_overdue(d, Stage(entry.stage.value), entry.at)
    if isinstance(entry, DeliveryEscalated):
        # Escalation follows the receipt's overdue notice to the office (hub.tracker.work).
        if d.receipt_at is not None or Stage.RECEIPT not in d.overdue_stages:
            return d
        return escalated(d, entry.at)
    # Counted already, e.g. by an earlier entry for the same attempt.
    return redelivered(d, entry.at) if d.attempts < entry.attempt else d


def mark_changes(d: Delivery, entry: DeliveryMark) -> Delivery | None:
    """`marked(d, entry)` when it changes `d`; None when it is already recorded or contradicted."""
    try:
        after = marked(d, entry)
    except TransitionError:
        return None
    return None if after == d else after


def mark_audit_entry(entry: DeliveryMark) -> AuditEntry:
    """The audit fact of an applied mark: `event_id` is the delivered event's, `unit` the
    recipient's, `at` the tracker's time."""
    detail: dict[str, Any] = {"source": entry.event_source}
    if isinstance(entry, DeliveryOverdue):
        detail |= {
            "stage": entry.stage.value,
            "due": _utc(entry.due),
            "overdue_by_s": entry.overdue_by_s,
            "notices": dict(entry.notices),
        }
    elif isinstance(entry, DeliveryEscalated):
        detail |= {
            "attempts": entry.attempts,
            "receipt_due": _utc(entry.receipt_due),
            "office": entry.office,
        }
    else:
        detail["attempt"] = entry.attempt
    return AuditEntry(
        at=entry.at, kind=entry.kind, event_id=entry.event_id, unit=entry.recipient, detail=detail
    )


def _utc(at: datetime) -> str:
    # As the tracker wrote it from the store's UTC value, whatever offset the entry carries.
    return at.astimezone(UTC).isoformat()
