"""What a unit may say, checked before anything it says is looked up (docs/design.md §6). Pure.

- The routing table names who may publish each type. A source that may never publish a type is
  refused `not_permitted` whatever else is wrong with the record: a reply from a unit that
  answers nothing of that type is not an unknown correlation, it is not that unit's to send.
- A unit announces only its own liaison officers (`unit.liaison.changed.v1`): each member unit
  names its own 联络员 (docs/design.md §3; 国办函〔2020〕57号: "由各成员单位有关司局负责同志担任"),
  and the change travels signed by that unit, so every unit can tell who named whom. The
  joint-meeting office is no exception: it keeps the registry (`deploy/units/`), where it
  records any unit's liaisons; an announcement in another unit's name would be unsigned by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.routing.resolve import publisher_refusal
from schemas.errors import ErrorCode, FieldError, Rejection
from schemas.linkage import UnitLiaisonChanged

if TYPE_CHECKING:
    from hub.registry import Registry
    from hub.routing.table import RoutingTable
    from schemas.common import Payload


def permission_refusal(
    table: RoutingTable, registry: Registry, *, source: str, event_type: str, payload: Payload
) -> Rejection | None:
    """`not_permitted` when `source` may not publish this event; None when it may. A type the
    table does not route is left to the recipient check (`unknown_type`)."""
    route = table.route(event_type)
    if route is None:
        return None
    return publisher_refusal(route, registry, source, event_type) or speaks_for_another(
        payload, source
    )


def speaks_for_another(payload: Payload, source: str) -> Rejection | None:
    """`not_permitted` for a liaison change a unit publishes about another unit."""
    if isinstance(payload, UnitLiaisonChanged) and payload.unit != source:
        return Rejection(
            ErrorCode.NOT_PERMITTED,
            f"{source} may announce only its own liaison officers, not those of {payload.unit}",
            (FieldError("data.unit", f"is not {source}"),),
        )
    return None
