"""What a sweep does about each late or unreceipted delivery. Pure.

Each `Job` is the records to publish and the action to record once the broker has them all:

    OverdueNotice  → a signed `hub.overdue.v1` to the late unit and one to the office; then the
                     stage is marked overdue (`delivery.overdue`)
    Redeliver      → the same copy again, rebuilt from what the store kept of the routing
                     decision; then the attempt is counted (`delivery.redelivered`)
    Escalate       → nothing new to publish; the delivery is marked escalated
                     (`delivery.escalated`)

Escalation publishes no event of its own. docs/design.md §2 has the tracker tell the office once per
stage; `next_actions` escalates only once the receipt is past due, so the office has then been
(or is in the same sweep being) sent that stage's `hub.overdue.v1`. `applied` therefore marks an
escalation only on a delivery whose receipt is marked overdue. The mark and its audit fact are what
`fyhub overdue` and the scorecards read: a unit whose connector ignored every redelivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hub.deliveries.overdue import OverdueNotice, notice_event_id, overdue_event
from hub.deliveries.redelivery import Escalate, Redeliver
from hub.deliveries.state import Stage, escalated, marked_overdue, redelivered
from hub.kafka.records import Outbound, case_key, encode_json
from hub.router.copies import copy_for
from hub.routing import plan
from hub.routing.project import project
from hub.store.audit_chain import AuditEntry
from schemas.signing import sign_event
from schemas.units import inbox_topic

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from hub.deliveries.state import Delivery, DeliveryKey
    from hub.router.context import RouterContext
    from hub.routing.deadlines import DueTimes

Action = OverdueNotice | Redeliver | Escalate


@dataclass(frozen=True, slots=True)
class Job:
    action: Action
    records: tuple[Outbound, ...] = ()

    @property
    def key(self) -> DeliveryKey:
        return self.action.key


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCopy:
    """A delivered copy as the store remembers it: the original event and the routing decision."""

    event: Mapping[str, Any]
    sender: str
    recipient: str
    fields: list[str] | Literal["all"]
    routed_at: datetime
    due: DueTimes


def notice_job(
    notice: OverdueNotice, *, office_unit: str, now: datetime, ctx: RouterContext
) -> Job:
    """The notice's `hub.overdue.v1` events, signed by the hub and keyed by the case."""
    key = case_key(notice.subject, notice.key.event_id)
    records = tuple(
        Outbound(
            inbox_topic(unit), key, encode_json(sign_event(event, ctx.hub_key, ctx.hub_key_id))
        )
        for unit, event in overdue_event(notice, office_unit=office_unit, now=now)
    )
    return Job(notice, records)


def redelivery_job(action: Redeliver, copy: StoredCopy, ctx: RouterContext) -> Job:
    """The copy delivered again: same projection, routing time, deadlines and token content."""
    data = copy.event["data"]
    fields = copy.fields
    delivery = plan.Delivery(
        recipient=copy.recipient,
        data=dict(data) if fields == "all" else project(data, fields),
        fields=fields if fields == "all" else tuple(fields),
        receipt_by=copy.due.receipt_by,
        reply_by=copy.due.reply_by,
    )
    return Job(action, (copy_for(copy.event, copy.sender, delivery, ctx, copy.routed_at),))


def applied(d: Delivery, action: Action, now: datetime) -> Delivery:
    """`d` with the action's mark, or `d` itself when there is nothing (more) to mark.

    Raises `hub.deliveries.state.TransitionError` when the stored facts moved on since the sweep
    decided, e.g. the receipt came in meanwhile.
    """
    if isinstance(action, OverdueNotice):
        return marked_overdue(d, action.stage, now)
    if isinstance(action, Redeliver):
        # Counted already, e.g. by a sweep that recorded it before this one's records were sent.
        return redelivered(d, now) if d.attempts < action.attempt else d
    if d.receipt_at is not None or Stage.RECEIPT not in d.overdue_stages:
        return d
    return escalated(d, now)


def audit_entry(action: Action, *, office_unit: str, now: datetime) -> AuditEntry:
    """The audit fact of a recorded action; `event_id` is the delivered event's, `unit` the
    recipient's."""
    key = action.key
    detail: dict[str, Any] = {"source": key.event_source}
    if isinstance(action, OverdueNotice):
        kind = "delivery.overdue"
        addressees = dict.fromkeys((key.recipient, office_unit))
        detail |= {
            "stage": action.stage.value,
            "due": action.due.isoformat(),
            "overdue_by_s": int(action.overdue_by.total_seconds()),
            "notices": {unit: notice_event_id(action, unit) for unit in addressees},
        }
    elif isinstance(action, Redeliver):
        kind = "delivery.redelivered"
        detail["attempt"] = action.attempt
    else:
        kind = "delivery.escalated"
        detail |= {
            "attempts": action.attempts,
            "receipt_due": action.receipt_due.isoformat(),
            "office": office_unit,
        }
    return AuditEntry(at=now, kind=kind, event_id=key.event_id, unit=key.recipient, detail=detail)
