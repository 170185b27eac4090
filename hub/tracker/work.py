"""What a sweep does about each late or unreceipted delivery. Pure.

Each `Job` is the records the units get, and the journal entry that records the decision once
the broker has them all (`marked_record`, keyed by the case like the delivery's own entries):

    OverdueNotice  → a `hub.overdue.v1` to the late unit and one to the office, signed by the hub
                     together (one root signature, each carrying its `hubproof`); then
                     `delivery.overdue` (the stage is marked overdue)
    Redeliver      → the same copy again, rebuilt from what the store kept of the routing
                     decision, signed as a tree of one; then `delivery.redelivered` (the
                     attempt is counted)
    Escalate       → nothing new to publish; `delivery.escalated` (the delivery is marked
                     escalated)

The tracker writes nothing to the store: the auditor applies these entries (`hub.journal.marks`),
so a replay of the journal restores them.

Escalation publishes no event of its own. docs/design.md §2 has the tracker tell the office once per
stage; `next_actions` escalates only once the receipt is past due, so the office has then been
(or is in the same sweep being) sent that stage's `hub.overdue.v1`. An escalation is therefore
marked only on a delivery whose receipt is marked overdue, and its entry is journalled after that
stage's `delivery.overdue`. The mark and its audit fact are what `fyhub overdue` and the
scorecards read: a unit whose connector ignored every redelivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hub.deliveries.overdue import OverdueNotice, notice_event_id, overdue_event
from hub.deliveries.redelivery import Escalate, Redeliver
from hub.journal.entries import DeliveryEscalated, DeliveryOverdue, DeliveryRedelivered
from hub.journal.seal import journal_record
from hub.kafka.records import Outbound, case_key
from hub.router.copies import copy_for
from hub.router.proof import seal_batch
from hub.routing import plan
from hub.routing.project import project
from schemas.hub_proof import copy_bytes
from schemas.hubevents import OverdueStage
from schemas.units import JOURNAL_TOPIC, inbox_topic

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from hub.deliveries.state import DeliveryKey
    from hub.journal.entries import DeliveryMark
    from hub.journal.seal import HubSigner
    from hub.router.context import RouterContext
    from hub.routing.deadlines import DueTimes

Action = OverdueNotice | Redeliver | Escalate


@dataclass(frozen=True, slots=True)
class Job:
    """`records` for the units first; then `journal`, the entry `mark` recording the action."""

    action: Action
    mark: DeliveryMark
    journal: Outbound
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


def marked_record(
    mark: DeliveryMark, subject: str, signer: HubSigner, *, topic: str = JOURNAL_TOPIC
) -> Outbound:
    """The journal record of a tracker entry, sealed by the hub and keyed by the case as the
    router keyed the delivery's event (`subject` is the event's, or its id when it has none), so
    that it follows that event's entries in the same partition. The only place the tracker's
    journal records are made."""
    return journal_record(mark, case_key(subject, mark.event_id), signer, topic=topic)


def notice_job(
    notice: OverdueNotice,
    *,
    office_unit: str,
    now: datetime,
    ctx: RouterContext,
) -> Job:
    """The notice's `hub.overdue.v1` events, keyed by the case and signed by the hub together
    (one tree over the job's two notices, `hub.router.proof.seal_batch`), then its
    `delivery.overdue` entry."""
    key = case_key(notice.subject, notice.key.event_id)
    unsigned = [
        Outbound(inbox_topic(unit), key, copy_bytes(event), awaits_hub_proof=True)
        for unit, event in overdue_event(notice, office_unit=office_unit, now=now)
    ]
    records = tuple(seal_batch(unsigned, ctx.signer))
    mark = overdue_mark(notice, office_unit=office_unit, now=now)
    return Job(notice, mark, marked_record(mark, notice.subject, ctx.signer), records)


def redelivery_job(
    action: Redeliver,
    copy: StoredCopy,
    ctx: RouterContext,
    *,
    subject: str,
    now: datetime,
) -> Job:
    """The copy delivered again: same projection, routing time, deadlines and token content;
    then its `delivery.redelivered` entry."""
    data = copy.event["data"]
    fields = copy.fields
    delivery = plan.Delivery(
        recipient=copy.recipient,
        data=dict(data) if fields == "all" else project(data, fields),
        fields=fields if fields == "all" else tuple(fields),
        receipt_by=copy.due.receipt_by,
        reply_by=copy.due.reply_by,
    )
    unsigned = copy_for(copy.event, copy.sender, delivery, ctx, copy.routed_at)
    again = seal_batch([unsigned], ctx.signer)
    mark = redelivered_mark(action, now=now)
    return Job(action, mark, marked_record(mark, subject, ctx.signer), tuple(again))


def escalation_job(
    action: Escalate, *, subject: str, office_unit: str, now: datetime, signer: HubSigner
) -> Job:
    """Nothing for the units: the `delivery.escalated` entry alone."""
    mark = escalated_mark(action, office_unit=office_unit, now=now)
    return Job(action, mark, marked_record(mark, subject, signer))


def overdue_mark(notice: OverdueNotice, *, office_unit: str, now: datetime) -> DeliveryOverdue:
    key = notice.key
    addressees = dict.fromkeys((key.recipient, office_unit))
    return DeliveryOverdue(
        at=now,
        event_source=key.event_source,
        event_id=key.event_id,
        recipient=key.recipient,
        stage=OverdueStage(notice.stage.value),
        due=notice.due,
        overdue_by_s=int(notice.overdue_by.total_seconds()),
        office=office_unit,
        notices={unit: notice_event_id(notice, unit) for unit in addressees},
    )


def redelivered_mark(action: Redeliver, *, now: datetime) -> DeliveryRedelivered:
    key = action.key
    return DeliveryRedelivered(
        at=now,
        event_source=key.event_source,
        event_id=key.event_id,
        recipient=key.recipient,
        attempt=action.attempt,
    )


def escalated_mark(action: Escalate, *, office_unit: str, now: datetime) -> DeliveryEscalated:
    key = action.key
    return DeliveryEscalated(
        at=now,
        event_source=key.event_source,
        event_id=key.event_id,
        recipient=key.recipient,
        attempts=action.attempts,
        receipt_due=action.receipt_due,
        office=office_unit,
    )
