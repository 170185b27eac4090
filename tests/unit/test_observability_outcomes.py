"""The numbers behind the metrics that no service states outright: what is overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.deliveries.state import Delivery
from hub.observability.outcomes import overdue_counts
from tests.fixtures.journal import COURT, NR, T0, TAX, event_id


def delivery(recipient: str, **times: Any) -> Delivery:
    values: dict[str, Any] = {
        "event_source": f"fy:unit:{COURT}",
        "event_id": event_id(len(recipient)),
        "recipient": recipient,
        "event_type": "debtor.listed.v1",
        "subject": "case",
        "routed_at": T0,
        "receipt_due": T0 + timedelta(days=1),
        "reply_due": T0 + timedelta(days=15),
    }
    return Delivery(**(values | times))


def test_overdue_counts_each_stage_past_due_per_recipient() -> None:
    deliveries = [
        delivery(TAX),  # receipt late
        delivery(TAX, receipt_at=T0 + timedelta(hours=1)),  # received in time, reply not due
        delivery(NR, reply_due=T0 + timedelta(days=2)),  # both late
        delivery(COURT, receipt_at=T0, reply_due=None),  # nothing owed
    ]
    counts = overdue_counts(deliveries, T0 + timedelta(days=3))
    assert counts == {(TAX, "receipt"): 1, (NR, "receipt"): 1, (NR, "reply"): 1}
    assert overdue_counts(deliveries, T0 + timedelta(hours=2)) == {}
