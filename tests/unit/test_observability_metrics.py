"""The services' metrics hooks, fed the facts the services hand them (the router's decisions, the
auditor's committed batches and batch reads, the tracker's sweeps), move the metrics of
docs/design.md §8 by what happened, on the registry they were given and nowhere else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from hub.auditor.apply import BatchOutcome
from hub.deliveries.answered import Answered
from hub.deliveries.state import Delivery, DeliveryKey, Stage
from hub.kafka.batches import BatchRead, PartitionRead
from hub.kafka.records import InboundRecord
from hub.observability.metrics import (
    AuditorMetrics,
    RouterMetrics,
    TrackerMetrics,
    kafka_middleware,
)
from hub.observability.outcomes import overdue_counts
from hub.router.decide import decision
from schemas.units import outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT, TAX, NR = "court.411121", "tax.411121", "nr.411121"
QUERY = "enforcement.query.requested.v1"


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def inbound(value: bytes | dict[str, Any], *, unit: str = COURT) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
    return InboundRecord(outbox_topic(unit), 0, 1, b"key", raw)


def query_to(*units: str) -> dict[str, Any]:
    return signed_by(fresh_id(corpus_event(QUERY)) | {"to": " ".join(units)}, COURT)


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    found = registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_the_router_counts_what_it_received_routed_refused_and_dead_lettered(ctx: Any) -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    records = [inbound(query_to(TAX)) for _ in range(5)]
    records += [inbound(query_to(TAX, NR)), inbound(b"garbage"), inbound(b"{}")]
    metrics.batch_written([decision(record, ctx, NOW) for record in records])

    assert value(registry, "fyhub_events_received_total", type=QUERY, source=COURT) == 6
    assert value(registry, "fyhub_events_received_total", type="unknown", source=COURT) == 2
    assert value(registry, "fyhub_events_routed_total", type=QUERY, recipient=TAX) == 6
    assert value(registry, "fyhub_events_routed_total", type=QUERY, recipient=NR) == 1
    assert value(registry, "fyhub_events_rejected_total", code="malformed", source=COURT) == 2
    assert value(registry, "fyhub_dlq_records_total", code="malformed") == 2


@dataclass(frozen=True)
class Decided:
    """A decision as the hook sees it, for the cases the router's own decisions do not make."""

    source: str | None
    event_type: str | None
    recipients: tuple[str, ...] = ()
    refused: str | None = None


def test_a_record_on_no_unit_s_topic_is_counted_against_an_unknown_source() -> None:
    registry = CollectorRegistry()
    RouterMetrics(registry).batch_written([Decided(None, None, refused="source_mismatch")])
    assert value(registry, "fyhub_events_received_total", type="unknown", source="unknown") == 1
    assert (
        value(registry, "fyhub_events_rejected_total", code="source_mismatch", source="unknown")
        == 1
    )


class Unreadable:
    @property
    def source(self) -> str:
        raise RuntimeError("a fact that cannot be read")


def test_a_fact_the_hook_cannot_read_does_not_escape_into_the_router(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = CollectorRegistry()
    RouterMetrics(registry).batch_written([Unreadable()])  # type: ignore[list-item]
    assert "router metrics of a batch not counted" in caplog.text


def late_delivery(recipient: str, n: int) -> Delivery:
    routed = NOW - timedelta(days=5)
    return Delivery(
        event_source=f"fy:unit:{COURT}",
        event_id=f"e{n}",
        recipient=recipient,
        event_type=QUERY,
        subject="case",
        routed_at=routed,
        receipt_due=routed + timedelta(days=1),
        reply_due=routed + timedelta(days=3),
    )


def test_the_tracker_shows_overdue_deliveries_and_zero_once_they_are_answered() -> None:
    registry = CollectorRegistry()
    metrics = TrackerMetrics(registry)
    metrics.deliveries_swept(overdue_counts([late_delivery(TAX, 1), late_delivery(TAX, 2)], NOW))
    name = "fyhub_deliveries_overdue"
    assert value(registry, name, recipient=TAX, stage="receipt") == 2
    assert value(registry, name, recipient=TAX, stage="reply") == 2
    metrics.deliveries_swept(overdue_counts([], NOW + timedelta(minutes=1)))
    assert registry.get_sample_value(name, {"recipient": TAX, "stage": "receipt"}) == 0


def test_the_trackers_jobs_are_counted_by_action_and_outcome() -> None:
    registry = CollectorRegistry()
    metrics = TrackerMetrics(registry)
    metrics.jobs_written({"overdue": 3, "redelivered": 1, "escalated": 0}, 2)
    metrics.jobs_written({"overdue": 1, "redelivered": 0, "escalated": 1}, 0)
    name = "fyhub_tracker_jobs_total"
    assert value(registry, name, action="overdue", outcome="journalled") == 4
    assert value(registry, name, action="redelivered", outcome="journalled") == 1
    assert value(registry, name, action="escalated", outcome="journalled") == 1
    assert value(registry, name, action="any", outcome="failed") == 2


KEY = DeliveryKey(f"fy:unit:{COURT}", "e1", TAX)


def answered(stage: Stage, waited: timedelta, *, recipient: str = TAX) -> Answered:
    due = NOW + timedelta(days=1)
    return Answered(KEY._replace(recipient=recipient), QUERY, stage, NOW, NOW + waited, due)


def test_the_auditor_times_each_stage_its_committed_batch_answered() -> None:
    registry = CollectorRegistry()
    metrics = AuditorMetrics(registry)
    batch = BatchOutcome(
        applied=3,
        answered=(
            answered(Stage.RECEIPT, timedelta(minutes=2)),
            answered(Stage.RECEIPT, timedelta(hours=2), recipient=NR),
            answered(Stage.REPLY, timedelta(days=3)),
        ),
    )
    metrics.batch_committed(batch)
    metrics.batch_committed(BatchOutcome(already_applied=3))  # read again: answers nothing
    tax, nr = {"type": QUERY, "recipient": TAX}, {"type": QUERY, "recipient": NR}
    assert value(registry, "fyhub_receipt_seconds_count", **tax) == 1
    assert value(registry, "fyhub_receipt_seconds_sum", **tax) == 120
    assert value(registry, "fyhub_receipt_seconds_bucket", le="300.0", **tax) == 1
    assert value(registry, "fyhub_receipt_seconds_bucket", le="60.0", **tax) == 0
    assert value(registry, "fyhub_receipt_seconds_sum", **nr) == 7200
    assert value(registry, "fyhub_reply_seconds_count", **tax) == 1
    assert value(registry, "fyhub_reply_seconds_sum", **tax) == 3 * 86400
    assert value(registry, "fyhub_reply_seconds_count", **nr) == 0


J = "fy.hub.journal"


def read(
    *partitions: PartitionRead, applied: bool = True, assigned: set[int] | None = None
) -> BatchRead:
    held = {0, 1} if assigned is None else assigned
    return BatchRead(partitions, applied, frozenset((J, p) for p in held))


def test_the_journal_lag_is_the_records_after_each_batch_summed_over_partitions() -> None:
    registry = CollectorRegistry()
    metrics = AuditorMetrics(registry)
    metrics.journal_read(read(PartitionRead(J, 0, 5, 10, 100)))
    assert value(registry, "fyhub_journal_lag") == 89
    metrics.journal_read(read(PartitionRead(J, 1, 20, 25, 40), applied=False))
    assert value(registry, "fyhub_journal_lag") == 89 + 20
    assert metrics.journal_lag == 109


def test_a_partition_taken_away_in_a_rebalance_leaves_the_lag() -> None:
    registry = CollectorRegistry()
    metrics = AuditorMetrics(registry)
    metrics.journal_read(read(PartitionRead(J, 0, 9, 9, 50), PartitionRead(J, 1, 0, 0, 50)))
    assert metrics.journal_lag == 40 + 49
    metrics.journal_read(read(PartitionRead(J, 1, 44, 44, 50), assigned={1}))
    assert metrics.journal_lag == 5
    assert value(registry, "fyhub_journal_lag") == 5


def test_a_partition_whose_end_is_not_known_yet_adds_no_lag() -> None:
    metrics = AuditorMetrics(CollectorRegistry())
    metrics.journal_read(read(PartitionRead(J, 0, 1, 1, None)))
    assert metrics.journal_lag == 0


def family_names(registry: CollectorRegistry) -> set[str]:
    return {family.name for family in registry.collect()}


def test_every_service_and_the_kafka_middleware_fit_on_one_registry() -> None:
    registry = CollectorRegistry()
    RouterMetrics(registry)
    AuditorMetrics(registry)
    TrackerMetrics(registry)
    kafka_middleware(registry, app_name="fyhub-router")
    kafka_middleware(registry, app_name="fyhub-auditor")  # a second broker in the same process
    names = family_names(registry)
    assert {
        "fyhub_events_received",
        "fyhub_events_routed",
        "fyhub_events_rejected",
        "fyhub_dlq_records",
        "fyhub_receipt_seconds",
        "fyhub_reply_seconds",
        "fyhub_journal_lag",
        "fyhub_deliveries_overdue",
        "faststream_received_messages",
        "faststream_received_processed_messages",
    } <= names


def test_registries_are_independent() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    RouterMetrics(first).routed.labels(QUERY, TAX).inc()
    RouterMetrics(second)
    assert value(first, "fyhub_events_routed_total", type=QUERY, recipient=TAX) == 1
    assert value(second, "fyhub_events_routed_total", type=QUERY, recipient=TAX) == 0
