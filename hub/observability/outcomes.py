"""The numbers behind the hub's metrics, worked out from what the services already hold. Pure.

- `record_outcome`: what the router did with one outbox record, read from the journal entry it
  wrote about it (the decision's own summary) and from its dead letter.
- `overdue_counts`: the open deliveries past a due time, per recipient and stage.
- `answer_timings`: how long each recipient took to receipt and to reply, from the store's
  delivery rows after the auditor applied the answers.
- `partition_lags`: how many journal records the auditor has yet to apply.

Label values stay bounded: units come from the outbox and inbox topics the hub subscribes to
and writes (the registry's units), types from the catalogue (a record refused before its type was
checked is `unknown`), codes from `ErrorCode`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hub.deliveries.state import Stage, stages_past_due
from hub.journal.entries import AnswerRouted
from hub.journal.reading import JournalRecord
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, unit_from_outbox

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from hub.deliveries.state import Delivery, DeliveryKey
    from hub.journal.reading import UnreadableRecord
    from hub.kafka.records import InboundRecord, Outbound

UNKNOWN: Final = "unknown"
"""The label value for a type or a unit the record did not (readably) name."""
_ERROR_CODE_HEADER: Final = "fy-error-code"


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What the router did with one outbox record."""

    source: str
    """The unit owning the outbox the record came in on."""
    type: str
    recipients: tuple[str, ...] = ()
    """One per copy written to an inbox."""
    rejected: str | None = None
    """The error code, when the record was refused."""
    dead_letters: tuple[str, ...] = ()
    """The error code of each record written to the dead-letter topic."""


def record_outcome(record: InboundRecord, written: Sequence[Outbound]) -> RecordOutcome:
    source = unit_from_outbox(record.topic) or UNKNOWN
    letters = tuple(_error_code(out) for out in written if out.topic == DLQ_TOPIC)
    entry = next((_json(out.value) for out in written if out.topic == JOURNAL_TOPIC), {})
    if entry.get("kind") == "record.rejected":
        code = str(entry.get("code") or UNKNOWN)
        return RecordOutcome(source, entry.get("type") or UNKNOWN, (), code, letters)
    event = entry.get("event") or {}
    recipients = tuple(str(d["recipient"]) for d in entry.get("deliveries") or ())
    return RecordOutcome(source, str(event.get("type") or UNKNOWN), recipients, None, letters)


def _error_code(out: Outbound) -> str:
    code = dict(out.headers).get(_ERROR_CODE_HEADER)
    return code.decode() if code else UNKNOWN


def _json(value: bytes) -> dict[str, Any]:
    parsed = json.loads(value)
    return parsed if isinstance(parsed, dict) else {}


def overdue_counts(deliveries: Iterable[Delivery], now: datetime) -> Counter[tuple[str, str]]:
    """(recipient, stage) → open deliveries whose stage is past due at `now`."""
    return Counter(
        (d.recipient, stage.value) for d in deliveries for stage in stages_past_due(d, now)
    )


@dataclass(frozen=True, slots=True)
class StoredAnswers:
    """A delivery row as the store holds it once the auditor applied a batch."""

    event_type: str
    routed_at: datetime
    receipt_at: datetime | None
    replied_at: datetime | None
    reply_event_id: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A receipt or a reply as the journal has it."""

    delivery: DeliveryKey
    at: datetime
    """When the router routed it."""
    reply_id: str | None
    """The reply's event id; None for a receipt."""


@dataclass(frozen=True, slots=True)
class AnswerTiming:
    stage: Stage
    event_type: str
    """The type of the event answered."""
    recipient: str
    """The unit that received it and answered."""
    seconds: float
    """From routing the event to routing its receipt or reply (the hub's clock both times)."""


def answers(records: Iterable[JournalRecord | UnreadableRecord]) -> list[Answer]:
    """The receipts and replies among journal records."""
    return [
        Answer(r.answered, r.entry.at, None if r.entry.receipt else r.event.event_id)
        for r in records
        if isinstance(r, JournalRecord)
        and isinstance(r.entry, AnswerRouted)
        and r.answered is not None
        and r.event is not None
    ]


def answer_timings(
    applied: Iterable[Answer], stored: Mapping[DeliveryKey, StoredAnswers]
) -> list[AnswerTiming]:
    """The receipts and replies of a batch that took effect on their deliveries, timed.

    An answer counts only when the stored delivery shows it took effect: a receipt whose time is
    the delivery's receipt time (a reply without an earlier receipt is the receipt too), a reply
    whose id is the delivery's reply. A second receipt, a second reply, or an answer to a delivery
    the store does not hold adds nothing, so each delivery is timed once per stage.
    """
    times: dict[DeliveryKey, set[datetime]] = {}
    replies: dict[DeliveryKey, set[str]] = {}
    for answer in applied:
        times.setdefault(answer.delivery, set()).add(answer.at)
        if answer.reply_id is not None:
            replies.setdefault(answer.delivery, set()).add(answer.reply_id)
    timings: list[AnswerTiming] = []
    for key, ats in times.items():
        row = stored.get(key)
        if row is None:
            continue
        if row.receipt_at is not None and row.receipt_at in ats:
            timings.append(_timing(Stage.RECEIPT, key, row, row.receipt_at))
        if row.replied_at is not None and row.reply_event_id in replies.get(key, ()):
            timings.append(_timing(Stage.REPLY, key, row, row.replied_at))
    return timings


def _timing(stage: Stage, key: DeliveryKey, row: StoredAnswers, at: datetime) -> AnswerTiming:
    seconds = max((at - row.routed_at).total_seconds(), 0.0)
    return AnswerTiming(stage, row.event_type, key.recipient, seconds)


class JournalMarks:
    """The next journal offset per partition not yet counted, so that a batch read again (its
    offsets not committed after its transaction was) is not counted twice in this process."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def unseen(
        self, records: Sequence[JournalRecord | UnreadableRecord]
    ) -> list[JournalRecord | UnreadableRecord]:
        fresh = [r for r in records if r.offset >= self._next.get(r.partition, 0)]
        for record in fresh:
            self._next[record.partition] = max(
                self._next.get(record.partition, 0), record.offset + 1
            )
        return fresh


TopicPartitionKey = tuple[str, int]


def partition_lags(
    positions: Iterable[tuple[str, int, int]],
    highwater: Callable[[str, int], int | None],
    *,
    applied: bool,
) -> dict[TopicPartitionKey, int]:
    """Records behind the end of each partition of a batch of (topic, partition, offset).

    Applied, a batch leaves the consumer after its last record; refused by the store, before
    its first. Partitions whose end the consumer does not know yet are left out.
    """
    bounds: dict[TopicPartitionKey, int] = {}
    for topic, partition, offset in positions:
        key = (topic, partition)
        mine = offset + 1 if applied else offset
        known = bounds.get(key)
        bounds[key] = mine if known is None else (max if applied else min)(known, mine)
    lags: dict[TopicPartitionKey, int] = {}
    for (topic, partition), position in bounds.items():
        end = highwater(topic, partition)
        if end is not None:
            lags[(topic, partition)] = max(end - position, 0)
    return lags
