"""One projected, token-carrying, hub-signed copy of an event per recipient. Pure.

Each recipient dept gets only the payload fields the routing table lists for it. The copy carries
the hub's extensions (`hubrouted`, `hubreceiptby`, `hubreplyby`, `hubdelivery`) and the hub's own
signature: the unit's signature covered the whole payload, so it cannot cover a projection, and the
store keeps the original with its signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from hub.delivery_token import DeliveryToken, issue_token
from hub.journal import Delivered
from hub.router.records import Outbound, case_key, encode_json
from hub.routing.deadlines import DueTimes, due_times
from hub.routing.project import project
from schemas.signing import sign_event
from schemas.units import inbox_topic, unit_dept

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from hub.router.context import RouterContext
    from hub.routing.table import TypeRoute

_SIGNATURE = ("sig", "sigkey")


def delivered_copies(
    event: Mapping[str, Any],
    sender: str,
    recipients: Sequence[str],
    route: TypeRoute,
    ctx: RouterContext,
    now: datetime,
) -> tuple[list[Outbound], list[Delivered]]:
    copies: list[Outbound] = []
    deliveries: list[Delivered] = []
    for recipient in recipients:
        copy, delivered = _copy_for(event, sender, recipient, route, ctx, now)
        copies.append(copy)
        deliveries.append(delivered)
    return copies, deliveries


def _copy_for(
    event: Mapping[str, Any],
    sender: str,
    recipient: str,
    route: TypeRoute,
    ctx: RouterContext,
    now: datetime,
) -> tuple[Outbound, Delivered]:
    dept = unit_dept(recipient)
    projection = route.projection_for(dept)
    data: Mapping[str, Any] = event["data"]
    fields = projection.fields if projection is not None else []
    named = recipient in str(event.get("to") or "").split()
    due = due_times(route, now, data, dept, named=named, policy=ctx.deadlines)
    outbound = signed_copy(event, sender, recipient, fields=fields, routed_at=now, due=due, ctx=ctx)
    delivered = Delivered(
        recipient=recipient,
        fields=fields if fields == "all" else sorted(fields),
        receipt_by=due.receipt_by,
        reply_by=due.reply_by,
    )
    return outbound, delivered


def signed_copy(
    event: Mapping[str, Any],
    sender: str,
    recipient: str,
    *,
    fields: Sequence[str] | Literal["all"],
    routed_at: datetime,
    due: DueTimes,
    ctx: RouterContext,
) -> Outbound:
    """The copy of `event` for `recipient`, from what was decided when it was routed: the kept
    `fields`, the routing time and the deadlines. The tracker rebuilds a copy for redelivery
    from the stored decision with this too, so the recipient gets the same copy again."""
    data: Mapping[str, Any] = event["data"]
    kept = dict(data) if fields == "all" else project(data, fields)
    token = DeliveryToken(
        event_id=str(event["id"]),
        source=sender,
        recipient=recipient,
        event_type=str(event["type"]),
        receipt_by=due.receipt_by,
        reply_by=due.reply_by,
    )
    copy = {name: value for name, value in event.items() if name not in _SIGNATURE}
    copy["data"] = kept
    copy["hubrouted"] = routed_at.isoformat()
    copy["hubdelivery"] = issue_token(token, ctx.token_secret)
    if due.receipt_by is not None:
        copy["hubreceiptby"] = due.receipt_by.isoformat()
    if due.reply_by is not None:
        copy["hubreplyby"] = due.reply_by.isoformat()
    signed = sign_event(copy, ctx.hub_key, ctx.hub_key_id)
    key = case_key(str(event.get("subject") or ""), str(event["id"]))
    return Outbound(inbox_topic(recipient), key, encode_json(signed))
