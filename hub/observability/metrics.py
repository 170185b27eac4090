"""The hub's Prometheus metrics (docs/design.md §8), each service's on the registry it is given.

| metric | kind, labels | kept by |
| --- | --- | --- |
| `fyhub_events_received_total` | counter `{type,source}`: outbox records read | router |
| `fyhub_events_routed_total` | counter `{type,recipient}`: copies written to inboxes | router |
| `fyhub_events_rejected_total` | counter `{code,source}`: records refused | router |
| `fyhub_dlq_records_total` | counter `{code}`: records written to `fy.hub.dlq` | router |
| `fyhub_receipt_seconds` | histogram `{type,recipient}`: routed → receipt | auditor |
| `fyhub_reply_seconds` | histogram `{type,recipient}`: routed → reply | auditor |
| `fyhub_journal_lag` | gauge: journal records not yet in the store | auditor |
| `fyhub_journal_refused_total` | counter `{refusal}`: journal records refused | auditor |
| `fyhub_deliveries_overdue` | gauge `{recipient,stage}`: open deliveries past due | tracker |

`refusal` is one of the journal's refusals (`hub.journal.trust.Refusal`), each exported from the
start at 0 so that an alert sees the first one. `source`, `recipient` are unit codes; `type` the
event type (`unknown` for a record refused before its type was read); `stage` is `receipt` or
`reply`. Receipt and reply times are observed by the auditor, not the router: the delivery token a
unit echoes does not carry the routing time, the copy's `hubrouted` is the unit's to alter, and only
the auditor, applying an answer to its delivery, knows whether it is the first one
(`hub.deliveries.answered`). Both ends are the router's clock (the routing of the event, the routing
of its answer).

The numbers come from the facts the services hand their hooks (`hub.observability.hooks`): the
router's decisions, the auditor's committed `BatchOutcome` and each batch's `BatchRead`, the
tracker's sweep. No hook reads the store or a consumer. Each service class takes a
`CollectorRegistry`; one process (`fyhub up`) puts all of them and its brokers' `kafka_middleware`
on one registry and serves it at `/metrics` (`hub.observability.http`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import Counter, Gauge, Histogram

from hub.deliveries.state import Stage
from hub.observability.outcomes import UNKNOWN

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from prometheus_client import CollectorRegistry

    from hub.kafka.batches import BatchRead
    from hub.observability.hooks import AppliedBatch, RoutingDecision

log = logging.getLogger(__name__)

ANSWER_BUCKETS: Final = (
    60.0,
    300.0,
    900.0,
    3600.0,
    4 * 3600.0,
    8 * 3600.0,
    86400.0,
    2 * 86400.0,
    3 * 86400.0,
    5 * 86400.0,
    7 * 86400.0,
    15 * 86400.0,
    30 * 86400.0,
    60 * 86400.0,
    float("inf"),
)
"""Seconds from a minute to two months: the deadlines run from one working day (receipts) to
two months (replies to judicial suggestions)."""


def kafka_middleware(registry: CollectorRegistry, *, app_name: str) -> KafkaPrometheusMiddleware:
    """FastStream's consume and publish metrics (`faststream_*`) for one service's broker."""
    return KafkaPrometheusMiddleware(registry=registry, app_name=app_name)


class RouterMetrics:
    """What the router received, routed, refused and dead-lettered."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "fyhub_events_received_total",
            "Outbox records read by the router, by event type and publishing unit",
            ["type", "source"],
            registry=registry,
        )
        self.routed = Counter(
            "fyhub_events_routed_total",
            "Copies written to recipients' inboxes, by event type and recipient",
            ["type", "recipient"],
            registry=registry,
        )
        self.rejected = Counter(
            "fyhub_events_rejected_total",
            "Outbox records refused by the router, by error code and publishing unit",
            ["code", "source"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "fyhub_dlq_records_total",
            "Records written to the dead-letter topic, by error code",
            ["code"],
            registry=registry,
        )

    def batch_written(self, decisions: Sequence[RoutingDecision]) -> None:
        try:
            self._count(decisions)
        except Exception:
            # The batch is written; its offsets must be committed whatever the counting did.
            log.exception("router metrics of a batch not counted")

    def _count(self, decisions: Sequence[RoutingDecision]) -> None:
        for decision in decisions:
            source = decision.source or UNKNOWN
            event_type = decision.event_type or UNKNOWN
            self.received.labels(event_type, source).inc()
            for recipient in decision.recipients:
                self.routed.labels(event_type, recipient).inc()
            if decision.refused is not None:
                self.rejected.labels(decision.refused, source).inc()
                self.dead_letters.labels(decision.refused).inc()


class AuditorMetrics:
    """Receipt and reply latencies, how far the auditor is behind the journal, and the journal
    records it refused; `refusals` names every refusal kind, so each counter starts at 0."""

    def __init__(self, registry: CollectorRegistry, refusals: Sequence[str] = ()) -> None:
        self.receipt_seconds = Histogram(
            "fyhub_receipt_seconds",
            "Seconds from routing an event to routing its recipient's first receipt",
            ["type", "recipient"],
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.reply_seconds = Histogram(
            "fyhub_reply_seconds",
            "Seconds from routing an event to routing its recipient's reply",
            ["type", "recipient"],
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.journal_lag_records = Gauge(
            "fyhub_journal_lag",
            "Journal records not yet applied to the store, over this auditor's partitions",
            registry=registry,
        )
        self.journal_refused = Counter(
            "fyhub_journal_refused_total",
            "Journal records refused: not sealed by the hub, or their event not signed by its unit",
            ["refusal"],
            registry=registry,
        )
        for refusal in refusals:
            self.journal_refused.labels(refusal)
        self._lags: dict[tuple[str, int], int] = {}

    @property
    def journal_lag(self) -> int:
        return sum(self._lags.values())

    def batch_committed(self, outcome: AppliedBatch) -> None:
        for refusal in outcome.refusals:
            self.journal_refused.labels(refusal).inc()
        try:
            for answered in outcome.answered:
                stage = answered.stage
                seconds = self.receipt_seconds if stage is Stage.RECEIPT else self.reply_seconds
                seconds.labels(answered.event_type, answered.recipient).observe(
                    answered.waited.total_seconds()
                )
        except Exception:
            # The batch is in the store already; a latency missed is not worth reading it again.
            log.exception("answer times of a journal batch not measured")

    def journal_read(self, read: BatchRead) -> None:
        try:
            self._lags.update(read.lags())
            # Partitions given to another auditor in a rebalance are that one's lag now.
            self._lags = {key: lag for key, lag in self._lags.items() if key in read.assigned}
            self.journal_lag_records.set(self.journal_lag)
        except Exception:
            log.exception("journal lag not measured")


class TrackerMetrics:
    """The open deliveries past due, and those with provisional deadlines, as the tracker's last
    sweep found them."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.overdue = Gauge(
            "fyhub_deliveries_overdue",
            "Open deliveries whose receipt or reply is past due, by recipient and stage",
            ["recipient", "stage"],
            registry=registry,
        )
        self._shown: set[tuple[str, str]] = set()
        self.provisional = Gauge(
            "fyhub_deadlines_provisional",
            "Open deliveries whose deadlines were counted on a provisional calendar (a year "
            "without its State Council notice in deploy/calendar/)",
            registry=registry,
        )
        self.provisional_open = 0
        self.jobs = Counter(
            "fyhub_tracker_jobs_total",
            "Tracker jobs by action (overdue, redelivered, escalated, reminded: a court told that "
            "a seal or freeze lapses soon) and outcome (journalled, "
            "or failed: not acknowledged, tried again next sweep)",
            ["action", "outcome"],
            registry=registry,
        )

    def jobs_written(self, journalled: Mapping[str, int], failed: int) -> None:
        for action, count in journalled.items():
            self.jobs.labels(action, "journalled").inc(count)
        self.jobs.labels("any", "failed").inc(failed)

    def provisional_counted(self, count: int) -> None:
        self.provisional_open = count
        self.provisional.set(count)

    def deliveries_swept(self, overdue: Mapping[tuple[str, str], int]) -> None:
        counts = dict(overdue)
        # A unit that caught up reads 0 rather than vanishing, so rules over it keep working.
        for labels in self._shown - counts.keys():
            self.overdue.labels(*labels).set(0)
        for labels, count in counts.items():
            self.overdue.labels(*labels).set(count)
        self._shown |= counts.keys()
