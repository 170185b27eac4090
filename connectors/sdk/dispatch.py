"""Which application callback handles a delivered type, and running it with bounded retries.

A handler that raises is run again after a backoff, on a fresh `DeliveredEvent` (replies made by
the failed attempt are dropped), up to `RetryPolicy.attempts` times. Then the SDK gives up on the
copy for now: it is neither marked processed nor receipted, and the inbox moves on. The hub's
tracker redelivers an unreceipted copy (the same event id) after its redelivery interval and
escalates to the joint-meeting office after its last attempt, so a persistent failure becomes
visible there instead of blocking every later event of this unit. A `ConnectorError` raised in a
handler (an invalid reply) is not retried: running the same code again builds the same reply.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from connectors.sdk.errors import ConnectorError
from schemas.catalogue import lookup

if TYPE_CHECKING:
    from connectors.sdk.backoff import RetryPolicy
    from connectors.sdk.delivered import DeliveredEvent
    from schemas.common import Payload
    from schemas.hubevents import HubOverdue, HubReceipt, HubRejected

log = logging.getLogger(__name__)

Handler = Callable[["DeliveredEvent[Any]"], Awaitable[None]]
"""An async callback taking the delivered event."""
ReceiptCallback = Callable[["DeliveredEvent[HubReceipt]"], Awaitable[None]]
RejectedCallback = Callable[["DeliveredEvent[HubRejected]"], Awaitable[None]]
OverdueCallback = Callable[["DeliveredEvent[HubOverdue]"], Awaitable[None]]
_OWN_DECORATOR: Final = {
    "hub.receipt.v1": "on_receipt",
    "hub.rejected.v1": "on_rejected",
    "hub.overdue.v1": "on_overdue",
}


class Handlers:
    """The callbacks registered on a connector, by event type."""

    def __init__(self) -> None:
        self._by_type: dict[str, Handler] = {}

    def add(self, event_type: str, handler: Handler) -> None:
        """Register `handler` for `event_type`; raises ConnectorError on an unknown type or a
        second handler for the same type."""
        if lookup(event_type) is None:
            raise ConnectorError(f"{event_type} is not in the fyhub v1 catalogue")
        if event_type in self._by_type:
            raise ConnectorError(f"{event_type} already has a handler")
        self._by_type[event_type] = handler

    def decorator(self, event_type: str | type[Payload]) -> Callable[[Handler], Handler]:
        """A decorator registering its function for `event_type` (a name or a payload class);
        the hub's own messages have their own decorators on the connector."""
        name = event_type if isinstance(event_type, str) else event_type.event_type
        if name in _OWN_DECORATOR:
            raise ConnectorError(f"use @connector.{_OWN_DECORATOR[name]} for {name}")
        if lookup(name) is None:
            raise ConnectorError(f"{name} is not in the fyhub v1 catalogue")

        def register(handler: Handler) -> Handler:
            self.add(name, handler)
            return handler

        return register

    def get(self, event_type: str) -> Handler | None:
        return self._by_type.get(event_type)

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._by_type)


async def run_handler(
    handler: Handler,
    fresh_event: Callable[[], DeliveredEvent[Any]],
    policy: RetryPolicy,
) -> DeliveredEvent[Any] | None:
    """The event of the attempt that succeeded, or None once every attempt failed."""
    for attempt in range(1, policy.attempts + 1):
        event = fresh_event()
        try:
            await handler(event)
        except ConnectorError as error:
            log.error("handler for %r could not answer it: %s", event, error)  # noqa: TRY400
            return None
        except Exception as error:
            log.warning(
                "handler for %r failed (attempt %d of %d): %s",
                event,
                attempt,
                policy.attempts,
                describe(error),
            )
            if attempt < policy.attempts:
                await asyncio.sleep(policy.backoff.delay(attempt))
        else:
            return event
    return None


def describe(error: BaseException, *, stack: bool = False) -> str:
    """The exception's class and where it was raised (with `stack`, every frame), without its
    message: messages of validation errors quote the offending values, which may be names or ID
    numbers."""
    frames = traceback.extract_tb(error.__traceback__)
    if stack:
        return f"{type(error).__name__}, raised\n{''.join(traceback.format_list(frames))}"
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{where}"
