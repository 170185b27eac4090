"""The routing table checked against the registry and the catalogue. Pure: every problem, with the
place in the table it comes from, so a reader can fix them all in one pass.

A dept named only as a possible `to` target may be absent from a registry (one table serves
counties whose member lists differ); a fixed recipient dept or group may not, because then the
event would silently reach nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from hub.registry.problems import Problem
from hub.routing.table import ANY_DEPT, HUB_PUBLISHER, NAMED

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hub.registry import Registry
    from hub.routing.table import RoutingTable, TypeRoute


class CatalogueEntry(Protocol):
    """What the check needs of a catalogue entry (`schemas.catalogue.EventType`)."""

    @property
    def payload(self) -> type[BaseModel]: ...
    @property
    def answers(self) -> Collection[str]: ...
    @property
    def deadline_field(self) -> str | None: ...


FieldPaths = Callable[[type["BaseModel"]], frozenset[str]]


class _Reach(NamedTuple):
    """Depts that can receive a type: through `to`, as fixed recipients, or any (per event)."""

    named: frozenset[str] = frozenset()
    fixed: frozenset[str] = frozenset()
    anyone: bool = False
    via_groups: bool = False
    """Groups are involved: another registry may put other depts in them."""


def routing_problems(
    table: RoutingTable,
    registry: Registry,
    catalogue: Mapping[str, CatalogueEntry],
    field_paths: FieldPaths,
) -> list[Problem]:
    check = _Check(table, registry, catalogue, field_paths)
    return [*check.coverage(), *(p for name in table.types for p in check.one_type(name))]


class _Check:
    def __init__(
        self,
        table: RoutingTable,
        registry: Registry,
        catalogue: Mapping[str, CatalogueEntry],
        field_paths: FieldPaths,
    ) -> None:
        self.table, self.registry, self.catalogue = table, registry, catalogue
        self.field_paths = field_paths

    def coverage(self) -> Iterator[Problem]:
        for name in self.catalogue:
            if name not in self.table.types:
                yield Problem(f"catalogue type {name} has no routing rule", ("types",))
        for name in self.table.types:
            if name not in self.catalogue:
                yield Problem(f"{name} is not a catalogue type", ("types", name))

    def one_type(self, name: str) -> Iterator[Problem]:
        route = self.table.types[name]
        at = ("types", name)
        if not route.publishers:
            yield Problem(f"{name} has no publisher: nobody may send it", (*at, "publishers"))
        yield from self.recipient_problems(name, route)
        entry = self.catalogue.get(name)
        if entry is None:
            return
        yield from self.projection_problems(name, route, entry)
        yield from self.reply_problems(name, route, entry)

    def recipient_problems(self, name: str, route: TypeRoute) -> Iterator[Problem]:
        at = ("types", name, "recipients")
        recipients = route.recipients
        for index, group in enumerate(recipients.groups):
            yield from self._unknown_group(group, (*at, "groups", index))
        for index, dept in enumerate(recipients.depts):
            if not self.registry.units_of_dept(dept):
                yield Problem(
                    f"recipient dept {dept} has no unit in the registry, so {name} would reach "
                    "nobody there",
                    (*at, "depts", index),
                )
        if recipients.to is not None:
            for index, group in enumerate(recipients.to.groups):
                yield from self._unknown_group(group, (*at, "to", "groups", index))
            if not any(self.registry.units_of_dept(d) for d in self._depts_of_targets(route)):
                yield Problem(f"no registered unit may be named in `to` of {name}", (*at, "to"))

    def _unknown_group(self, group: str, loc: tuple[str | int, ...]) -> Iterator[Problem]:
        if group not in self.registry.groups:
            known = ", ".join(sorted(self.registry.groups)) or "none"
            yield Problem(f"unknown group {group} (the registry's groups: {known})", loc)

    def projection_problems(
        self, name: str, route: TypeRoute, entry: CatalogueEntry
    ) -> Iterator[Problem]:
        yield from self._projection_coverage(name, route, self.reach(route, entry))
        known = self.field_paths(entry.payload)
        for dept, projection in route.projection.items():
            if projection.fields == "all":
                continue
            for index, path in enumerate(projection.fields):
                if not _is_field(path, known):
                    yield Problem(
                        f"unknown field {path} of {entry.payload.__name__}",
                        ("types", name, "projection", dept, "fields", index),
                    )

    def _projection_coverage(self, name: str, route: TypeRoute, reach: _Reach) -> Iterator[Problem]:
        at = ("types", name, "projection")
        if reach.anyone:
            if ANY_DEPT not in route.projection:
                yield Problem(f"recipients of {name} vary per event: give a `*` projection", at)
            return
        for dept in sorted(reach.named):
            if route.projection_for(dept, named=True) is None:
                yield Problem(f"no projection for dept {dept}, which `to` may name", at)
        for dept in sorted(reach.fixed):
            if route.projection_for(dept) is None:
                yield Problem(f"no projection for recipient dept {dept}", at)
        for key in route.projection:
            if key == NAMED and route.recipients.to is None:
                yield Problem(
                    f"{name} is not addressed with `to`, so nobody is `named`", (*at, key)
                )
            elif key not in {ANY_DEPT, NAMED} | reach.named | reach.fixed and not _open(reach):
                yield Problem(f"projection for {key}, which never receives {name}", (*at, key))

    def reply_problems(
        self, name: str, route: TypeRoute, entry: CatalogueEntry
    ) -> Iterator[Problem]:
        at = ("types", name, "reply")
        answered_by = sorted(t for t, e in self.catalogue.items() if name in e.answers)
        if route.reply is None:
            if answered_by:
                yield Problem(
                    f"the catalogue answers {name} with {', '.join(answered_by)}, "
                    "but the table sets no reply",
                    ("types", name),
                )
            return
        for index, reply_type in enumerate(route.reply.types):
            if reply_type not in self.catalogue:
                yield Problem(
                    f"reply type {reply_type} is not in the catalogue", (*at, "types", index)
                )
            elif reply_type not in answered_by:
                yield Problem(
                    f"{reply_type} does not answer {name} in the catalogue", (*at, "types", index)
                )
        reach = self.reach(route, entry)
        yield from self._owers_receive(name, route.reply.owed_by or [], route, reach)
        yield from self._answerers_may_publish(route.reply.types, _owers(route, reach))
        field = route.reply.deadline.payload_field
        if field != entry.deadline_field:
            yield Problem(
                f"the catalogue sets the deadline of {name} from "
                f"{entry.deadline_field or 'no payload field'}, the table from {field or 'none'}",
                (*at, "deadline", "payload_field"),
            )

    def _owers_receive(
        self, name: str, owed_by: list[str], route: TypeRoute, reach: _Reach
    ) -> Iterator[Problem]:
        for index, dept in enumerate(owed_by):
            loc = ("types", name, "reply", "owed_by", index)
            if dept == NAMED and route.recipients.to is None:
                yield Problem(f"{name} is not addressed with `to`, so nobody is `named`", loc)
            elif dept not in {NAMED} | reach.named | reach.fixed and not _open(reach):
                yield Problem(f"{dept} owes a reply but never receives {name}", loc)

    def _answerers_may_publish(
        self, reply_types: Collection[str], owers: set[str]
    ) -> Iterator[Problem]:
        for reply_type in reply_types:
            reply_route = self.table.types.get(reply_type)
            if reply_route is None:
                continue
            missing = sorted(owers - set(reply_route.publishers))
            if missing:
                yield Problem(
                    f"{', '.join(missing)} owe(s) {reply_type} but may not publish it",
                    ("types", reply_type, "publishers"),
                )

    def reach(self, route: TypeRoute, entry: CatalogueEntry) -> _Reach:
        """The depts that can receive this type, by role."""
        recipients = route.recipients
        if recipients.hub_addressed or (recipients.reply_to_sender and not entry.answers):
            return _Reach(anyone=True)
        if recipients.reply_to_sender:
            senders = {
                dept
                for request in entry.answers
                if (request_route := self.table.types.get(request)) is not None
                for dept in request_route.publishers
                if dept != HUB_PUBLISHER
            }
            return _Reach(fixed=frozenset(senders))
        members = {code for group in recipients.groups for code in self.registry.members(group)}
        fixed = {self._dept(code) for code in members} | set(recipients.depts)
        return _Reach(
            named=frozenset(self._depts_of_targets(route)),
            fixed=frozenset(fixed),
            via_groups=bool(recipients.groups or (recipients.to and recipients.to.groups)),
        )

    def _depts_of_targets(self, route: TypeRoute) -> set[str]:
        target = route.recipients.to
        if target is None:
            return set()
        members = {code for group in target.groups for code in self.registry.members(group)}
        return set(target.depts) | {self._dept(code) for code in members}

    def _dept(self, code: str) -> str:
        return self.registry.units[code].dept  # groups name registered units only


def _is_field(path: str, known: frozenset[str]) -> bool:
    return path in known or any(candidate.startswith(f"{path}.") for candidate in known)


def _owers(route: TypeRoute, reach: _Reach) -> set[str]:
    """Depts that may have to publish a reply to this type."""
    owed_by = route.reply.owed_by if route.reply is not None else None
    if owed_by is None:
        return set(reach.named | reach.fixed)
    named = reach.named if NAMED in owed_by else frozenset()
    return {dept for dept in owed_by if dept != NAMED} | named


def _open(reach: _Reach) -> bool:
    """Whether depts beyond those found here may receive (per event, or per registry's groups)."""
    return reach.anyone or reach.via_groups
