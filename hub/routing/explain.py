"""`fyhub routes show TYPE`: one type's rule in words — who receives which fields, and why. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.routing.table import ANY_DEPT, NAMED

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from hub.registry import Registry, Unit
    from hub.routing.table import Deadline, Projection, TypeRoute


@dataclass(frozen=True)
class Entitlement:
    """What one unit (or, for answers and notices, one kind of unit) receives, in one role."""

    who: str
    reached_by: str
    projection: Projection | None


def entitlements(route: TypeRoute, registry: Registry) -> list[Entitlement]:
    recipients = route.recipients
    if recipients.reply_to_sender or recipients.hub_addressed:
        how = "if it sent the event answered" if recipients.reply_to_sender else "named by the hub"
        return [
            _by_key(key, projection, registry, how) for key, projection in route.projection.items()
        ]
    reached: list[tuple[Iterable[str], str, bool]] = [
        *((registry.members(group), f"group {group}", False) for group in recipients.groups),
        *((registry.units_of_dept(dept), "always", False) for dept in recipients.depts),
    ]
    if recipients.to is not None:
        reached += [
            (registry.units_of_dept(d), "if named in `to`", True) for d in recipients.to.depts
        ]
        reached += [
            (registry.members(group), f"if named in `to` ({group})", True)
            for group in recipients.to.groups
        ]
    return [
        Entitlement(
            who=f"{unit.code} {unit.name}",
            reached_by=how,
            projection=route.projection_for(unit.dept, named=named),
        )
        for codes, how, named in reached
        for unit in _units(registry, codes)
    ]


def receives(projection: Projection | None, path: str) -> bool:
    """Whether the projection delivers the field at `path` (itself or an enclosing object)."""
    if projection is None:
        return False
    if projection.fields == "all":
        return True
    parts = path.split(".")
    return any(".".join(parts[:n]) in projection.fields for n in range(1, len(parts) + 1))


def describe(
    name: str, route: TypeRoute, registry: Registry, identifiers: Iterable[str]
) -> Iterator[str]:
    """The lines `routes show` prints; `identifiers` are the payload's ID-number fields."""
    yield name
    yield f"  published by: {', '.join(route.publishers) or 'nobody'}"
    receipt = f"{route.receipt_days} working day(s)" if route.receipt_days else "none"
    yield f"  receipt (签收): {receipt}"
    if route.reply is not None:
        owed_by = route.reply.owed_by or ["every recipient"]
        owers = ", ".join("the unit named in `to`" if o == NAMED else o for o in owed_by)
        yield (
            f"  reply: {' or '.join(route.reply.types)} from {owers}, "
            f"due {describe_deadline(route.reply.deadline)}"
        )
    rows = entitlements(route, registry)
    for row in rows:
        yield ""
        yield f"{row.who} — {row.reached_by}"
        if row.projection is None:
            yield "  receives nothing: the table gives it no projection"
            continue
        fields = row.projection.fields
        yield f"  fields: {'all' if fields == 'all' else ', '.join(fields)}"
        yield f"  why:    {row.projection.why}"
        yield f"  basis:  {row.projection.basis}"
    for path in identifiers:
        yield ""
        yield from _who_gets(path, rows)


def describe_deadline(deadline: Deadline) -> str:
    defaults = {
        "working day(s)": deadline.working_days,
        "day(s)": deadline.calendar_days,
        "month(s)": deadline.months,
    }
    default = next((f"{count} {unit}" for unit, count in defaults.items() if count), None)
    if deadline.payload_field is None:
        return str(default)
    given = f"by the payload's {deadline.payload_field}"
    return f"{given}, else {default}" if default else given


def _who_gets(path: str, rows: list[Entitlement]) -> Iterator[str]:
    getting = [row for row in rows if receives(row.projection, path)]
    withheld = [row for row in rows if not receives(row.projection, path)]
    yield f"Receives {path} ({len(getting)}):"
    yield from (f"  {row.who} — {row.reached_by}" for row in getting)
    if withheld:
        yield f"Does not receive {path} ({len(withheld)}):"
        yield from (f"  {row.who} — {row.reached_by}" for row in withheld)


def _units(registry: Registry, codes: Iterable[str]) -> list[Unit]:
    return [unit for code in sorted(codes) if (unit := registry.unit(code)) is not None]


def _by_key(key: str, projection: Projection, registry: Registry, how: str) -> Entitlement:
    if key == ANY_DEPT:
        who = "any unit"
    elif key == NAMED:
        who = "the unit named in `to`"
    else:
        codes = registry.units_of_dept(key)
        who = " ".join(codes) if codes else f"a unit of dept {key}"
    return Entitlement(who=who, reached_by=how, projection=projection)
