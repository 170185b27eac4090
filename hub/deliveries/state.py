"""The delivery state machine (docs/design.md §7): one copy of one event, delivered to one
recipient.

    routed ──receipt──► received ──reply──► replied       (a reply implies the receipt)
                           │  └──progress──┘ (stays received: the reply is still owed)
                           └──(no reply owed)──► closed
    rejected: the last reply was refused; a valid one is still owed, and its clock keeps running.

Marks, kept beside the status as the store keeps them: `overdue` per stage (when it was marked)
and `escalated`. A late answer ends its stage's overdue for `is_overdue` (a reply ends both); the
marks stay, for scoring. An escalated delivery stays under supervision until it is settled.

Transitions return a new snapshot. Recording a fact again (a replayed journal) changes nothing;
contradicting the recorded facts raises a TransitionError:

    NotOwedError            a reply, or an overdue mark, for a stage the delivery does not owe
    AlreadyRepliedError     a second, different reply
    AlreadyAnsweredError    an overdue mark, a redelivery or an escalation for what is answered
    NotYetDueError          an overdue mark at or before the stage's due time
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Final, NamedTuple


class Stage(StrEnum):
    RECEIPT = "receipt"
    """签收: the recipient acknowledges the copy with `hub.receipt.v1`."""
    REPLY = "reply"
    """答复: the recipient answers with the reply type the routing table names."""


class Status(StrEnum):
    """The store's status column (`hub.store.tables.DELIVERY_STATES`), derived by `status`."""

    ROUTED = "routed"
    RECEIVED = "received"
    REPLIED = "replied"
    CLOSED = "closed"
    REJECTED = "rejected"


class TransitionError(Exception):
    """A transition that contradicts what is already recorded about a delivery."""


class NotOwedError(TransitionError): ...


class AlreadyRepliedError(TransitionError): ...


class AlreadyAnsweredError(TransitionError): ...


class NotYetDueError(TransitionError): ...


class DeliveryKey(NamedTuple):
    """A delivery's identity; an event is identified by its source and id (CloudEvents)."""

    event_source: str
    event_id: str
    recipient: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """What is known about one delivered copy. `attempts` counts the first delivery too."""

    event_source: str
    event_id: str
    recipient: str
    event_type: str
    subject: str
    routed_at: datetime
    receipt_due: datetime | None
    reply_due: datetime | None = None
    receipt_at: datetime | None = None
    replied_at: datetime | None = None
    reply_event_id: str | None = None
    reply_refused_at: datetime | None = None
    receipt_overdue_at: datetime | None = None
    reply_overdue_at: datetime | None = None
    escalated_at: datetime | None = None
    attempts: int = 1
    last_attempt_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in _DELIVERY_FIELDS:
            value = getattr(self, name)
            if isinstance(value, datetime) and value.utcoffset() is None:
                raise ValueError(f"delivery {name} must carry a UTC offset")
        if self.attempts < 1:
            raise ValueError("a delivery has at least one attempt")

    @property
    def key(self) -> DeliveryKey:
        return DeliveryKey(self.event_source, self.event_id, self.recipient)

    @property
    def last_attempt(self) -> datetime:
        return self.last_attempt_at or self.routed_at

    @property
    def overdue_stages(self) -> frozenset[Stage]:
        """Stages ever marked overdue, answered since or not."""
        marks = {Stage.RECEIPT: self.receipt_overdue_at, Stage.REPLY: self.reply_overdue_at}
        return frozenset(stage for stage, at in marks.items() if at is not None)


_DELIVERY_FIELDS: Final = tuple(field.name for field in fields(Delivery))
"""Named once: `dataclasses.fields` on every delivery made cost more than the rest of making it
(the auditor makes one per copy routed, the tracker one per delivery it reads)."""


def due_time(d: Delivery, stage: Stage) -> datetime | None:
    return d.receipt_due if stage is Stage.RECEIPT else d.reply_due


def is_answered(d: Delivery, stage: Stage) -> bool:
    return (d.receipt_at if stage is Stage.RECEIPT else d.replied_at) is not None


def outstanding_stages(d: Delivery) -> tuple[Stage, ...]:
    """Stages the recipient owes and has not answered yet."""
    return tuple(s for s in Stage if due_time(d, s) is not None and not is_answered(d, s))


def is_settled(d: Delivery) -> bool:
    """Replied or closed: nothing more is owed."""
    return not outstanding_stages(d)


def stages_past_due(d: Delivery, now: datetime) -> tuple[Stage, ...]:
    return tuple(s for s in outstanding_stages(d) if now > _due(d, s))


def is_overdue(d: Delivery, now: datetime) -> bool:
    return bool(stages_past_due(d, now))


def status(d: Delivery) -> Status:
    if d.replied_at is not None:
        return Status.REPLIED
    if is_settled(d):
        return Status.CLOSED
    if d.reply_refused_at is not None:
        return Status.REJECTED
    return Status.RECEIVED if d.receipt_at is not None else Status.ROUTED


def receipt_arrived(d: Delivery, at: datetime) -> Delivery:
    """The first receipt counts; a later one changes nothing."""
    return d if d.receipt_at is not None else replace(d, receipt_at=at)


def reply_arrived(d: Delivery, reply_event_id: str, at: datetime) -> Delivery:
    _due(d, Stage.REPLY)
    if d.reply_event_id == reply_event_id:
        return d
    if d.reply_event_id is not None:
        raise AlreadyRepliedError(f"{_name(d)} was already answered by {d.reply_event_id}")
    return replace(d, receipt_at=d.receipt_at or at, replied_at=at, reply_event_id=reply_event_id)


def progress_reported(d: Delivery, at: datetime, *, reply_due: datetime | None = None) -> Delivery:
    """An interim reply (a task's progress report): it implies the receipt, and the reply stays
    owed, its clock running, until the final one arrives. `reply_due`, when the interim reply
    states one (a court's acceptance: by when it rules), is the reply's deadline from then on;
    once the reply is in, nothing moves it."""
    _due(d, Stage.REPLY)
    received = receipt_arrived(d, at)
    if reply_due is None or d.replied_at is not None or reply_due == d.reply_due:
        return received
    return replace(received, reply_due=reply_due)


def reply_refused(d: Delivery, at: datetime) -> Delivery:
    """A refused reply; once a valid reply is in, a refused one leaves the delivery as it is."""
    _due(d, Stage.REPLY)
    return d if d.replied_at is not None else replace(d, reply_refused_at=at)


def marked_overdue(d: Delivery, stage: Stage, at: datetime) -> Delivery:
    due = _due(d, stage)
    if stage in d.overdue_stages:
        return d
    if is_answered(d, stage):
        raise AlreadyAnsweredError(f"{_name(d)}: the {stage} is already in")
    if at <= due:
        raise NotYetDueError(f"{_name(d)}: the {stage} is due {due.isoformat()}, not overdue yet")
    if stage is Stage.RECEIPT:
        return replace(d, receipt_overdue_at=at)
    return replace(d, reply_overdue_at=at)


def escalated(d: Delivery, at: datetime) -> Delivery:
    if is_settled(d):
        raise AlreadyAnsweredError(f"{_name(d)} is {status(d)}; there is nothing to escalate")
    return d if d.escalated_at is not None else replace(d, escalated_at=at)


def redelivered(d: Delivery, at: datetime) -> Delivery:
    if d.receipt_at is not None:
        raise AlreadyAnsweredError(f"{_name(d)} was received; it needs no redelivery")
    if at == d.last_attempt_at:
        return d
    return replace(d, attempts=d.attempts + 1, last_attempt_at=at)


def _due(d: Delivery, stage: Stage) -> datetime:
    due = due_time(d, stage)
    if due is None:
        raise NotOwedError(f"{_name(d)} ({d.event_type}) owes no {stage}")
    return due


def _name(d: Delivery) -> str:
    return f"delivery of {d.event_id} from {d.event_source} to {d.recipient}"
