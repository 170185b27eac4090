"""What each signed-in viewer may see, pure: the office everything, a unit's liaison only what
involves its unit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.deliveries.state import Stage
from hub.supervision.console.access import (
    LIAISON_PAGES,
    OutOfScopeError,
    Page,
    may_open,
    overdue_for,
    trace_for,
    unit_in_scope,
)
from hub.supervision.console.accounts import Role, Viewer
from hub.supervision.reads import (
    OverdueDelivery,
    TimelineEntry,
    Trace,
    TracedDelivery,
    TracedEvent,
    TracedRejection,
)

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=BEIJING)
COURT, TAX, NR, SAMR = "court.411121", "tax.411121", "nr.411121", "samr.411121"
CASE = "（2024）豫1121执123号"
OFFICE = Viewer("office", Role.OFFICE)


def liaison(unit: str) -> Viewer:
    return Viewer(f"{unit}-li", Role.LIAISON, unit)


def delivery(recipient: str) -> TracedDelivery:
    return TracedDelivery(
        recipient=recipient,
        fields=["*"],
        status="routed",
        routed_at=T0,
        receipt_due=T0 + timedelta(days=1),
        receipt_at=None,
        reply_due=None,
        replied_at=None,
        reply_event_id=None,
        receipt_overdue_at=None,
        reply_overdue_at=None,
        escalated_at=None,
        attempts=1,
    )


def event(event_id: str, publisher: str, *recipients: str) -> TracedEvent:
    return TracedEvent(
        source=f"fy:unit:{publisher}",
        event_id=event_id,
        type="enforcement.query.requested.v1",
        subject=CASE,
        case_no=CASE,
        published_at=T0,
        received_at=T0,
        duplicate_count=0,
        answers=None,
        deliveries=tuple(delivery(r) for r in recipients),
    )


def fact(seq: int, kind: str, event_id: str | None, unit: str | None) -> TimelineEntry:
    return TimelineEntry(seq, T0, kind, event_id, unit, {})


def rejection(source: str | None) -> TracedRejection:
    return TracedRejection(
        code="schema_invalid",
        detail="data.subjects[0].id_no: bad",
        field_paths=["data.subjects[0].id_no"],
        source=source,
        event_id="E9",
        position="fy.x.outbox:0:9",
        rejected_at=T0,
    )


# The court's query E1 went to tax and nr; tax answered with E2 (to the court); samr's record
# about the case was refused.
TRACE = Trace(
    query=CASE,
    case_no=CASE,
    events=(event("E1", COURT, TAX, NR), event("E2", TAX, COURT)),
    rejections=(rejection(f"fy:unit:{SAMR}"), rejection(None)),
    timeline=(
        fact(1, "event.received", "E1", COURT),
        fact(2, "event.routed", "E1", TAX),
        fact(3, "event.routed", "E1", NR),
        fact(4, "receipt.received", "E1", TAX),
        fact(5, "event.received", "E2", TAX),
        fact(6, "event.routed", "E2", COURT),
        fact(7, "record.rejected", "E9", SAMR),
    ),
)


def test_the_office_sees_the_whole_trace() -> None:
    assert trace_for(OFFICE, TRACE) is TRACE


def test_the_publisher_sees_its_event_with_every_copy_and_what_was_sent_to_it() -> None:
    shown = trace_for(liaison(COURT), TRACE)

    assert shown is not None
    assert [(e.event_id, [d.recipient for d in e.deliveries]) for e in shown.events] == [
        ("E1", [TAX, NR]),
        ("E2", [COURT]),
    ]
    assert shown.rejections == ()
    assert [f.seq for f in shown.timeline] == [1, 2, 3, 4, 5, 6]


def test_a_recipient_sees_its_own_copy_only_and_nothing_of_the_others() -> None:
    shown = trace_for(liaison(NR), TRACE)

    assert shown is not None
    assert [(e.event_id, [d.recipient for d in e.deliveries]) for e in shown.events] == [
        ("E1", [NR])
    ]
    # the court's publishing and nr's own copy; not tax's copy nor tax's receipt
    assert [f.seq for f in shown.timeline] == [1, 3]
    assert shown.rejections == ()


def test_a_unit_sees_the_refusals_of_its_own_records() -> None:
    shown = trace_for(liaison(SAMR), TRACE)

    assert shown is not None
    assert shown.events == ()
    assert [r.source for r in shown.rejections] == [f"fy:unit:{SAMR}"]
    assert shown.timeline == ()


def test_a_trace_with_nothing_of_the_unit_is_nothing() -> None:
    assert trace_for(liaison("hrss.411121"), TRACE) is None


def overdue(recipient: str) -> OverdueDelivery:
    return OverdueDelivery(
        event_source=f"fy:unit:{COURT}",
        event_id=f"E-{recipient}",
        event_type="enforcement.query.requested.v1",
        case_no=CASE,
        subject=CASE,
        recipient=recipient,
        stage=Stage.RECEIPT,
        due=T0,
        overdue_by=timedelta(days=1),
        notified_at=None,
        escalated_at=None,
        attempts=1,
    )


def test_a_liaison_sees_only_what_its_unit_owes() -> None:
    items = [overdue(TAX), overdue(NR), overdue(TAX)]

    assert overdue_for(OFFICE, items) == items
    assert [i.recipient for i in overdue_for(liaison(TAX), items)] == [TAX, TAX]
    assert overdue_for(liaison(SAMR), items) == []


def test_a_per_unit_page_is_the_liaisons_own_unit() -> None:
    assert unit_in_scope(OFFICE, None) is None
    assert unit_in_scope(OFFICE, NR) == NR
    assert unit_in_scope(liaison(TAX), None) == TAX
    assert unit_in_scope(liaison(TAX), TAX) == TAX
    with pytest.raises(OutOfScopeError):
        unit_in_scope(liaison(TAX), NR)


def test_the_comparisons_of_units_and_the_views_record_are_the_offices() -> None:
    assert all(may_open(OFFICE, page) for page in Page)
    assert {page for page in Page if may_open(liaison(TAX), page)} == LIAISON_PAGES
    assert not may_open(liaison(TAX), Page.SCORECARD)
    assert not may_open(liaison(TAX), Page.ANNUAL)
    assert not may_open(liaison(TAX), Page.VIEWS)
