"""What the router writes to `fy.hub.journal`, and the auditor reads back into the store.

One entry per outbox record: the router's decision about it; and the hub's own later decisions
about what it delivered: `deadlines.recomputed` (`fyhub calendar apply`) and the tracker's
marks (`delivery.overdue`, `delivery.redelivered`, `delivery.escalated`). The journal is the
system of record for decisions, so an entry carries everything the store needs (the event as
received, with its signature; who got which fields with which deadlines; why it was refused;
what the tracker marked, and when) and, for the router's, the outbox position it came from. The
position lets the auditor tell a router redelivery (same position: the same decision again) from
a unit publishing the same event twice (a real duplicate).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas.errors import ErrorCode
from schemas.hubevents import OverdueStage


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Position(_Entry):
    """Where a record was read: the outbox topic, partition and offset."""

    topic: str
    partition: int
    offset: int


class Delivered(_Entry):
    """One copy written to a recipient's inbox: the fields it kept, and its deadlines."""

    recipient: str
    fields: list[str] | Literal["all"]
    receipt_by: datetime | None
    reply_by: datetime | None
    calendar: Literal["official", "provisional"] | None = None
    """The calendar the deadlines were counted on; None when none was (and in entries written
    before the hub recorded it)."""


class EventRouted(_Entry):
    """A new event accepted and delivered to its recipients."""

    kind: Literal["event.routed"] = "event.routed"
    at: datetime
    position: Position
    event: dict[str, Any]
    deliveries: list[Delivered]


class AnswerRouted(_Entry):
    """A receipt or a reply, checked against its delivery token, passed to the original sender."""

    kind: Literal["answer.routed"] = "answer.routed"
    at: datetime
    position: Position
    event: dict[str, Any]
    answers: str
    """The id of the event answered (the verified `correlationid`)."""
    answered_by: str
    original_sender: str
    receipt: bool
    """True for `hub.receipt.v1` (签收), False for a reply."""
    deliveries: list[Delivered]


class FieldProblem(_Entry):
    path: str
    message: str


class RecordRejected(_Entry):
    """A record the router refused: its raw bytes went to the dead-letter topic."""

    kind: Literal["record.rejected"] = "record.rejected"
    at: datetime
    position: Position
    code: ErrorCode
    detail: str
    fields: list[FieldProblem] = Field(default_factory=list)
    sender: str | None
    """The unit owning the outbox the record came in on (whatever `source` claimed)."""
    event_id: str | None = None
    type: str | None = None
    subject: str | None = None
    correlationid: str | None = None
    """On a refused receipt or reply: the event it claimed to answer."""
    size: int


class Rescheduled(_Entry):
    """One open delivery's deadlines, counted again."""

    event_source: str
    event_id: str
    recipient: str
    receipt_by: datetime | None
    reply_by: datetime | None
    calendar: Literal["official", "provisional"] | None


class DeadlinesRecomputed(_Entry):
    """`fyhub calendar apply`: the open deliveries of one event whose deadlines changed with the
    calendar (a year's arrangement added). Keyed like the event's own journal entry, so that it
    follows it in the same partition and a replay applies it after the deliveries exist."""

    kind: Literal["deadlines.recomputed"] = "deadlines.recomputed"
    at: datetime
    reason: str
    deliveries: list[Rescheduled] = Field(min_length=1)


class _DeliveryMark(_Entry):
    """A tracker decision about one delivery, at the tracker's `at` (its sweep's now). Keyed like
    the delivery's event entry (`case_key`), so it lands in the same journal partition after it:
    the auditor, and a replay into an empty store, apply it once the delivery exists."""

    at: datetime
    event_source: str
    event_id: str
    recipient: str


class DeliveryOverdue(_DeliveryMark):
    """A stage found past due: its `hub.overdue.v1` notices were acknowledged by the broker, and
    the stage is to be marked overdue at `at`."""

    kind: Literal["delivery.overdue"] = "delivery.overdue"
    stage: OverdueStage
    due: datetime
    """The stage's due time the tracker found past."""
    overdue_by_s: int
    office: str
    """The joint-meeting office, told too."""
    notices: dict[str, str]
    """Each addressee's notice event id (the late unit's first, then the office's)."""


class DeliveryRedelivered(_DeliveryMark):
    """An unreceipted copy delivered again at `at`; after it the delivery has made `attempt`
    attempts (the first delivery counts)."""

    kind: Literal["delivery.redelivered"] = "delivery.redelivered"
    attempt: int = Field(ge=2)


class DeliveryEscalated(_DeliveryMark):
    """A delivery escalated to the office at `at`: `attempts` deliveries went unreceipted past
    `receipt_due`."""

    kind: Literal["delivery.escalated"] = "delivery.escalated"
    attempts: int = Field(ge=1)
    receipt_due: datetime
    office: str


DeliveryMark = DeliveryOverdue | DeliveryRedelivered | DeliveryEscalated
"""The tracker's entries about deliveries: with `MeasureReminded`, the only way its decisions
reach the store."""


# --- measure-expiry watch ---


class MeasureReminded(_Entry):
    """The tracker reminded the court at `at` that the seal or freeze imposed by the control
    request (`event_source`, `event_id`) lapses at `end`: its `enforcement.control.expiring.v1`
    (`notice`) was acknowledged by the broker. Keyed like the request's own entry, so it follows
    it in the same journal partition."""

    kind: Literal["measure.reminded"] = "measure.reminded"
    at: datetime
    event_source: str
    event_id: str
    court: str
    end: date
    days_left: int = Field(ge=0)
    notice: str
    """The reminder's event id."""


JournalEntry = Annotated[
    EventRouted
    | AnswerRouted
    | RecordRejected
    | DeadlinesRecomputed
    | DeliveryOverdue
    | DeliveryRedelivered
    | DeliveryEscalated
    | MeasureReminded,
    Field(discriminator="kind"),
]


def entry_adapter() -> TypeAdapter[JournalEntry]:
    """Parses journal records; built on demand, not at import."""
    return TypeAdapter(JournalEntry)
