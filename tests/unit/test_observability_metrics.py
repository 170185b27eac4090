"""The services' metrics hooks move the metrics of docs/design.md §8 by what happened, on the
registry they were given and nowhere else."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from hub.deliveries.state import Delivery
from hub.kafka.records import InboundRecord
from hub.observability.metrics import (
    AuditorMetrics,
    RouterMetrics,
    TrackerMetrics,
    kafka_middleware,
)
from hub.router.decide import decide
from schemas.units import JOURNAL_TOPIC, outbox_topic
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
    metrics.batch_written([(record, decide(record, ctx, NOW)) for record in records])

    assert value(registry, "fyhub_events_received_total", type=QUERY, source=COURT) == 6
    assert value(registry, "fyhub_events_received_total", type="unknown", source=COURT) == 2
    assert value(registry, "fyhub_events_routed_total", type=QUERY, recipient=TAX) == 6
    assert value(registry, "fyhub_events_routed_total", type=QUERY, recipient=NR) == 1
    assert value(registry, "fyhub_events_rejected_total", code="malformed", source=COURT) == 2
    assert value(registry, "fyhub_dlq_records_total", code="malformed") == 2


def test_a_record_the_hook_cannot_read_does_not_escape_into_the_router(ctx: Any) -> None:
    registry = CollectorRegistry()
    record = inbound(query_to(TAX))
    broken = [
        replace(out, value=b"not json") if out.topic == JOURNAL_TOPIC else out
        for out in decide(record, ctx, NOW)
    ]
    RouterMetrics(registry).batch_written([(record, broken)])
    assert value(registry, "fyhub_events_received_total", type=QUERY, source=COURT) == 0


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
    metrics.deliveries_swept([late_delivery(TAX, 1), late_delivery(TAX, 2)], NOW)
    name = "fyhub_deliveries_overdue"
    assert value(registry, name, recipient=TAX, stage="receipt") == 2
    assert value(registry, name, recipient=TAX, stage="reply") == 2
    metrics.deliveries_swept([], NOW + timedelta(minutes=1))
    assert registry.get_sample_value(name, {"recipient": TAX, "stage": "receipt"}) == 0


@dataclass
class FakeConsumer:
    """What the lag measurement reads of an aiokafka consumer: partition ends and assignment."""

    ends: dict[TopicPartition, int]
    assigned: set[TopicPartition] = field(default_factory=set)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.ends.get(partition)

    def assignment(self) -> set[TopicPartition]:
        return self.assigned or set(self.ends)


@dataclass
class Raw:
    topic: str
    partition: int
    offset: int


def test_the_journal_lag_is_the_records_after_each_batch_summed_over_partitions() -> None:
    registry = CollectorRegistry()
    metrics = AuditorMetrics(registry)
    p0, p1 = TopicPartition("fy.hub.journal", 0), TopicPartition("fy.hub.journal", 1)
    consumer = FakeConsumer({p0: 100, p1: 40})
    metrics.journal_read(consumer, [Raw("fy.hub.journal", 0, 10)], applied=True)
    assert value(registry, "fyhub_journal_lag") == 89
    metrics.journal_read(consumer, [Raw("fy.hub.journal", 1, 20)], applied=False)
    assert value(registry, "fyhub_journal_lag") == 89 + 20
    assert metrics.journal_lag == 109


def test_a_partition_taken_away_in_a_rebalance_leaves_the_lag() -> None:
    registry = CollectorRegistry()
    metrics = AuditorMetrics(registry)
    p0, p1 = TopicPartition("fy.hub.journal", 0), TopicPartition("fy.hub.journal", 1)
    metrics.journal_read(FakeConsumer({p0: 50, p1: 50}), [Raw(p0.topic, 0, 9)], applied=True)
    assert metrics.journal_lag == 40
    after = FakeConsumer({p0: 50, p1: 50}, assigned={p1})
    metrics.journal_read(after, [Raw(p1.topic, 1, 44)], applied=True)
    assert metrics.journal_lag == 5


def test_a_consumer_without_positions_does_not_stop_the_auditor() -> None:
    metrics = AuditorMetrics(CollectorRegistry())
    metrics.journal_read(object(), [Raw("fy.hub.journal", 0, 1)], applied=True)
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
