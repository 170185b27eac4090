"""Who receives an event: the routing table and the registry applied to one envelope. Pure.

Order of the checks, each with its own code: the type has a rule (`unknown_type`), the source may
publish it (`not_permitted`), every unit in `to` is registered (`unknown_recipient`), and may be
addressed this way (`recipient_not_entitled`). The source never receives its own event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.routing.table import HUB_PUBLISHER
from schemas.errors import ErrorCode, Rejection
from schemas.units import is_unit_code, unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hub.registry import Registry
    from hub.routing.table import Recipients, RoutingTable, TypeRoute

Resolution = tuple[str, ...] | Rejection
"""The recipient unit codes (sorted, without the source), or why there are none."""


def resolve_recipients(  # noqa: PLR0911 - one return per refusal reads best
    table: RoutingTable,
    registry: Registry,
    *,
    source: str,
    event_type: str,
    to: str | Iterable[str] | None = None,
    original_sender: str | None = None,
) -> Resolution:
    """Recipients of an event of `event_type` from `source` (a unit code, or "hub").

    `to` is the envelope's space-separated `to`; `original_sender` is the unit that sent the event
    a reply or receipt answers, as named by its verified delivery token.
    """
    route = table.route(event_type)
    if route is None:
        return Rejection(ErrorCode.UNKNOWN_TYPE, f"the routing table has no rule for {event_type}")
    refusal = publisher_refusal(route, registry, source, event_type)
    if refusal is not None:
        return refusal
    named = split_to(to)
    unknown = [code for code in named if not is_unit_code(code) or registry.unit(code) is None]
    if unknown:
        return Rejection(
            ErrorCode.UNKNOWN_RECIPIENT, f"`to` names unknown unit(s): {' '.join(unknown)}"
        )
    recipients = route.recipients
    if recipients.reply_to_sender:
        return _to_original_sender(registry, event_type, named, original_sender)
    if recipients.hub_addressed:
        return tuple(sorted(named))
    refusal = _targeting_refusal(recipients, registry, event_type, named)
    if refusal is not None:
        return refusal
    chosen = set(named) | _fixed(recipients, registry)
    chosen.discard(source)
    return tuple(sorted(chosen))


def publisher_refusal(
    route: TypeRoute, registry: Registry, source: str, event_type: str
) -> Rejection | None:
    """`not_permitted` when `source` (a unit code, or "hub") may not publish `event_type`."""
    if source == HUB_PUBLISHER:
        allowed = HUB_PUBLISHER in route.publishers
    else:
        allowed = registry.unit(source) is not None and unit_dept(source) in route.publishers
    if allowed:
        return None
    publishers = ", ".join(route.publishers) or "nobody"
    return Rejection(
        ErrorCode.NOT_PERMITTED, f"{source} may not publish {event_type} (publishers: {publishers})"
    )


def _to_original_sender(
    registry: Registry, event_type: str, named: list[str], original_sender: str | None
) -> Resolution:
    if original_sender is None:
        return Rejection(
            ErrorCode.UNKNOWN_CORRELATION,
            f"{event_type} answers an event, but names none delivered",
        )
    if registry.unit(original_sender) is None:
        return Rejection(ErrorCode.UNKNOWN_RECIPIENT, f"{original_sender} is no longer registered")
    if any(code != original_sender for code in named):
        return Rejection(
            ErrorCode.RECIPIENT_NOT_ENTITLED,
            f"{event_type} goes back to {original_sender} only, not to {' '.join(named)}",
        )
    return (original_sender,)


def _targeting_refusal(
    recipients: Recipients, registry: Registry, event_type: str, named: list[str]
) -> Rejection | None:
    target = recipients.to
    if target is None:
        if named:
            return Rejection(
                ErrorCode.RECIPIENT_NOT_ENTITLED,
                f"{event_type} is not addressed with `to`; it goes to its groups and depts only",
            )
        return None
    if not named:
        return Rejection(ErrorCode.SCHEMA_INVALID, f"`to` is required for {event_type}")
    if target.max is not None and len(named) > target.max:
        return Rejection(
            ErrorCode.RECIPIENT_NOT_ENTITLED,
            f"{event_type} goes to at most {target.max} unit(s), `to` names {len(named)}",
        )
    allowed_members = {code for group in target.groups for code in registry.members(group)}
    refused = [
        code
        for code in named
        if unit_dept(code) not in target.depts and code not in allowed_members
    ]
    if refused:
        return Rejection(
            ErrorCode.RECIPIENT_NOT_ENTITLED,
            f"{' '.join(refused)} may not receive {event_type}",
        )
    return None


def _fixed(recipients: Recipients, registry: Registry) -> set[str]:
    members = {code for group in recipients.groups for code in registry.members(group)}
    return members | {code for dept in recipients.depts for code in registry.units_of_dept(dept)}


def split_to(to: str | Iterable[str] | None) -> list[str]:
    """The unit codes of an envelope's `to` (space-separated), in order, without repeats."""
    if to is None:
        return []
    codes = to.split() if isinstance(to, str) else list(to)
    return list(dict.fromkeys(codes))
