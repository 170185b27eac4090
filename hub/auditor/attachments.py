"""The documents a routed event attaches by reference, as `event_attachments` rows and as the
digests its `event.received` audit entry records. Pure.

The router routed the event, so its payload passed the catalogue's models: every attachment is
a `DocumentRef`. An event whose payload has no `attachments` (most types) has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.journal.reading import EventFacts


def attachment_rows(facts: EventFacts) -> list[dict[str, Any]]:
    """One row per distinct document the event attaches (the first reference to a digest)."""
    rows: dict[str, dict[str, Any]] = {}
    for item in _attachments(facts):
        rows.setdefault(
            item["sha256"],
            {
                "sha256": item["sha256"],
                "event_source": facts.source,
                "event_id": facts.event_id,
                "kind": str(item.get("kind", "")),
                "number": str(item.get("number", "")),
                "size": int(item.get("size", 0)),
                "media_type": str(item.get("media_type", "")),
            },
        )
    return list(rows.values())


def attachment_digests(facts: EventFacts) -> list[str]:
    """The sorted, distinct SHA-256 digests of the documents the event attaches."""
    return sorted({item["sha256"] for item in _attachments(facts)})


def _attachments(facts: EventFacts) -> list[dict[str, Any]]:
    data = facts.envelope.get("data")
    found = data.get("attachments") if isinstance(data, dict) else None
    if not isinstance(found, list):
        return []
    return [
        item for item in found if isinstance(item, dict) and isinstance(item.get("sha256"), str)
    ]
