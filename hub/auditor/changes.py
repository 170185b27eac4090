"""What a batch of journal records changes in the store, worked out in memory. Pure.

`BatchChanges` starts from what the store already holds about the batch (the events it names,
the deliveries its answers answer, the outbox positions already applied) and takes the records in
journal order. Each fact becomes one audit entry, timed by the journal entry (never the wall
clock), so replaying the journal into an empty store chains the same hashes. `hub.auditor.apply`
loads the starting state and writes the result.

Idempotence has two keys, both kept in `processed`:
- `auditor` / `<partition>:<offset>` of the journal record: a record applied once is skipped;
- `auditor.outbox` / `<topic>:<partition>:<offset>` of the outbox record the entry is about: a
  router that decided the same outbox record twice (it crashed before committing) wrote two
  journal entries for one decision; the second changes nothing. The same event id at another
  outbox position is a real duplicate: it is counted on the event and logged.

The hub's own entries (`deadlines.recomputed`, the tracker's `delivery.*` marks) have no outbox
position. A tracker entry repeated at another journal offset (a tracker that restarted before
this auditor caught up) changes nothing a second time: its mark is already recorded
(`hub.journal.marks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from hub.auditor import rows
from hub.auditor.answers import AnswerEffect, answer_effect
from hub.auditor.attachments import attachment_digests, attachment_rows
from hub.auditor.liaisons import LiaisonChange, liaison_change, officers
from hub.auditor.measures import (
    MeasureAnswered,
    MeasureFact,
    MeasureRemindedOf,
    MeasureRequested,
)
from hub.deliveries.answered import Answered, newly_answered
from hub.deliveries.state import Delivery, DeliveryKey, TransitionError, reply_refused
from hub.journal.entries import (
    AnswerRouted,
    DeadlinesRecomputed,
    DeliveryMark,
    MeasureReminded,
    RecordRejected,
)
from hub.journal.marks import mark_audit_entry, mark_changes, mark_key
from hub.journal.reading import JournalRecord, UnreadableRecord, outbox_key
from hub.measures.book import control_answer, requested_measure
from hub.store.audit_chain import AuditEntry, canonical_time
from hub.store.delivery_rows import fields_to_store
from schemas.catalogue import lookup
from schemas.errors import storable_text
from schemas.units import source_uri

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from hub.journal.entries import Delivered, EventRouted, Rescheduled
    from hub.journal.reading import EventFacts, EventKey

JOURNAL_CONSUMER: Final = "auditor"
OUTBOX_CONSUMER: Final = "auditor.outbox"


class AuditKind(StrEnum):
    EVENT_RECEIVED = "event.received"
    EVENT_ROUTED = "event.routed"
    """One per delivered copy: `unit` is the recipient."""
    EVENT_DUPLICATE = "event.duplicate"
    RECEIPT_RECEIVED = "receipt.received"
    """`event_id` is the event receipted, `unit` the unit that receipted it."""
    REPLY_RECEIVED = "reply.received"
    """`event_id` is the event answered, `unit` the unit that answered it."""
    RECORD_REJECTED = "record.rejected"
    JOURNAL_UNREADABLE = "journal.unreadable"
    """A journal record the auditor could not apply; it is skipped, not retried."""
    JOURNAL_REFUSED = "journal.refused"
    """A journal record not sealed by the hub, or whose event its unit did not sign: stored as
    refused (`unreadable_entries.refusal`), never applied."""
    DEADLINES_RECOMPUTED = "deadlines.recomputed"
    """One per delivery given new deadlines (`fyhub calendar apply`); `unit` is the recipient."""
    DELIVERY_OVERDUE = "delivery.overdue"
    DELIVERY_REDELIVERED = "delivery.redelivered"
    DELIVERY_ESCALATED = "delivery.escalated"
    """The tracker's marks (`hub.journal.marks`), one per mark that changed its delivery;
    `unit` is the recipient, `at` the tracker's time."""
    # --- measure-expiry watch ---
    MEASURE_REMINDED = "measure.reminded"
    """The tracker reminded the court (`unit`) that the seal or freeze of the control request
    `event_id` lapses at `detail.end` (`enforcement.control.expiring.v1`)."""


@dataclass(slots=True)
class KnownEvent:
    type: str
    subject: str | None
    duplicate_count: int


@dataclass(slots=True)
class _NewEvent:
    facts: EventFacts
    received_at: datetime


@dataclass
class BatchChanges:
    """The store's state for one batch, updated record by record."""

    events: dict[EventKey, KnownEvent]
    deliveries: dict[DeliveryKey, Delivery]
    seen_positions: set[str]
    audit: list[AuditEntry] = field(default_factory=list)
    applied: int = 0
    redeliveries: int = 0
    unreadable: int = 0
    refusals: list[str] = field(default_factory=list)
    """The refusal of each refused record, in journal order."""
    _new_events: dict[EventKey, _NewEvent] = field(default_factory=dict)
    _counted: set[EventKey] = field(default_factory=set)
    _new_deliveries: dict[DeliveryKey, list[str]] = field(default_factory=dict)
    _answered: set[DeliveryKey] = field(default_factory=set)
    _before_answers: dict[DeliveryKey, Delivery] = field(default_factory=dict)
    """Each delivery answered in the batch as it stood before its first answer here."""
    _calendars: dict[DeliveryKey, str | None] = field(default_factory=dict)
    """The calendar of each delivery routed or rescheduled in the batch."""
    _rescheduled: set[DeliveryKey] = field(default_factory=set)
    _marked: set[DeliveryKey] = field(default_factory=set)
    _rejections: list[dict[str, Any]] = field(default_factory=list)
    _processed: list[dict[str, Any]] = field(default_factory=list)
    _liaison_changes: list[LiaisonChange] = field(default_factory=list)
    _unreadable: list[dict[str, Any]] = field(default_factory=list)
    _measure_facts: list[MeasureFact] = field(default_factory=list)

    def take_all(self, records: Iterable[JournalRecord | UnreadableRecord]) -> None:
        for record in records:
            self.take(record)

    def take(self, record: JournalRecord | UnreadableRecord) -> None:
        if isinstance(record, UnreadableRecord):
            self._take_unreadable(record)
            return
        entry = record.entry
        self._mark_processed(JOURNAL_CONSUMER, record.journal_key, entry.at)
        if isinstance(entry, DeadlinesRecomputed | DeliveryMark | MeasureReminded):
            self.applied += 1
            self._take_hubs_own(entry)
            return
        position = record.outbox_key
        assert position is not None  # every other entry is about an outbox record
        if position in self.seen_positions:
            self.redeliveries += 1
            return
        self.seen_positions.add(position)
        self._mark_processed(OUTBOX_CONSUMER, position, entry.at)
        self.applied += 1
        if isinstance(entry, RecordRejected):
            self._take_rejection(entry)
            return
        assert record.event is not None  # read_record gives routed entries their facts
        if not self._take_event(record.event, entry):
            return
        if isinstance(entry, AnswerRouted):
            assert record.answered is not None
            self._take_answer(entry, record.answered, record.event)

    # --- what to write --------------------------------------------------------------------

    def event_rows(self) -> list[dict[str, Any]]:
        return [
            rows.event_values(new.facts, new.received_at, self.events[key].duplicate_count)
            for key, new in self._new_events.items()
        ]

    def attachment_rows(self) -> list[dict[str, Any]]:
        """The documents the batch's new events attach (`event_attachments`)."""
        return [row for new in self._new_events.values() for row in attachment_rows(new.facts)]

    def duplicate_count_updates(self) -> list[dict[str, Any]]:
        return [
            {
                "source": key[0],
                "event_id": key[1],
                "duplicate_count": self.events[key].duplicate_count,
            }
            for key in sorted(self._counted)
            if key not in self._new_events
        ]

    def delivery_rows(self) -> list[dict[str, Any]]:
        return [
            rows.new_delivery_values(self.deliveries[key], fields)
            | {"calendar": self._calendars.get(key)}
            for key, fields in self._new_deliveries.items()
        ]

    def deadline_updates(self) -> list[dict[str, Any]]:
        return [
            rows.deadline_values(self.deliveries[key], self._calendars.get(key))
            for key in sorted(self._rescheduled)
            if key not in self._new_deliveries
        ]

    def mark_updates(self) -> list[dict[str, Any]]:
        return [
            rows.mark_values(self.deliveries[key])
            for key in sorted(self._marked)
            if key not in self._new_deliveries
        ]

    def delivery_updates(self) -> list[dict[str, Any]]:
        return [
            rows.answer_values(self.deliveries[key])
            for key in sorted(self._answered)
            if key not in self._new_deliveries
        ]

    def answered(self) -> list[Answered]:
        """The stages the batch answered for the first time, delivery by delivery."""
        return [
            answered
            for key in sorted(self._answered)
            for answered in newly_answered(self._before_answers[key], self.deliveries[key])
        ]

    def rejection_rows(self) -> list[dict[str, Any]]:
        return list(self._rejections)

    def processed_rows(self) -> list[dict[str, Any]]:
        return list(self._processed)

    def liaison_change_rows(self) -> list[dict[str, Any]]:
        return [change.values() for change in self._liaison_changes]

    def unit_liaison_rows(self) -> list[dict[str, Any]]:
        """Per unit and officer name, what the batch's last change naming it says; each row
        replaces the store's row of that unit and name."""
        return [officer.values() for officer in officers(self._liaison_changes).values()]

    def unreadable_rows(self) -> list[dict[str, Any]]:
        return list(self._unreadable)

    def measure_facts(self) -> list[MeasureFact]:
        """What the batch did to the measures table, in journal order (`hub.auditor.measures`)."""
        return list(self._measure_facts)

    # --- record kinds ---------------------------------------------------------------------

    def _take_hubs_own(self, entry: DeadlinesRecomputed | DeliveryMark | MeasureReminded) -> None:
        if isinstance(entry, DeadlinesRecomputed):
            self._take_recomputed(entry)
        elif isinstance(entry, MeasureReminded):
            self._take_reminded(entry)
        else:
            self._take_mark(entry)

    def _take_unreadable(self, record: UnreadableRecord) -> None:
        self._mark_processed(JOURNAL_CONSUMER, record.journal_key, record.at)
        self._unreadable.append(rows.unreadable_values(record))
        detail: dict[str, Any] = {
            "partition": record.partition,
            "offset": record.offset,
            "size": record.size,
            "problems": list(record.problems),
            "sha256": record.sha256,
        }
        if record.refusal is None:
            self.unreadable += 1
            self._log(record.at, AuditKind.JOURNAL_UNREADABLE, None, None, detail)
            return
        self.refusals.append(record.refusal)
        detail["refusal"] = record.refusal
        self._log(record.at, AuditKind.JOURNAL_REFUSED, None, None, detail)

    def _take_event(self, facts: EventFacts, entry: EventRouted | AnswerRouted) -> bool:
        """Record a new event and its deliveries; False when it is a duplicate."""
        known = self.events.get(facts.key)
        common = {
            "source": facts.source,
            "type": facts.type,
            "position": outbox_key(entry.position),
        }
        if known is not None:
            known.duplicate_count += 1
            self._counted.add(facts.key)
            detail = {**common, "duplicate_count": known.duplicate_count}
            self._log(entry.at, AuditKind.EVENT_DUPLICATE, facts.event_id, facts.unit, detail)
            return False
        self.events[facts.key] = KnownEvent(facts.type, facts.subject, 0)
        self._new_events[facts.key] = _NewEvent(facts, entry.at)
        received: dict[str, Any] = dict(common)
        if digests := attachment_digests(facts):
            # The documents it attaches, so that a recipient can prove which one it acted on.
            received["attachments"] = digests
        self._log(entry.at, AuditKind.EVENT_RECEIVED, facts.event_id, facts.unit, received)
        for delivered in entry.deliveries:
            self._take_delivery(facts, delivered, entry.at)
        change = liaison_change(facts, entry.at)
        if change is not None:
            self._liaison_changes.append(change)
        self._take_control_request(facts, entry)
        return True

    def _take_control_request(self, facts: EventFacts, entry: EventRouted | AnswerRouted) -> None:
        # A control request goes to the one unit that registers the measure.
        if facts.unit is None or len(entry.deliveries) != 1:
            return
        recipient = entry.deliveries[0].recipient
        measure = requested_measure(facts.envelope, court=facts.unit, unit=recipient)
        if measure is not None:
            self._measure_facts.append(MeasureRequested(measure))

    def _take_reminded(self, entry: MeasureReminded) -> None:
        self._measure_facts.append(MeasureRemindedOf(entry.event_source, entry.event_id, entry.end))
        detail = {
            "source": entry.event_source,
            "end": entry.end.isoformat(),
            "days_left": entry.days_left,
            "notice": entry.notice,
        }
        self._log(entry.at, AuditKind.MEASURE_REMINDED, entry.event_id, entry.court, detail)

    def _take_delivery(self, facts: EventFacts, delivered: Delivered, at: datetime) -> None:
        key = DeliveryKey(facts.source, facts.event_id, delivered.recipient)
        self.deliveries[key] = Delivery(
            event_source=facts.source,
            event_id=facts.event_id,
            recipient=delivered.recipient,
            event_type=facts.type,
            subject=facts.subject or facts.event_id,
            routed_at=at,
            receipt_due=delivered.receipt_by,
            reply_due=delivered.reply_by,
        )
        fields = fields_to_store(delivered.fields)
        self._new_deliveries[key] = fields
        self._calendars[key] = delivered.calendar
        detail = {
            "source": facts.source,
            "type": facts.type,
            "fields": fields,
            "receipt_due": _time(delivered.receipt_by),
            "reply_due": _time(delivered.reply_by),
        }
        self._log(at, AuditKind.EVENT_ROUTED, facts.event_id, delivered.recipient, detail)

    def _take_answer(self, entry: AnswerRouted, answered: DeliveryKey, answer: EventFacts) -> None:
        delivery = self.deliveries.get(answered)
        if delivery is None:
            effect = AnswerEffect.NO_DELIVERY
        else:
            updated, effect = answer_effect(delivery, entry, answer.event_id)
            if updated != delivery:
                self._change_answers(answered, updated)
        answer_said = None if entry.receipt else control_answer(answer.envelope)
        if answer_said is not None:
            self._measure_facts.append(
                MeasureAnswered(answered.event_source, answered.event_id, answer_said)
            )
        kind = AuditKind.RECEIPT_RECEIVED if entry.receipt else AuditKind.REPLY_RECEIVED
        detail = {
            "source": answered.event_source,
            "answer_id": answer.event_id,
            "answer_type": answer.type,
            "effect": effect.value,
        }
        self._log(entry.at, kind, entry.answers, entry.answered_by, detail)

    def _take_recomputed(self, entry: DeadlinesRecomputed) -> None:
        for new in entry.deliveries:
            key = DeliveryKey(new.event_source, new.event_id, new.recipient)
            delivery = self.deliveries.get(key)
            applied = delivery is not None
            if delivery is not None:
                self.deliveries[key] = rescheduled(delivery, new)
                self._calendars[key] = new.calendar
                self._rescheduled.add(key)
            detail = {
                "source": new.event_source,
                "receipt_due": _time(new.receipt_by),
                "reply_due": _time(new.reply_by),
                "calendar": new.calendar,
                "reason": entry.reason,
                "effect": "applied" if applied else "no_delivery",
            }
            self._log(entry.at, AuditKind.DEADLINES_RECOMPUTED, new.event_id, new.recipient, detail)

    def _take_mark(self, entry: DeliveryMark) -> None:
        """The tracker's mark on its delivery, with its audit fact; nothing when it changes
        nothing (a repeated entry, or one the delivery's facts have moved past)."""
        key = mark_key(entry)
        delivery = self.deliveries.get(key)
        after = None if delivery is None else mark_changes(delivery, entry)
        if after is None:
            return
        self.deliveries[key] = after
        self._marked.add(key)
        self.audit.append(mark_audit_entry(entry))

    def _take_rejection(self, entry: RecordRejected) -> None:
        sender = source_uri(entry.sender) if entry.sender else None
        self._rejections.append(rows.rejection_values(entry, sender))
        detail = {
            "code": entry.code.value,
            "detail": storable_text(entry.detail),
            "fields": [storable_text(problem.path) for problem in entry.fields],
            "type": storable_text(entry.type) if entry.type else None,
            "size": entry.size,
            "position": outbox_key(entry.position),
        }
        event_id = rows.storable_event_id(entry.event_id)
        self._log(entry.at, AuditKind.RECORD_REJECTED, event_id, entry.sender, detail)
        self._refuse_reply(entry)

    def _refuse_reply(self, entry: RecordRejected) -> None:
        """A refused reply marks the delivery it claimed to answer `rejected` (a valid reply is
        still owed), when that delivery went to the unit whose outbox the reply came from."""
        if entry.correlationid is None or entry.sender is None or not is_reply_type(entry.type):
            return
        for key, delivery in list(self.deliveries.items()):
            if (key.event_id, key.recipient) != (entry.correlationid, entry.sender):
                continue
            try:
                updated = reply_refused(delivery, entry.at)
            except TransitionError:  # the delivery owed no reply: nothing to mark
                continue
            if updated != delivery:
                self._change_answers(key, updated)

    def _change_answers(self, key: DeliveryKey, updated: Delivery) -> None:
        self._before_answers.setdefault(key, self.deliveries[key])
        self.deliveries[key] = updated
        self._answered.add(key)

    def _mark_processed(self, consumer: str, key: str, at: datetime) -> None:
        self._processed.append(rows.processed_values(consumer, key, at))

    def _log(
        self,
        at: datetime,
        kind: AuditKind,
        event_id: str | None,
        unit: str | None,
        detail: dict[str, Any],
    ) -> None:
        self.audit.append(AuditEntry(at, kind.value, event_id, unit, detail))


def rescheduled(delivery: Delivery, new: Rescheduled) -> Delivery:
    """`delivery` with the new deadlines of the stages it still owes: a stage already answered
    keeps the deadline it was answered against."""
    return replace(
        delivery,
        receipt_due=delivery.receipt_due if delivery.receipt_at is not None else new.receipt_by,
        reply_due=delivery.reply_due if delivery.replied_at is not None else new.reply_by,
    )


def _time(at: datetime | None) -> str | None:
    return None if at is None else canonical_time(at)


def is_reply_type(event_type: str | None) -> bool:
    """Whether `event_type` is a catalogue reply (answers a request; receipts are not replies)."""
    known = lookup(event_type) if event_type else None
    return known is not None and known.is_reply
