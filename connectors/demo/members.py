"""The other member units of the demo: each on its own SDK connector, receipting (签收) every copy
the hub delivers to it and answering nothing, as a unit whose connector is installed but whose
officers have not acted yet. Their owed replies (sanction reports, defences …) fall due, so the
tracker's notices and the office's overdue list show real 督办 work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.catalogue import CATALOGUE

if TYPE_CHECKING:
    from connectors.sdk import Connector, DeliveredEvent


def deliverable_types() -> list[str]:
    """The catalogue types a unit can be delivered and handles itself (the hub's receipts,
    rejections and overdue notices have the SDK's own callbacks)."""
    return [
        name
        for name, entry in CATALOGUE.items()
        if not entry.hub_published and not entry.is_receipt
    ]


class ReceiptingMember:
    """Registers, on `connector`, a handler for every deliverable type that only receipts it."""

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self.received = 0
        for name in deliverable_types():
            connector.handles(name)(self.take)

    async def take(self, event: DeliveredEvent[Any]) -> None:  # noqa: ARG002 - receipt only
        # Returning is the whole of it: the SDK sends the receipt once a handler has succeeded.
        self.received += 1
