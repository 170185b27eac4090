"""What each recipient of a routed event gets: its projected payload and its deadlines. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from hub.routing.deadlines import DeadlinePolicy, DueTimes, due_times, due_times_inputs
from hub.routing.project import project
from hub.routing.resolve import split_to
from schemas.units import unit_dept

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping
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


PLAN_CACHE_ENTRIES: Final = 4096
"""Per kind of answer: a few hundred types by a few depts and a couple of days' routing."""

_Fields = tuple[str, ...] | Literal["all"]
_V = TypeVar("_V")


@dataclass
class PlanCache:
    """What `plan_deliveries` worked out before for another event: due times, per event type,
    routing day in China, reply owed or not (and whatever else `due_times_inputs` names), and each
    dept's projection. It serves one routing table and one calendar, the router's: a route or a
    calendar other than the one an entry was made with misses it. Bounded: past `max_entries` in
    either, the oldest entry goes."""

    max_entries: int = PLAN_CACHE_ENTRIES
    _due: dict[Hashable, tuple[tuple[object, ...], DueTimes]] = field(
        default_factory=dict, repr=False
    )
    _fields: dict[Hashable, tuple[tuple[object, ...], _Fields]] = field(
        default_factory=dict, repr=False
    )

    def due(
        self, key: Hashable, made_with: tuple[object, ...], compute: Callable[[], DueTimes]
    ) -> DueTimes:
        return _cached(self._due, self.max_entries, key, made_with, compute)

    def fields(
        self, key: Hashable, made_with: tuple[object, ...], compute: Callable[[], _Fields]
    ) -> _Fields:
        return _cached(self._fields, self.max_entries, key, made_with, compute)

    def __len__(self) -> int:
        return len(self._due) + len(self._fields)


def _cached(
    entries: dict[Hashable, tuple[tuple[object, ...], _V]],
    limit: int,
    key: Hashable,
    made_with: tuple[object, ...],
    compute: Callable[[], _V],
) -> _V:
    # `made_with` are the route (and calendar) the entry was computed from, compared by identity:
    # the key holds their ids, which a new table's objects could reuse once the old are gone.
    hit = entries.get(key)
    if hit is not None and all(old is new for old, new in zip(hit[0], made_with, strict=True)):
        return hit[1]
    value = compute()
    if len(entries) >= limit:
        del entries[next(iter(entries))]
    entries[key] = (made_with, value)
    return value


def plan_deliveries(  # noqa: PLR0913 - the route, the event, and the router's settings by keyword
    route: TypeRoute,
    recipients: Iterable[str],
    *,
    payload: Mapping[str, Any],
    routed_at: datetime,
    calendar: WorkingCalendar,
    to: str | Iterable[str] | None = None,
    policy: DeadlinePolicy | None = None,
    cache: PlanCache | None = None,
) -> tuple[Delivery, ...]:
    """One delivery per recipient (from `resolve_recipients`); `to` is the envelope's `to`.

    Each distinct projection is made once, and each distinct due time worked out once (or found
    in `cache`, from an earlier event); recipients sharing them share the projected `data`, which
    no one changes. Raises LookupError when the table gives a recipient no projection, which
    `routes check` rules out for every dept the registry can route to.
    """
    named = set(split_to(to))
    plan = _Planner(
        route, payload, routed_at, calendar, policy, PlanCache() if cache is None else cache
    )
    return tuple(plan.delivery(code, named=code in named) for code in recipients)


class _Planner:
    """One event's deliveries, each projection and due time computed once."""

    def __init__(
        self,
        route: TypeRoute,
        payload: Mapping[str, Any],
        routed_at: datetime,
        calendar: WorkingCalendar,
        policy: DeadlinePolicy | None,
        cache: PlanCache,
    ) -> None:
        self.route, self.payload, self.routed_at = route, payload, routed_at
        self.calendar, self.policy, self.cache = calendar, policy, cache
        self.projected: dict[_Fields, dict[str, Any]] = {}

    def delivery(self, code: str, *, named: bool) -> Delivery:
        dept = unit_dept(code)
        fields = self.cache.fields(
            (id(self.route), dept, named),
            (self.route,),
            lambda: fields_for(self.route, dept, named=named),
        )
        data = self.projected.get(fields)
        if data is None:
            data = dict(self.payload) if fields == "all" else project(self.payload, fields)
            self.projected[fields] = data
        due = self._due(dept, named)
        return Delivery(
            recipient=code,
            data=data,
            fields=fields,
            receipt_by=due.receipt_by,
            reply_by=due.reply_by,
            calendar=due.calendar,
        )

    def _due(self, dept: str, named: bool) -> DueTimes:
        route, policy = self.route, self.policy
        inputs = due_times_inputs(
            route, self.routed_at, self.payload, dept, named=named, policy=policy
        )

        def compute() -> DueTimes:
            return due_times(
                route,
                self.routed_at,
                self.payload,
                dept,
                calendar=self.calendar,
                named=named,
                policy=policy,
            )

        if inputs is None:
            return compute()
        key = (id(route), id(self.calendar), policy, inputs)
        return self.cache.due(key, (route, self.calendar), compute)


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
