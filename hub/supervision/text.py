"""Plain-text views of a trace and of the overdue list, for the terminal. Pure.

Times are shown in China Standard Time, as the units read them. A subject that is not a case
number is a person's or a company's identifier, and is shown masked, as is any identifier-like
run in a rejection's detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.auditor.changes import AuditKind
from hub.journal.reading import case_number
from hub.routing.deadlines import CHINA_TZ
from schemas.identifiers import SuggestionNumber, mask_id, mask_identifiers
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from hub.supervision.reads import (
        OverdueDelivery,
        TimelineEntry,
        Trace,
        TracedDelivery,
        TracedEvent,
        TracedRejection,
    )


def trace_lines(trace: Trace) -> list[str]:
    head = f"case {trace.case_no}" if trace.case_no else f"event {trace.query}"
    lines = [f"{head}: {len(trace.events)} event(s), {len(trace.rejections)} rejection(s)"]
    for event in trace.events:
        lines += ["", *_event_lines(event)]
    if trace.rejections:
        lines += ["", "rejections:", *(_rejection_line(r) for r in trace.rejections)]
    if trace.timeline:
        lines += ["", "timeline:", *(_timeline_line(entry) for entry in trace.timeline)]
    return lines


def overdue_lines(items: list[OverdueDelivery]) -> list[str]:
    if not items:
        return ["nothing is overdue"]
    lines = [f"{len(items)} overdue:"]
    for item in items:
        marks = [f"notified {show_time(item.notified_at)}" if item.notified_at else "not notified"]
        if item.escalated_at:
            marks.append(f"escalated {show_time(item.escalated_at)}")
        if item.attempts > 1:
            marks.append(f"{item.attempts} deliveries")
        lines.append(
            f"  {item.recipient}  {item.stage.value:<7}  due {show_time(item.due)}  "
            f"late {show_duration(item.overdue_by)}  {item.event_type} {item.event_id}  "
            f"{item.case_no or show_subject(item.subject)}  ({', '.join(marks)})"
        )
    return lines


def show_time(at: datetime | None) -> str:
    if at is None:
        return "-"
    try:
        return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
    except OverflowError:  # a stored time at the edge of the calendar (year 1 or 9999)
        return at.isoformat(timespec="seconds")


def show_duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return f"{days}d {hours}h" if days else f"{hours}h {minutes}m"


def show_subject(subject: str | None) -> str:
    """A case or judicial-suggestion number as it is; anything else may be a person's
    identifier (the subject of an event without a case), so it is masked."""
    if subject is None:
        return "-"
    return case_number(subject) or _suggestion_number(subject) or mask_id(subject)


def _suggestion_number(subject: str) -> str | None:
    try:
        return SuggestionNumber.parse(subject).normalised
    except ValueError:
        return None


def _event_lines(event: TracedEvent) -> list[str]:
    publisher = unit_from_source(event.source) or event.source
    answers = f", answering {event.answers}" if event.answers else ""
    duplicates = f", {event.duplicate_count} duplicate(s)" if event.duplicate_count else ""
    published = (
        f"  published by {publisher} at {show_time(event.published_at)}, "
        f"routed at {show_time(event.received_at)}{duplicates}; "
        f"subject {show_subject(event.subject)}"
    )
    header = f"{event.type} {event.event_id}{answers}"
    documents = [
        f"  document {d.kind} {mask_identifiers(d.number)} sha256 {d.sha256}"
        for d in event.documents
    ]
    return [header, published, *documents, *(_delivery_line(d) for d in event.deliveries)]


def _delivery_line(d: TracedDelivery) -> str:
    fields = "all fields" if d.fields == ["*"] else ", ".join(d.fields) or "no fields"
    parts = [f"  → {d.recipient}  {d.status}  [{fields}]"]
    if d.receipt_due or d.receipt_at:
        parts.append(f"receipt due {show_time(d.receipt_due)}, received {show_time(d.receipt_at)}")
    if d.reply_due or d.replied_at:
        reply = f" ({d.reply_event_id})" if d.reply_event_id else ""
        parts.append(
            f"reply due {show_time(d.reply_due)}, replied {show_time(d.replied_at)}{reply}"
        )
    if d.calendar:
        parts.append(f"{d.calendar} calendar")
    if d.receipt_overdue_at:
        parts.append(f"receipt overdue {show_time(d.receipt_overdue_at)}")
    if d.reply_overdue_at:
        parts.append(f"reply overdue {show_time(d.reply_overdue_at)}")
    if d.escalated_at:
        parts.append(f"escalated {show_time(d.escalated_at)}")
    if d.attempts > 1:
        parts.append(f"{d.attempts} deliveries")
    return "; ".join(parts)


def _rejection_line(r: TracedRejection) -> str:
    sender = unit_from_source(r.source) if r.source else None
    fields = f" [{', '.join(r.field_paths)}]" if r.field_paths else ""
    return (
        f"  {show_time(r.rejected_at)}  {r.code} from {sender or 'an unknown sender'} "
        f"at {r.position}: {mask_identifiers(r.detail)}{fields}"
    )


def _timeline_line(entry: TimelineEntry) -> str:
    effect = entry.detail.get("effect")
    extra = f" ({effect})" if isinstance(effect, str) else ""
    if entry.kind == AuditKind.MEASURE_REMINDED:
        extra = f" (lapses {entry.detail.get('end')}, {entry.detail.get('days_left')} days left)"
    return (
        f"  {show_time(entry.at)}  #{entry.seq:<6} {entry.kind:<18} {entry.unit or '-':<16} "
        f"{entry.event_id or '-'}{extra}"
    )
