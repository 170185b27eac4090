"""What the console's pages show, shaped from the store's read side. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from hub.registry import Registry
    from hub.supervision.reads import OverdueDelivery


class Supervision(StrEnum):
    """How far the supervision (督办) of an overdue stage has gone."""

    DUE = "due"
    """Past due; the tracker has not yet sent its notice."""
    NOTIFIED = "notified"
    """`hub.overdue.v1` sent to the unit and to the office."""
    ESCALATED = "escalated"
    """Redeliveries went unreceipted; escalated to the office."""

    @property
    def label(self) -> str:
        return _SUPERVISION_LABELS[self]


_SUPERVISION_LABELS: Mapping[Supervision, str] = {
    Supervision.DUE: "待督办",
    Supervision.NOTIFIED: "已发督办通知",
    Supervision.ESCALATED: "已升级至联席会议办公室",
}


def supervision(item: OverdueDelivery) -> Supervision:
    if item.escalated_at is not None:
        return Supervision.ESCALATED
    return Supervision.NOTIFIED if item.notified_at is not None else Supervision.DUE


def trace_key(item: OverdueDelivery) -> str:
    """What the item's trace page is looked up by: its case when it has one, else its event."""
    return item.case_no or item.event_id


@dataclass(frozen=True, slots=True)
class UnitOverdue:
    unit: str
    name: str
    items: tuple[OverdueDelivery, ...]

    @property
    def escalated(self) -> int:
        return sum(1 for item in self.items if supervision(item) is Supervision.ESCALATED)


def overdue_by_unit(items: Iterable[OverdueDelivery], registry: Registry) -> list[UnitOverdue]:
    """Overdue stages grouped by the unit that owes them; most items first, then by code. Each
    group keeps the items' order (earliest due first)."""
    grouped: dict[str, list[OverdueDelivery]] = {}
    for item in items:
        grouped.setdefault(item.recipient, []).append(item)
    groups = [
        UnitOverdue(unit, unit_name(registry, unit), tuple(found))
        for unit, found in grouped.items()
    ]
    return sorted(groups, key=lambda g: (-len(g.items), g.unit))


def unit_name(registry: Registry, code: str) -> str:
    unit = registry.unit(code)
    return unit.name if unit is not None else code


def unit_names(registry: Registry) -> dict[str, str]:
    return {code: unit.name for code, unit in registry.units.items()}
