"""What the office's console shows: Chinese labels, supervision states, overdue items per unit,
and the liaison list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hub.auditor.changes import AuditKind
from hub.auditor.liaisons import liaison_list
from hub.deliveries.state import Stage
from hub.registry import load_registry
from hub.store.tables import CONSOLE_ROLES, DELIVERY_STATES, TRACE_VIEW_OUTCOMES
from hub.supervision.console import labels
from hub.supervision.console.accounts import Role
from hub.supervision.console.views import (
    Supervision,
    overdue_by_unit,
    supervision,
    trace_key,
)
from hub.supervision.reads import OverdueDelivery
from schemas.catalogue import CATALOGUE
from schemas.errors import ErrorCode
from tests.hubkit import TEST_REGISTRY

BEIJING = timezone(timedelta(hours=8))
DUE = datetime(2024, 3, 2, 9, 30, tzinfo=BEIJING)
TAX, NR = "tax.411121", "nr.411121"


def item(
    n: int,
    recipient: str,
    *,
    case_no: str | None = "（2024）豫1121执123号",
    notified: bool = False,
    escalated: bool = False,
) -> OverdueDelivery:
    return OverdueDelivery(
        event_source="fy:unit:court.411121",
        event_id=f"E{n}",
        event_type="enforcement.query.requested.v1",
        case_no=case_no,
        subject=case_no,
        recipient=recipient,
        stage=Stage.RECEIPT,
        due=DUE + timedelta(hours=n),
        overdue_by=timedelta(days=1),
        notified_at=DUE + timedelta(hours=1) if notified or escalated else None,
        escalated_at=DUE + timedelta(days=1) if escalated else None,
        attempts=3 if escalated else 1,
    )


def test_every_catalogue_type_state_rejection_and_audit_fact_has_a_chinese_name() -> None:
    tracker_kinds = {"delivery.overdue", "delivery.redelivered", "delivery.escalated"}

    assert set(labels.EVENT_TYPES) == set(CATALOGUE)
    assert set(labels.DELIVERY_STATES) == set(DELIVERY_STATES)
    assert set(labels.REJECTION_CODES) == {code.value for code in ErrorCode}
    assert set(labels.AUDIT_KINDS) == {kind.value for kind in AuditKind} | tracker_kinds
    assert labels.event_type("something.new.v9") == "something.new.v9"


def test_supervision_goes_from_due_to_notified_to_escalated() -> None:
    assert supervision(item(1, TAX)) is Supervision.DUE
    assert supervision(item(1, TAX, notified=True)) is Supervision.NOTIFIED
    assert supervision(item(1, TAX, escalated=True)) is Supervision.ESCALATED
    assert Supervision.ESCALATED.label == "已升级至联席会议办公室"


def test_an_item_is_traced_by_its_case_or_else_by_its_event() -> None:
    assert trace_key(item(1, TAX)) == "（2024）豫1121执123号"
    assert trace_key(item(2, TAX, case_no=None)) == "E2"


def test_overdue_items_are_grouped_by_unit_most_first_keeping_their_order() -> None:
    registry = load_registry(TEST_REGISTRY)
    items = [item(1, TAX), item(2, NR, escalated=True), item(3, NR), item(4, "gone.411121")]

    groups = overdue_by_unit(items, registry)

    assert [(g.unit, g.name, len(g.items), g.escalated) for g in groups] == [
        (NR, "舞阳县自然资源局", 2, 1),
        ("gone.411121", "gone.411121", 1, 0),
        (TAX, "国家税务总局舞阳县税务局", 1, 0),
    ]
    assert [i.event_id for i in groups[0].items] == ["E2", "E3"]


def test_the_liaison_list_starts_with_the_office() -> None:
    rows = liaison_list(load_registry(TEST_REGISTRY), [])

    assert (rows[0].unit, rows[0].office, rows[0].name) == (
        "justice.411121",
        True,
        "李红梅",
    )
    others = [row.unit for row in rows[1:]]
    assert others == sorted(others)
    assert "court.411121" in others


def test_every_role_and_trace_view_outcome_has_a_chinese_name() -> None:
    assert set(labels.ROLES) == set(CONSOLE_ROLES) == {role.value for role in Role}
    assert set(labels.VIEW_OUTCOMES) == set(TRACE_VIEW_OUTCOMES)
