"""Who may fetch a document. Pure.

A document is handed to the units the routing table entitled to it: for each event that
attaches it, the event's sender and every recipient whose copy kept `attachments` (field
minimisation decides: a unit whose copy was stripped of them, as the justice bureau's copy of an
administrative case is, never learnt the document's digest and may not fetch it), and the units
that uploaded it. Nothing else: a unit that receives only a debtor listing about the same case
is not entitled to the ruling sent to the registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ATTACHMENTS: Final = "attachments"

Fields = list[str] | Literal["all"]


@dataclass(frozen=True, slots=True)
class AttachingEvent:
    """An event that attaches the document: its sender and what each copy kept."""

    sender: str | None
    """The publishing unit; None for the hub's own events."""
    copies: Mapping[str, Fields] = field(default_factory=dict)
    """Recipient unit → the payload fields its copy kept."""


def keeps_attachments(fields: Fields) -> bool:
    """Whether a copy that kept `fields` carried the event's attachments."""
    if fields == "all":
        return True
    return any(path == ATTACHMENTS or path.startswith(f"{ATTACHMENTS}.") for path in fields)


def entitled_units(
    events: Iterable[AttachingEvent], uploaders: Iterable[str] = ()
) -> frozenset[str]:
    """Every unit that may fetch the document."""
    units = set(uploaders)
    for event in events:
        if event.sender is not None:
            units.add(event.sender)
        units.update(unit for unit, fields in event.copies.items() if keeps_attachments(fields))
    return frozenset(units)
