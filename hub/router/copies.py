"""One projected, token-carrying copy of an event per recipient, for the hub to sign. Pure.

Each recipient gets only the payload fields the routing table lists for its dept (or for the unit
named in `to`; `hub.routing.plan`). The copy carries the hub's extensions (`hubrouted`,
`hubreceiptby`, `hubreplyby`, `hubdelivery`) and, once the batch is sealed
(`hub.router.proof.seal_batch`), the hub's own signature: the unit's signature covered the whole
payload, so it cannot cover a projection, and the store keeps the original with its signature.
A copy leaves here as its RFC 8785 bytes, awaiting that seal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.journal.entries import Delivered
from hub.kafka.records import Outbound, case_key
from hub.router.token import DeliveryToken, issue_token
from hub.routing.plan import Delivery, plan_deliveries
from schemas.hub_proof import HUBPROOF, copy_bytes
from schemas.units import inbox_topic

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from hub.router.context import RouterContext
    from hub.routing.table import TypeRoute

_SIGNATURE = ("sig", "sigkey", HUBPROOF)
"""The unit's signature, and a `hubproof` no unit may pass on as the hub's."""


def delivered_copies(
    event: Mapping[str, Any],
    sender: str,
    recipients: Sequence[str],
    route: TypeRoute,
    ctx: RouterContext,
    now: datetime,
) -> tuple[list[Outbound], list[Delivered]]:
    planned = plan_deliveries(
        route,
        recipients,
        payload=event["data"],
        routed_at=now,
        calendar=ctx.calendar,
        to=event.get("to"),
        policy=ctx.deadlines,
        cache=ctx.plans,
    )
    copies = [copy_for(event, sender, delivery, ctx, now) for delivery in planned]
    return copies, [delivered(delivery) for delivery in planned]


def copy_for(
    event: Mapping[str, Any],
    sender: str,
    delivery: Delivery,
    ctx: RouterContext,
    routed_at: datetime,
) -> Outbound:
    """The copy of `event` for one planned delivery, unsigned: the hub signs the batch's copies
    together (`hub.router.proof.seal_batch`)."""
    token = DeliveryToken(
        event_id=str(event["id"]),
        source=sender,
        recipient=delivery.recipient,
        event_type=str(event["type"]),
        receipt_by=delivery.receipt_by,
        reply_by=delivery.reply_by,
    )
    copy = {name: value for name, value in event.items() if name not in _SIGNATURE}
    copy["data"] = delivery.data
    copy["hubrouted"] = routed_at.isoformat()
    copy["hubdelivery"] = issue_token(token, ctx.token_secret)
    if delivery.receipt_by is not None:
        copy["hubreceiptby"] = delivery.receipt_by.isoformat()
    if delivery.reply_by is not None:
        copy["hubreplyby"] = delivery.reply_by.isoformat()
    key = case_key(str(event.get("subject") or ""), str(event["id"]))
    return Outbound(inbox_topic(delivery.recipient), key, copy_bytes(copy), awaits_hub_proof=True)


def delivered(delivery: Delivery) -> Delivered:
    fields = delivery.fields
    return Delivered(
        recipient=delivery.recipient,
        fields=fields if fields == "all" else list(fields),
        receipt_by=delivery.receipt_by,
        reply_by=delivery.reply_by,
        calendar=delivery.calendar,
    )
