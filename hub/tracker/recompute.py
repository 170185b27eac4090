"""Deadlines counted again on the current calendar (`fyhub calendar apply`). Pure.

When a year's arrangement is added (`deploy/calendar/<year>.yaml`), the deadlines the router
counted on that year's provisional calendar may be wrong. For each open delivery this counts the
deadlines again exactly as the router did (same routing time, payload, recipient and
`DeadlinePolicy`) and keeps only the stages still owed whose due time, or whose calendar, changed.
A deadline the payload gave (`payload_field`) comes out as it was: it was never the calendar's.

The result is one `deadlines.recomputed` journal entry per event, keyed as the router keyed the
event's own entry (`case_key`), so that it lands in the same journal partition after it: the
auditor, and a replay into an empty store, apply it once the deliveries exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.journal.entries import DeadlinesRecomputed, Rescheduled
from hub.journal.seal import journal_record
from hub.kafka.records import case_key
from hub.routing.deadlines import due_times
from hub.routing.resolve import split_to
from schemas.catalogue import lookup
from schemas.units import JOURNAL_TOPIC, unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from hub.calendar import WorkingCalendar
    from hub.deliveries.state import DeliveryKey
    from hub.journal.seal import HubSigner
    from hub.kafka.records import Outbound
    from hub.routing.deadlines import DeadlinePolicy
    from hub.routing.table import RoutingTable, TypeRoute


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCopy:
    """An open delivery as the store keeps it, with the envelope of its event."""

    key: DeliveryKey
    event_type: str
    subject: str | None
    envelope: Mapping[str, Any]
    routed_at: datetime
    receipt_due: datetime | None
    reply_due: datetime | None
    receipt_at: datetime | None
    replied_at: datetime | None
    calendar: str | None


def rescheduled(
    copy: OpenCopy,
    *,
    table: RoutingTable,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> Rescheduled | None:
    """The copy's deadlines counted again, or None when nothing it still owes changes."""
    route = table.types.get(copy.event_type)
    if route is None:  # a type the table no longer routes: its deadlines stay as counted
        return None
    recipient = copy.key.recipient
    data = copy.envelope.get("data")
    due = due_times(
        route,
        copy.routed_at,
        data if isinstance(data, dict) else {},
        unit_dept(recipient),
        calendar=calendar,
        named=recipient in split_to(copy.envelope.get("to")),
        policy=policy,
    )
    receipt_by = copy.receipt_due if copy.receipt_at is not None else due.receipt_by
    reply_by = copy.reply_due if copy.replied_at is not None else due.reply_by
    if _moved_by_interim_reply(route, copy.reply_due, reply_by):
        reply_by = copy.reply_due
    if (receipt_by, reply_by, due.calendar) == (copy.receipt_due, copy.reply_due, copy.calendar):
        return None
    return Rescheduled(
        event_source=copy.key.event_source,
        event_id=copy.key.event_id,
        recipient=recipient,
        receipt_by=receipt_by,
        reply_by=reply_by,
        calendar=due.calendar,
    )


def recomputation_records(  # noqa: PLR0913 - all but the first are keyword-only
    copies: Iterable[OpenCopy],
    *,
    table: RoutingTable,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
    now: datetime,
    reason: str,
    signer: HubSigner,
    topic: str = JOURNAL_TOPIC,
) -> list[tuple[DeadlinesRecomputed, Outbound]]:
    """One journal entry per event with a delivery whose deadlines changed, and its record,
    sealed by `signer`."""
    changed: dict[tuple[str, str], list[Rescheduled]] = defaultdict(list)
    keys: dict[tuple[str, str], bytes] = {}
    for copy in copies:
        new = rescheduled(copy, table=table, calendar=calendar, policy=policy)
        if new is None:
            continue
        event = (copy.key.event_source, copy.key.event_id)
        changed[event].append(new)
        keys[event] = case_key(copy.subject, copy.key.event_id)
    records = []
    for event, deliveries in changed.items():
        entry = DeadlinesRecomputed(at=now, reason=reason, deliveries=deliveries)
        records.append((entry, journal_record(entry, keys[event], signer, topic=topic)))
    return records


def _moved_by_interim_reply(
    route: TypeRoute, recorded: datetime | None, counted: datetime | None
) -> bool:
    """Whether the recorded reply deadline is one an interim reply set (a court's acceptance
    stating by when it rules, `EventType.interim_due_field`): later than the table's default,
    which it replaced, so counting the default again must not bring it back."""
    if route.reply is None or recorded is None or counted is None or recorded <= counted:
        return False
    return any(
        (known := lookup(name)) is not None and known.interim_due_field is not None
        for name in route.reply.types
    )
