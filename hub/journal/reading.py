"""Journal records as the auditor reads them: parsed and checked before anything touches the store.

A record that does not parse, or whose event could not be stored (an identity longer than its
column, a time without an offset), becomes an `UnreadableRecord`. The auditor records it and moves
on; it never blocks on it. Its `problems` name field paths and error kinds only, never values,
because the values may be personal data.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from hub.deliveries.state import DeliveryKey
from hub.journal.entries import (
    AnswerRouted,
    DeadlinesRecomputed,
    DeliveryEscalated,
    DeliveryMark,
    DeliveryOverdue,
    DeliveryRedelivered,
    EventRouted,
    JournalEntry,
    MeasureReminded,
    Position,
    RecordRejected,
)
from hub.store.tables import EVENT_ID, SOURCE, UNIT
from schemas.identifiers import CaseNumber
from schemas.storable import unstorable_text
from schemas.units import is_unit_code, source_uri, unit_from_source

if TYPE_CHECKING:
    from collections.abc import Mapping

_SUBJECT = 128
_CHINA = timezone(timedelta(hours=8))
_TYPE = 128
_CASE_NO = 64
_KEY = 255

EventKey = tuple[str, str]
"""An event's identity in the store: (source, id)."""


class _UnstorableError(ValueError):
    """The entry parsed, but its event cannot be stored; the message names the field only."""


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the store keeps about an event, taken from its envelope as received."""

    source: str
    event_id: str
    type: str
    subject: str | None
    case_no: str | None
    time: datetime
    envelope: Mapping[str, Any]
    signature: str | None
    signing_key: str | None

    @property
    def key(self) -> EventKey:
        return (self.source, self.event_id)

    @property
    def unit(self) -> str | None:
        """The publishing unit; None for the hub's own events."""
        return unit_from_source(self.source)


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """A readable journal record: where it sits in the journal, the entry, and its facts."""

    partition: int
    offset: int
    entry: (
        EventRouted
        | AnswerRouted
        | RecordRejected
        | DeadlinesRecomputed
        | DeliveryOverdue
        | DeliveryRedelivered
        | DeliveryEscalated
        | MeasureReminded
    )
    event: EventFacts | None
    """The routed event or answer; None for a rejection and the hub's own decisions."""
    answered: DeliveryKey | None
    """For an answer: the delivery it answers."""

    @property
    def refused_answer(self) -> tuple[str, str] | None:
        """For a refused record that named the event it answers: that event's id and the unit
        whose outbox it came from (the delivery's recipient, if it was one)."""
        entry = self.entry
        if isinstance(entry, RecordRejected) and entry.correlationid and entry.sender:
            return entry.correlationid, entry.sender
        return None

    @property
    def journal_key(self) -> str:
        return journal_key(self.partition, self.offset)

    @property
    def outbox_key(self) -> str | None:
        """The outbox record the entry decides about; None for the hub's own decisions."""
        if isinstance(self.entry, DeadlinesRecomputed | DeliveryMark | MeasureReminded):
            return None
        return outbox_key(self.entry.position)

    @property
    def marked(self) -> DeliveryKey | None:
        """For a tracker entry: the delivery it marks."""
        entry = self.entry
        if not isinstance(entry, DeliveryMark):
            return None
        return DeliveryKey(entry.event_source, entry.event_id, entry.recipient)

    @property
    def rescheduled(self) -> tuple[DeliveryKey, ...]:
        """For a recomputation: the deliveries it gives new deadlines."""
        if not isinstance(self.entry, DeadlinesRecomputed):
            return ()
        return tuple(
            DeliveryKey(d.event_source, d.event_id, d.recipient) for d in self.entry.deliveries
        )


@dataclass(frozen=True, slots=True)
class UnreadableRecord:
    """A journal record the auditor cannot apply; `at` is its Kafka timestamp."""

    partition: int
    offset: int
    at: datetime
    size: int
    problems: tuple[str, ...]
    sha256: str = ""
    """Of the record's bytes, to tell it apart from any other without its content."""
    refusal: str | None = None
    """Set when the record was readable but not trusted (`hub.journal.trust.Refusal`): not
    sealed by the hub, or its event not signed by its unit. `problems` then says why."""

    @property
    def journal_key(self) -> str:
        return journal_key(self.partition, self.offset)


def unreadable(
    partition: int,
    offset: int,
    timestamp_ms: int,
    value: bytes | None,
    problems: tuple[str, ...],
    *,
    refusal: str | None = None,
) -> UnreadableRecord:
    raw = value or b""
    digest = hashlib.sha256(raw).hexdigest()
    at = record_time(timestamp_ms)
    return UnreadableRecord(partition, offset, at, len(raw), problems, digest, refusal)


def record_time(timestamp_ms: int) -> datetime:
    """A Kafka record's timestamp as a UTC time."""
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


def journal_key(partition: int, offset: int) -> str:
    return f"{partition}:{offset}"


def outbox_key(position: Position) -> str:
    return f"{position.topic}:{position.partition}:{position.offset}"


@functools.cache
def _adapter() -> TypeAdapter[JournalEntry]:
    return TypeAdapter(JournalEntry)


def read_record(
    partition: int, offset: int, timestamp_ms: int, value: bytes | None
) -> JournalRecord | UnreadableRecord:
    """Parse one journal record value."""
    raw = value or b""
    try:
        entry = _adapter().validate_json(raw)
        event = (
            None
            if isinstance(
                entry, RecordRejected | DeadlinesRecomputed | DeliveryMark | MeasureReminded
            )
            else event_facts(entry.event, may_hold_unstorable=_may_hold_unstorable(raw))
        )
        answered = _answered(entry) if isinstance(entry, AnswerRouted) else None
        _check_storable(entry)
    except ValidationError as error:
        problems = tuple(_problem(detail) for detail in error.errors(include_input=False))
    except _UnstorableError as error:
        problems = (str(error),)
    else:
        return JournalRecord(partition, offset, entry, event, answered)
    return unreadable(partition, offset, timestamp_ms, raw, problems)


def _may_hold_unstorable(raw: bytes) -> bool:
    """Whether JSON text `raw` can decode to a string holding a NUL or a lone surrogate: only
    through a `\\u` escape, or bytes no valid JSON text (a raw NUL) or UTF-8 (a surrogate's lead
    byte 0xED, which otherwise only Hangul syllables use) holds. Three scans of the bytes, where
    walking every string of the decoded event costs a good part of reading it."""
    return b"\\u" in raw or b"\x00" in raw or b"\xed" in raw


def event_facts(event: Mapping[str, Any], *, may_hold_unstorable: bool = True) -> EventFacts:
    """The facts of `event`; `may_hold_unstorable=False` when the caller knows from the bytes it
    was decoded from that no string of it holds a NUL or a lone surrogate."""
    if may_hold_unstorable and (unholdable := unstorable_text(event)):
        paths = ", ".join(problem.path for problem in unholdable[:10])
        raise _UnstorableError(f"event: text the store cannot hold (NUL or surrogate) at {paths}")
    subject = _optional_text(event, "subject", _SUBJECT)
    data = event.get("data")
    payload_case = data.get("case_no") if isinstance(data, dict) else None
    return EventFacts(
        source=_text(event, "source", SOURCE),
        event_id=_text(event, "id", EVENT_ID),
        type=_text(event, "type", _TYPE),
        subject=subject,
        case_no=case_number(subject) or case_number(payload_case),
        time=_time(event.get("time")),
        envelope=event,
        signature=_optional_text(event, "sig", None),
        signing_key=_optional_text(event, "sigkey", _TYPE),
    )


def case_number(value: object) -> str | None:
    """The canonical spelling of a case number, or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    try:
        normalised = CaseNumber.parse(value).normalised
    except ValueError:
        return None
    return normalised if len(normalised) <= _CASE_NO else None


def _answered(entry: AnswerRouted) -> DeliveryKey:
    if len(entry.answered_by) > UNIT:
        raise _UnstorableError("answered_by: too long")
    try:
        sender = source_uri(entry.original_sender)
    except ValueError:
        raise _UnstorableError("original_sender: not a unit code") from None
    return DeliveryKey(sender, _bounded(entry.answers, "answers", EVENT_ID), entry.answered_by)


def _check_storable(entry: JournalEntry) -> None:
    """What the store's columns need beyond what the journal's schema checks."""
    _aware(entry.at, "at")
    if isinstance(entry, DeadlinesRecomputed):
        for rescheduled in entry.deliveries:
            _bounded(rescheduled.event_source, "deliveries.event_source", SOURCE)
            _bounded(rescheduled.event_id, "deliveries.event_id", EVENT_ID)
            _bounded(rescheduled.recipient, "deliveries.recipient", UNIT)
            _aware(rescheduled.receipt_by, "deliveries.receipt_by")
            _aware(rescheduled.reply_by, "deliveries.reply_by")
        return
    if isinstance(entry, MeasureReminded):
        _bounded(entry.event_source, "event_source", SOURCE)
        _bounded(entry.event_id, "event_id", EVENT_ID)
        _bounded(entry.court, "court", UNIT)
        return
    if isinstance(entry, DeliveryMark):
        _bounded(entry.event_source, "event_source", SOURCE)
        _bounded(entry.event_id, "event_id", EVENT_ID)
        _bounded(entry.recipient, "recipient", UNIT)
        if isinstance(entry, DeliveryOverdue):
            _aware(entry.due, "due")
        elif isinstance(entry, DeliveryEscalated):
            _aware(entry.receipt_due, "receipt_due")
        return
    _bounded(outbox_key(entry.position), "position", _KEY)
    if isinstance(entry, RecordRejected):
        if entry.sender is not None and not is_unit_code(entry.sender):
            raise _UnstorableError("sender: not a unit code")
        return
    for delivered in entry.deliveries:
        _bounded(delivered.recipient, "deliveries.recipient", UNIT)
        _aware(delivered.receipt_by, "deliveries.receipt_by")
        _aware(delivered.reply_by, "deliveries.reply_by")


def _aware(at: datetime | None, name: str) -> None:
    if at is not None and at.utcoffset() is None:
        raise _UnstorableError(f"{name}: a time without an offset")
    _in_range(at, name)


def _in_range(at: datetime | None, name: str) -> None:
    # The store keeps UTC and shows China time: both must exist (not so for 0001-01-01+08:00, or
    # 9999-12-31T23:59Z in China).
    if at is None:
        return
    try:
        at.astimezone(UTC)
        at.astimezone(_CHINA)
    except OverflowError:
        raise _UnstorableError(f"{name}: a time out of the store's range") from None


def _text(event: Mapping[str, Any], name: str, limit: int) -> str:
    value = event.get(name)
    if not isinstance(value, str) or not value:
        raise _UnstorableError(f"event.{name}: missing or not text")
    return _bounded(value, f"event.{name}", limit)


def _optional_text(event: Mapping[str, Any], name: str, limit: int | None) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _UnstorableError(f"event.{name}: not text")
    return value if limit is None else _bounded(value, f"event.{name}", limit)


def _bounded(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise _UnstorableError(f"{name}: longer than {limit} characters")
    return value


def _time(value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise _UnstorableError("event.time: not an RFC 3339 time with an offset")
    _in_range(parsed, "event.time")
    return parsed


def _problem(detail: Mapping[str, Any]) -> str:
    location = ".".join(str(part) for part in detail.get("loc", ())) or "(record)"
    return f"{location}: {detail.get('type', 'invalid')}"
