"""`Connector`: one member unit's connection to the hub.

    publish ─► compose (sign, check) ─► SQLite outbox ─► relay ─► fy.unit.<unit>.out ─► hub
    hub ─► fy.unit.<unit>.in ─► consumer ─► inbox processor ─► handler
                                                  └─► SQLite: processed + receipt + replies ─► relay

Nothing here needs Kafka to be reachable: the relay and the consumer connect (and reconnect) in
the background, and events published meanwhile wait in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Self

from connectors.sdk.consumer import InboxConsumer
from connectors.sdk.dispatch import (
    Handlers,
    OverdueCallback,
    ReceiptCallback,
    RejectedCallback,
    describe,
)
from connectors.sdk.errors import ConnectorError, NotStarted
from connectors.sdk.inbox import ConnectorStats, InboxProcessor
from connectors.sdk.options import ConnectorOptions, consumer_group
from connectors.sdk.outgoing import Composer, OutboxRecord, Recipients
from connectors.sdk.relay import KafkaSender, Relay
from connectors.sdk.state import LocalState
from connectors.sdk.store import STATE_FILE, Outbox
from schemas.hubevents import HubOverdue, HubReceipt, HubRejected
from schemas.units import inbox_topic, outbox_topic, unit_code_problem

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import TracebackType

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from connectors.sdk.dispatch import Handler
    from schemas.common import Payload, Purpose
    from schemas.envelope import Envelope

log = logging.getLogger(__name__)


class Connector:
    """A unit's connector: publishes signed events, handles delivered ones, sends receipts.

    `hub_keys` are the hub's public keys by key id: a delivered copy not signed with one of them
    is logged and skipped. `state_dir` holds the SQLite file of the outbox and of the processed
    events; keep it on durable storage and give each running connector its own. `group_id` must
    be `fy.unit.<unit>.<name>` (the unit's broker ACL allows only those); default `.connector`.
    """

    def __init__(  # noqa: PLR0913 - every setting is keyword-only
        self,
        unit: str,
        *,
        bootstrap: str,
        signing_key: Ed25519PrivateKey,
        key_id: str,
        hub_keys: Mapping[str, Ed25519PublicKey],
        state_dir: Path,
        group_id: str | None = None,
        options: ConnectorOptions | None = None,
    ) -> None:
        if problem := unit_code_problem(unit):
            raise ConnectorError(problem)
        if not hub_keys:
            raise ConnectorError("give the hub's public key(s): delivered copies are verified")
        self.unit = unit
        self.bootstrap = bootstrap
        self.group_id = consumer_group(unit, group_id)
        self.options = options or ConnectorOptions()
        self.stats = ConnectorStats()
        self._composer = Composer(unit, signing_key, key_id)
        self._hub_keys = MappingProxyType(dict(hub_keys))
        self._handlers = Handlers()
        self._state = LocalState(Path(state_dir) / STATE_FILE)
        self._relay: Relay | None = None
        self._sender: KafkaSender | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.outbox = Outbox(self._state.path, self._notify_relay)
        """The durable outbox, for `Outbox.add` inside an application's own transaction."""

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the local state and start relaying and consuming in the background."""
        if self._tasks:
            raise ConnectorError("the connector is already started")
        await self._state.open()
        self._sender = KafkaSender(
            outbox_topic(self.unit), self.bootstrap, self.options.client_options()
        )
        self._relay = Relay(
            state=self._state,
            sender=self._sender,
            backoff=self.options.reconnect,
            stats=self.stats,
            poll_s=self.options.poll_s,
        )
        processor = InboxProcessor(
            unit=self.unit,
            state=self._state,
            hub_keys=self._hub_keys,
            composer=self._composer,
            handlers=self._handlers,
            retry=self.options.retry,
            queued=self._relay.notify,
            stats=self.stats,
        )
        consumer = InboxConsumer(
            processor=processor,
            topic=inbox_topic(self.unit),
            group_id=self.group_id,
            bootstrap=self.bootstrap,
            options=self.options.client_options(),
            backoff=self.options.reconnect,
        )
        self._tasks = [
            asyncio.create_task(self._relay.run(), name=f"fyhub-relay-{self.unit}"),
            asyncio.create_task(consumer.run(), name=f"fyhub-inbox-{self.unit}"),
        ]
        for task in self._tasks:
            task.add_done_callback(_report_crash)

    async def stop(self) -> None:
        """Stop the inbox at once: a record being handled is neither committed nor receipted,
        so the next start reads it again (and processes it once). The relay may finish the round
        in flight (`options.stop_grace_s`); unsent rows stay in the outbox."""
        tasks, self._tasks = self._tasks, []
        if tasks:
            relay_task, consumer_task = tasks
            consumer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer_task
            if self._relay is not None:
                self._relay.finish()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(relay_task, self.options.stop_grace_s)
        if self._sender is not None:
            await self._sender.close()
        self._relay = self._sender = None
        await self._state.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- publishing -------------------------------------------------------------------------

    def compose(
        self,
        payload: Payload,
        *,
        subject: str | None = None,
        to: Recipients = None,
        purpose: Purpose | None = None,
        event_id: str | None = None,
    ) -> OutboxRecord:
        """The signed, checked record `publish` would queue, for `Outbox.add`; raises
        `EventRefused` when the hub would refuse it."""
        return self._composer.event(
            payload, subject=subject, to=to, purpose=purpose, event_id=event_id
        )

    def compose_reply(
        self,
        delivered: Envelope,
        payload: Payload,
        *,
        purpose: Purpose | None = None,
        event_id: str | None = None,
    ) -> OutboxRecord:
        """The signed reply to a copy delivered earlier, from its envelope as the hub delivered
        it (`DeliveredEvent.raw`, kept by the application), for `Outbox.add`: how a unit answers
        after its handler returned, even after a restart. Raises `ReplyNotAllowed` when `payload`
        does not answer that type."""
        return self._composer.reply(delivered, payload, purpose=purpose, event_id=event_id)

    async def publish(
        self,
        payload: Payload,
        *,
        subject: str | None = None,
        to: Recipients = None,
        purpose: Purpose | None = None,
        event_id: str | None = None,
    ) -> str:
        """Sign `payload` as a new event and queue it durably; its event id.

        `subject` defaults to the payload's `case_no`; `purpose` to the catalogue's default for
        the type; `event_id` to a new UUID4 (an id already in the outbox is not queued again).
        `to` names the recipients of a targeted request. Returns once the event is in SQLite;
        the relay sends it when Kafka is reachable, in order with the case's other events.
        """
        record = self.compose(payload, subject=subject, to=to, purpose=purpose, event_id=event_id)
        await self._state.add([record])
        self.stats.published += 1
        self._notify_relay()
        return record.event_id

    async def unsent(self) -> int:
        """How many outbox rows Kafka has not acknowledged yet."""
        return await self._state.unsent_count()

    async def flush(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until Kafka has acknowledged every queued row; raises TimeoutError."""
        if not self._tasks:
            raise NotStarted("flush needs a started connector")
        async with asyncio.timeout(timeout):
            while await self.unsent():
                self._notify_relay()
                await asyncio.sleep(0.05)

    # --- handling ---------------------------------------------------------------------------

    def handles(self, event_type: str | type[Payload]) -> Callable[[Handler], Handler]:
        """Decorator: handle delivered events of `event_type` (a type name or its payload
        class) with an async function taking a `DeliveredEvent`. The receipt, when the copy owes
        one, is sent once the function returns."""
        return self._handlers.decorator(event_type)

    def on_receipt(self, callback: ReceiptCallback) -> ReceiptCallback:
        """Decorator: called with each `hub.receipt.v1` for an event this unit published
        (`event.correlationid` is that event's id, `event.sender` the unit that received it)."""
        self._handlers.add(HubReceipt.event_type, callback)
        return callback

    def on_rejected(self, callback: RejectedCallback) -> RejectedCallback:
        """Decorator: called with each `hub.rejected.v1`: the hub refused a record this unit
        published (`event.payload.rejected_id`, `.code`, `.fields`)."""
        self._handlers.add(HubRejected.event_type, callback)
        return callback

    def on_overdue(self, callback: OverdueCallback) -> OverdueCallback:
        """Decorator: called with each `hub.overdue.v1`: a receipt or reply of this unit is
        late (`event.payload.event_id`, `.stage`, `.due`)."""
        self._handlers.add(HubOverdue.event_type, callback)
        return callback

    def _notify_relay(self) -> None:
        if self._relay is not None:
            self._relay.notify()


def _report_crash(task: asyncio.Task[None]) -> None:
    # The loops contain Kafka and handler failures; anything else is a defect worth shouting.
    if not task.cancelled() and (error := task.exception()) is not None:
        log.critical("%s stopped: %s", task.get_name(), describe(error, stack=True))
