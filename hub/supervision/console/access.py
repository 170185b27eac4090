"""What each signed-in viewer may see. Pure.

The office sees everything. A unit's liaison sees what involves its unit and nothing of the other
units: its own overdue items; of a trace, the events its unit published (with every copy of
them) and the copies delivered to its unit (without the other recipients' copies), the refusals
of its unit's records, and the audit facts of those events that name its unit, the publisher or
no unit. A trace with nothing of the unit is, for its liaison, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hub.supervision.console.accounts import Viewer
    from hub.supervision.reads import OverdueDelivery, TimelineEntry, Trace, TracedEvent


class Page(StrEnum):
    """The console's pages, as far as who may open them goes."""

    OVERDUE = "overdue"
    TRACE = "trace"
    LIAISONS = "liaisons"
    SCORECARD = "scorecard"
    ANNUAL = "annual"
    VIEWS = "views"


LIAISON_PAGES = frozenset({Page.OVERDUE, Page.TRACE, Page.LIAISONS})
"""The scorecards compare the units and the views record watches the watchers: office only."""


def may_open(viewer: Viewer, page: Page) -> bool:
    return viewer.is_office or page in LIAISON_PAGES


class OutOfScopeError(Exception):
    """A liaison asked for another unit's page."""


def unit_in_scope(viewer: Viewer, unit: str | None) -> str | None:
    """The unit a per-unit page (overdue, liaisons) shows to `viewer` asking for `unit` (None:
    every unit); raises `OutOfScopeError` when a liaison asks for another unit."""
    if viewer.is_office:
        return unit
    if unit is not None and unit != viewer.unit:
        raise OutOfScopeError(unit)
    return viewer.unit


def overdue_for(viewer: Viewer, items: Iterable[OverdueDelivery]) -> list[OverdueDelivery]:
    return [item for item in items if viewer.is_office or item.recipient == viewer.unit]


def trace_for(viewer: Viewer, trace: Trace) -> Trace | None:
    """The part of `trace` the viewer may see; None when that is nothing."""
    if viewer.is_office:
        return trace
    unit = viewer.unit
    events: list[TracedEvent] = []
    publishers: dict[str, str | None] = {}
    for event in trace.events:
        publisher = unit_from_source(event.source)
        if publisher == unit:
            events.append(event)
        elif any(d.recipient == unit for d in event.deliveries):
            own = tuple(d for d in event.deliveries if d.recipient == unit)
            events.append(replace(event, deliveries=own))
        else:
            continue
        publishers[event.event_id] = publisher
    rejections = tuple(
        r for r in trace.rejections if r.source is not None and unit_from_source(r.source) == unit
    )
    timeline = tuple(
        entry for entry in trace.timeline if _names_only_allowed(entry, unit, publishers)
    )
    if not events and not rejections:
        return None
    return replace(trace, events=tuple(events), rejections=rejections, timeline=timeline)


def _names_only_allowed(
    entry: TimelineEntry, unit: str | None, publishers: dict[str, str | None]
) -> bool:
    if entry.event_id is None or entry.event_id not in publishers:
        return False
    publisher = publishers[entry.event_id]
    return publisher == unit or entry.unit in {unit, publisher, None}
