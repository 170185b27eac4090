"""One projected, token-carrying copy of an event per recipient, for the hub to sign. Pure.

Each recipient gets only the payload fields the routing table lists for its dept (or for the unit
named in `to`; `hub.routing.plan`). The copy carries the hub's extensions (`hubrouted`,
`hubreceiptby`, `hubreplyby`, `hubdelivery`) and, once the batch is sealed
(`hub.router.proof.seal_batch`), the hub's own signature: the unit's signature covered the whole
payload, so it cannot cover a projection, and the store keeps the original with its signature.
A copy leaves here as its RFC 8785 bytes, awaiting that seal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.journal.entries import Delivered
from hub.kafka.records import Outbound, case_key
from hub.router.token import DeliveryToken, issue_token
from hub.routing.plan import Delivery, plan_deliveries
from schemas.canonical import canonical_json, writes_as_jcs
from schemas.hub_proof import HUBPROOF
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
    original = _Original.of(event, now)
    copies = [_copy(original, sender, delivery, ctx) for delivery in planned]
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
    return _copy(_Original.of(event, routed_at), sender, delivery, ctx)


@dataclass(frozen=True, slots=True)
class _Original:
    """What every copy of one event shares, made once per event rather than once per recipient
    (a broadcast has 19)."""

    fields: dict[str, Any]
    """The event without the unit's signature, `hubrouted` set."""
    event_id: str
    event_type: str
    key: bytes
    as_jcs: bool
    """`writes_as_jcs` of the event: its copies are made of its parts (a projection of its data)
    and of ASCII text (the token, the times), so the verdict holds for each of them."""

    @classmethod
    def of(cls, event: Mapping[str, Any], routed_at: datetime) -> _Original:
        fields = {name: value for name, value in event.items() if name not in _SIGNATURE}
        fields["hubrouted"] = routed_at.isoformat()
        event_id = str(event["id"])
        key = case_key(str(event.get("subject") or ""), event_id)
        return cls(fields, event_id, str(event["type"]), key, writes_as_jcs(fields))


def _copy(original: _Original, sender: str, delivery: Delivery, ctx: RouterContext) -> Outbound:
    token = DeliveryToken(
        event_id=original.event_id,
        source=sender,
        recipient=delivery.recipient,
        event_type=original.event_type,
        receipt_by=delivery.receipt_by,
        reply_by=delivery.reply_by,
    )
    copy = dict(original.fields)
    copy["data"] = delivery.data
    copy["hubdelivery"] = issue_token(token, ctx.token_secret)
    if delivery.receipt_by is not None:
        copy["hubreceiptby"] = delivery.receipt_by.isoformat()
    if delivery.reply_by is not None:
        copy["hubreplyby"] = delivery.reply_by.isoformat()
    # the JCS of a copy, which holds no `sig`, `sigkey` or `hubproof` (`copy_bytes`)
    value = canonical_json(copy, vouched=original.as_jcs)
    return Outbound(inbox_topic(delivery.recipient), original.key, value, awaits_hub_proof=True)


def delivered(delivery: Delivery) -> Delivered:
    fields = delivery.fields
    return Delivered(
        recipient=delivery.recipient,
        fields=fields if fields == "all" else list(fields),
        receipt_by=delivery.receipt_by,
        reply_by=delivery.reply_by,
        calendar=delivery.calendar,
    )
