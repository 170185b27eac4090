"""The liaison officers (联络员) the office lists: the registry, overlaid with the changes the units
announced (`unit.liaison.changed.v1`). Pure.

The auditor keeps two things per routed change (`hub.store.tables`): a history row, and, per unit
and officer name, what the latest change says about that officer (`current` with the announced
post and phone, or `replaced`). The list is worked out when it is read, over the registry then
in force: an officer a change named is shown as the change says; every other registry entry is
shown as the registry has it. Names and phones are the officials' own contact data: they are
shown to the office, never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from schemas.catalogue import CATALOGUE
from schemas.linkage import UnitLiaisonChanged

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date, datetime

    from hub.journal.reading import EventFacts
    from hub.registry import Registry

LIAISON_CHANGED = UnitLiaisonChanged.event_type
REGISTRY = "registry"
"""The `source` of a listed officer no change has named."""


class OfficerState(StrEnum):
    CURRENT = "current"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class LiaisonChange:
    """One routed change, as the history keeps it."""

    event_source: str
    event_id: str
    unit: str
    changed_at: datetime
    effective_on: date
    old: Mapping[str, Any] | None
    new: Mapping[str, Any]

    def values(self) -> dict[str, Any]:
        return {
            "event_source": self.event_source,
            "event_id": self.event_id,
            "unit": self.unit,
            "changed_at": self.changed_at,
            "effective_on": self.effective_on,
            "old": None if self.old is None else dict(self.old),
            "new": dict(self.new),
        }


@dataclass(frozen=True, slots=True)
class Officer:
    """What the latest change naming an officer says: one `unit_liaisons` row."""

    unit: str
    name: str
    post: str
    phone: str
    state: OfficerState
    since: date
    event_source: str
    event_id: str
    changed_at: datetime

    def values(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "post": self.post,
            "phone": self.phone,
            "state": self.state.value,
            "since": self.since,
            "event_source": self.event_source,
            "event_id": self.event_id,
            "changed_at": self.changed_at,
        }


def liaison_change(facts: EventFacts, routed_at: datetime) -> LiaisonChange | None:
    """The change a routed event announces; None for another type, or a payload that does not
    validate (the router checked it; a journal written by another version might not)."""
    if facts.type != LIAISON_CHANGED:
        return None
    try:
        payload = CATALOGUE[LIAISON_CHANGED].validate_payload(facts.envelope.get("data") or {})
    except ValidationError:
        return None
    assert isinstance(payload, UnitLiaisonChanged)
    old = None if payload.old is None else payload.old.model_dump(mode="json")
    return LiaisonChange(
        event_source=facts.source,
        event_id=facts.event_id,
        unit=payload.unit,
        changed_at=routed_at,
        effective_on=payload.effective_on,
        old=old,
        new=payload.new.model_dump(mode="json"),
    )


def officers(changes: Iterable[LiaisonChange]) -> dict[tuple[str, str], Officer]:
    """What `changes`, in routing order, say about each officer they name, by (unit, name): the
    last change naming an officer wins."""
    found: dict[tuple[str, str], Officer] = {}
    for change in changes:
        if change.old is not None and change.old["name"] != change.new["name"]:
            found[(change.unit, change.old["name"])] = _officer(
                change, change.old, OfficerState.REPLACED
            )
        found[(change.unit, change.new["name"])] = _officer(
            change, change.new, OfficerState.CURRENT
        )
    return found


def _officer(change: LiaisonChange, contact: Mapping[str, Any], state: OfficerState) -> Officer:
    return Officer(
        unit=change.unit,
        name=contact["name"],
        post=contact["post"],
        phone=contact["phone"],
        state=state,
        since=change.effective_on,
        event_source=change.event_source,
        event_id=change.event_id,
        changed_at=change.changed_at,
    )


# --- the list the office reads --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedLiaison:
    unit: str
    unit_name: str
    office: bool
    name: str
    post: str
    phone: str
    since: date
    source: str
    """`registry`, or the id of the change that named this officer."""
    changed_at: datetime | None
    """When that change was routed; None for the registry."""

    @property
    def from_registry(self) -> bool:
        return self.source == REGISTRY


def liaison_list(
    registry: Registry, received: Sequence[Officer], unit: str | None = None
) -> list[ListedLiaison]:
    """Every unit's liaison officers (or `unit`'s): the office first, then by unit code; within
    a unit, the registry's order, then officers only the changes name, by name."""
    named: dict[str, dict[str, Officer]] = {}
    for row in received:
        named.setdefault(row.unit, {})[row.name] = row
    units = sorted(registry.units.values(), key=lambda u: (not u.office, u.code))
    listed: list[ListedLiaison] = []
    for member in units:
        if unit is not None and member.code != unit:
            continue
        changes = named.get(member.code, {})
        for entry in member.liaisons:
            officer = changes.get(entry.name)
            if officer is None:
                listed.append(
                    ListedLiaison(
                        member.code,
                        member.name,
                        member.office,
                        entry.name,
                        entry.post,
                        entry.phone,
                        entry.since,
                        REGISTRY,
                        None,
                    )
                )
            elif officer.state is OfficerState.CURRENT:
                listed.append(_listed(member.name, member.office, officer))
        registered = {entry.name for entry in member.liaisons}
        listed.extend(
            _listed(member.name, member.office, added)
            for name, added in sorted(changes.items())
            if name not in registered and added.state is OfficerState.CURRENT
        )
    return listed


def _listed(unit_name: str, office: bool, officer: Officer) -> ListedLiaison:
    return ListedLiaison(
        officer.unit,
        unit_name,
        office,
        officer.name,
        officer.post,
        officer.phone,
        officer.since,
        officer.event_id,
        officer.changed_at,
    )


# --- text ----------------------------------------------------------------------------------------


def liaisons_text(listed: Sequence[ListedLiaison], history: Sequence[LiaisonChange]) -> str:
    """`fyhub units liaisons`: the current list, then the changes received, newest first."""
    lines = ["liaison officers (联络员):"]
    lines += [
        f"  {row.unit:<16} {row.name}  {row.post}  {row.phone}  since {row.since.isoformat()}  "
        + (
            "(registry)"
            if row.changed_at is None
            else f"(change {row.source}, {row.changed_at.isoformat()})"
        )
        for row in listed
    ]
    if not listed:
        lines.append("  (none)")
    lines.append("changes received:")
    lines += [_change_line(change) for change in history]
    if not history:
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


def _change_line(change: LiaisonChange) -> str:
    old = "-" if change.old is None else _contact(change.old)
    return (
        f"  {change.changed_at.isoformat()}  {change.unit:<16} {old} -> {_contact(change.new)}  "
        f"effective {change.effective_on.isoformat()}  event {change.event_id}"
    )


def _contact(contact: Mapping[str, Any]) -> str:
    return f"{contact['name']} ({contact['post']}, {contact['phone']})"
