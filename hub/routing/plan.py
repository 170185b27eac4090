"""What each recipient of a routed event gets: its projected payload and its deadlines. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hub.routing.deadlines import DeadlinePolicy, due_times
from hub.routing.project import project
from hub.routing.resolve import split_to
from schemas.units import unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from hub.calendar import CalendarLabel, WorkingCalendar
    from hub.routing.table import TypeRoute


@dataclass(frozen=True)
class Delivery:
    recipient: str
    data: dict[str, Any]
    fields: tuple[str, ...] | Literal["all"]
    """The projection applied: the dotted paths kept, or all of them."""
    receipt_by: datetime | None
    reply_by: datetime | None
    calendar: CalendarLabel | None = None
    """The calendar the deadlines were counted on (`hub.routing.deadlines.DueTimes`)."""


def plan_deliveries(
    route: TypeRoute,
    recipients: Iterable[str],
    *,
    payload: Mapping[str, Any],
    routed_at: datetime,
    calendar: WorkingCalendar,
    to: str | Iterable[str] | None = None,
    policy: DeadlinePolicy | None = None,
) -> tuple[Delivery, ...]:
    """One delivery per recipient (from `resolve_recipients`); `to` is the envelope's `to`.

    Raises LookupError when the table gives a recipient no projection, which `routes check`
    rules out for every dept the registry can route to.
    """
    named = set(split_to(to))
    return tuple(
        _delivery(route, code, code in named, payload, routed_at, calendar, policy)
        for code in recipients
    )


def payload_for(
    route: TypeRoute, dept: str, payload: Mapping[str, Any], *, named: bool = False
) -> dict[str, Any]:
    """The part of `payload` a recipient of `dept` is entitled to."""
    fields = fields_for(route, dept, named=named)
    return dict(payload) if fields == "all" else project(payload, fields)


def fields_for(
    route: TypeRoute, dept: str, *, named: bool = False
) -> tuple[str, ...] | Literal["all"]:
    """The dotted payload paths a recipient of `dept` is entitled to, or "all"."""
    projection = route.projection_for(dept, named=named)
    if projection is None:
        raise LookupError(f"the routing table gives dept {dept} no projection")
    return "all" if projection.fields == "all" else tuple(sorted(projection.fields))


def _delivery(
    route: TypeRoute,
    code: str,
    named: bool,
    payload: Mapping[str, Any],
    routed_at: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy | None,
) -> Delivery:
    dept = unit_dept(code)
    due = due_times(route, routed_at, payload, dept, calendar=calendar, named=named, policy=policy)
    return Delivery(
        recipient=code,
        data=payload_for(route, dept, payload, named=named),
        fields=fields_for(route, dept, named=named),
        receipt_by=due.receipt_by,
        reply_by=due.reply_by,
        calendar=due.calendar,
    )
