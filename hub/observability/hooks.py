"""What the services tell their metrics, as small protocols with do-nothing defaults.

Each hook is handed facts the service already holds once the effect it reports is durable (the
router's records acknowledged, the auditor's transaction committed), so a batch that fails and
comes again is not counted twice, and no hook reads the store or the consumer for itself:

- the router: a `RoutingDecision` per record of a written batch (`hub.router.decide.Decision`);
- the auditor: the `AppliedBatch` it committed (`hub.auditor.apply.BatchOutcome`) and, for every
  batch, applied or to be read again, its `BatchRead` (`hub.kafka.batches`);
- the tracker: the open deliveries a sweep read, and how many have provisional deadlines.

The router's and the auditor's facts are named here as protocols, since observability imports no
service (the services import these hooks). Nothing here imports prometheus_client: a service
built without metrics pays for nothing but a method call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from hub.deliveries.answered import Answered
    from hub.kafka.batches import BatchRead


class RoutingDecision(Protocol):
    """What the router decided about one outbox record."""

    @property
    def source(self) -> str | None:
        """The unit owning the outbox the record came in on; None for a topic of no unit."""

    @property
    def event_type(self) -> str | None:
        """The type the record named; None when refused before it could be read."""

    @property
    def recipients(self) -> Sequence[str]:
        """One per copy written to an inbox."""

    @property
    def refused(self) -> str | None:
        """The error code of the refusal (the record is dead-lettered); None when routed."""


class AppliedBatch(Protocol):
    """What a committed batch of journal records changed in the store."""

    @property
    def answered(self) -> Sequence[Answered]:
        """The delivery stages it answered for the first time."""

    @property
    def refusals(self) -> Sequence[str]:
        """The refusal of each journal record it stored as refused, never applied."""


class RouterHooks(Protocol):
    def batch_written(self, decisions: Sequence[RoutingDecision]) -> None:
        """A batch's records were all acknowledged by the broker. Never raises."""


class AuditorHooks(Protocol):
    def batch_committed(self, outcome: AppliedBatch) -> None:
        """A batch of journal records is in the store. Never raises."""

    def journal_read(self, read: BatchRead) -> None:
        """Where a batch, applied or refused by the store and about to be read again, left the
        journal consumer. Never raises."""


class TrackerHooks(Protocol):
    def deliveries_swept(self, overdue: Mapping[tuple[str, str], int]) -> None:
        """A sweep over every open delivery found these past due, by (recipient, stage)
        (`hub.observability.outcomes.overdue_counts`, added up over the sweep's pages)."""

    def provisional_counted(self, count: int) -> None:
        """A sweep found `count` open deliveries with provisional deadlines."""

    def jobs_written(self, journalled: Mapping[str, int], failed: int) -> None:
        """A sweep journalled these jobs by action (`overdue`, `redelivered`, `escalated`);
        `failed` were not acknowledged and are tried again next sweep."""


class _NoRouterMetrics:
    def batch_written(self, decisions: Sequence[RoutingDecision]) -> None:
        pass


class _NoAuditorMetrics:
    def batch_committed(self, outcome: AppliedBatch) -> None:
        pass

    def journal_read(self, read: BatchRead) -> None:
        pass


class _NoTrackerMetrics:
    def deliveries_swept(self, overdue: Mapping[tuple[str, str], int]) -> None:
        pass

    def provisional_counted(self, count: int) -> None:
        pass

    def jobs_written(self, journalled: Mapping[str, int], failed: int) -> None:
        pass


NO_ROUTER_METRICS: Final[RouterHooks] = _NoRouterMetrics()
NO_AUDITOR_METRICS: Final[AuditorHooks] = _NoAuditorMetrics()
NO_TRACKER_METRICS: Final[TrackerHooks] = _NoTrackerMetrics()
