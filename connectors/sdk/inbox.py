"""What the connector does with one inbox record, Kafka aside.

    bytes ─► read_delivered ─► not the hub's, or unreadable ─► logged, skipped     (REFUSED)
                  │
                  ▼
          its token names another unit, or none ─► logged, skipped            (MISADDRESSED)
                  │
                  ▼
          processed before? (source, id) ─► yes ─► skipped                        (DUPLICATE)
                  │
                  ▼
          an answer to nothing this connector published ─► logged, skipped  (UNCORRELATED)
                  │
                  ▼
          handler for the type? ─► none, receipt owed ─► logged, left unreceipted (UNHANDLED)
                  │                 none, nothing owed ─► marked processed        (SKIPPED)
                  ▼
          run it, with retries (dispatch) ─► gave up ─► left unreceipted          (FAILED)
                  │
                  ▼
          ONE transaction: processed row + receipt (when owed) + the replies      (PROCESSED)

The caller commits the record's Kafka offset only after `process` returns, i.e. after that
transaction is durable. A crash in between means the record is read again and found processed.
Receipts are owed exactly when the copy carries `hubreceiptby`: the hub sets it from the routing
table's `receipt_days`, which is null for receipts and the hub's own notices.

A misaddressed or uncorrelated copy is not marked processed and not receipted: whatever put it
in this inbox, it is not this unit's to act on (`connectors.sdk.addressed`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from connectors.sdk.addressed import misaddressal, uncorrelation
from connectors.sdk.delivered import DeliveredEvent, Unreadable, read_delivered
from connectors.sdk.dispatch import run_handler
from schemas.catalogue import lookup

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from connectors.sdk.backoff import RetryPolicy
    from connectors.sdk.dispatch import Handlers
    from connectors.sdk.outgoing import Composer, OutboxRecord
    from connectors.sdk.state import LocalState
    from schemas.common import Payload

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of one inbox record."""

    PROCESSED = "processed"
    """The handler succeeded; its replies and the receipt are queued."""
    DUPLICATE = "duplicate"
    """Already processed (a redelivered or re-read copy): nothing done."""
    REFUSED = "refused"
    """Not signed by the hub, or not a readable catalogue event: logged, never processed."""
    MISADDRESSED = "misaddressed"
    """A genuine copy the hub delivered to another unit: logged, never processed."""
    UNCORRELATED = "uncorrelated"
    """A receipt or reply to no event this connector published: logged, never processed."""
    UNHANDLED = "unhandled"
    """No handler for a type that owes a receipt: left unreceipted, so the hub escalates."""
    SKIPPED = "skipped"
    """No handler, and nothing owed (a receipt, a notice): marked processed."""
    FAILED = "failed"
    """The handler failed every attempt: left unreceipted for the hub to redeliver."""


@dataclass
class ConnectorStats:
    """Counters since the connector started; `processed` and the rest count inbox records."""

    published: int = 0
    sent: int = 0
    processed: int = 0
    duplicate: int = 0
    refused: int = 0
    misaddressed: int = 0
    uncorrelated: int = 0
    unhandled: int = 0
    skipped: int = 0
    failed: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


class InboxProcessor:
    """Processes inbox records one at a time (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - every collaborator is keyword-only
        self,
        *,
        unit: str,
        state: LocalState,
        hub_keys: Mapping[str, Ed25519PublicKey],
        composer: Composer,
        handlers: Handlers,
        retry: RetryPolicy,
        queued: Callable[[], None],
        stats: ConnectorStats,
    ) -> None:
        self._unit = unit
        self._state = state
        self._hub_keys = hub_keys
        self._composer = composer
        self._handlers = handlers
        self._retry = retry
        self._queued = queued
        self._stats = stats

    async def process(self, value: bytes) -> Outcome:
        outcome = await self._process(value)
        self._stats.count(outcome)
        return outcome

    async def _process(self, value: bytes) -> Outcome:
        received_at = self._composer.clock()
        event = read_delivered(value, self._hub_keys, self._composer)
        if isinstance(event, Unreadable):
            log.warning("inbox record %s skipped: %s", event.event_id or "(no id)", event.reason)
            return Outcome.REFUSED
        envelope = event.envelope
        if (skipped := await self._not_to_process(event)) is not None:
            return skipped
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return await self._without_handler(event)
        # Each attempt starts from a fresh event, so a failed attempt's replies are dropped.
        done = await run_handler(
            handler,
            lambda: DeliveredEvent(envelope, event.payload, event.raw, self._composer),
            self._retry,
        )
        if done is None:
            log.error("%r left unreceipted: its handler failed; the hub will redeliver it", event)
            return Outcome.FAILED
        receipt = [self._composer.receipt(envelope, received_at)] if done.owes_receipt else []
        await self._record(done, [*receipt, *done.replies])
        return Outcome.PROCESSED

    async def _not_to_process(self, event: DeliveredEvent[Payload]) -> Outcome | None:
        """Why a readable copy is skipped: not this unit's, processed before, or an answer to
        nothing it sent; None when it is to be handled."""
        envelope = event.envelope
        if reason := misaddressal(envelope, self._unit):
            log.warning("%r is not for %s: %s; skipped", event, self._unit, reason)
            return Outcome.MISADDRESSED
        if await self._state.is_processed(envelope.source, envelope.id):
            log.debug("%r was processed before; skipped", event)
            return Outcome.DUPLICATE
        if reason := await self._uncorrelation(event):
            log.warning("%r is not for %s: %s; skipped", event, self._unit, reason)
            return Outcome.UNCORRELATED
        return None

    async def _uncorrelation(self, event: DeliveredEvent[Payload]) -> str | None:
        entry = lookup(event.type)
        if entry is None or not entry.needs_correlation:
            return None
        answered = event.correlationid
        published = answered is not None and await self._state.was_published(answered)
        return uncorrelation(event.envelope, published=published)

    async def _without_handler(self, event: DeliveredEvent[Payload]) -> Outcome:
        if event.owes_receipt:
            log.warning("%r left unreceipted: no handler is registered for its type", event)
            return Outcome.UNHANDLED
        await self._record(event, [])
        return Outcome.SKIPPED

    async def _record(self, event: DeliveredEvent[Payload], records: list[OutboxRecord]) -> None:
        envelope = event.envelope
        await self._state.record_processed(envelope.source, envelope.id, envelope.type, records)
        if records:
            self._queued()
