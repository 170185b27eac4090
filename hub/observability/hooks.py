"""What the services tell their metrics, as small protocols with do-nothing defaults.

The services call these hooks only after the effect they report is durable (the router's records
acknowledged, the auditor's transaction committed), so a batch that fails and comes again is not
counted twice. Nothing here imports prometheus_client: a service built without metrics pays for
nothing but a method call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hub.deliveries.state import Delivery
    from hub.journal.reading import JournalRecord, UnreadableRecord
    from hub.kafka.records import InboundRecord, Outbound

    Decided = tuple[InboundRecord, Sequence[Outbound]]
    """One outbox record and every record the router wrote about it."""


class RouterHooks(Protocol):
    def batch_written(self, decided: Sequence[Decided]) -> None:
        """A batch's records were all acknowledged by the broker."""


class AuditorHooks(Protocol):
    async def batch_committed(
        self,
        records: Sequence[JournalRecord | UnreadableRecord],
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        """A batch of journal records is in the store. Never raises."""

    def journal_read(self, consumer: Any, raw: Sequence[Any], *, applied: bool) -> None:
        """The journal consumer and the records (aiokafka `ConsumerRecord`s) of a batch that was
        `applied`, or refused by the store and about to be read again."""


class TrackerHooks(Protocol):
    def deliveries_swept(self, deliveries: Sequence[Delivery], now: datetime) -> None:
        """A sweep read these open deliveries at `now`."""

    def provisional_counted(self, count: int) -> None:
        """A sweep found `count` open deliveries with provisional deadlines."""


class _NoRouterMetrics:
    def batch_written(self, decided: Sequence[Decided]) -> None:
        pass


class _NoAuditorMetrics:
    async def batch_committed(
        self,
        records: Sequence[JournalRecord | UnreadableRecord],
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        pass

    def journal_read(self, consumer: Any, raw: Sequence[Any], *, applied: bool) -> None:
        pass


class _NoTrackerMetrics:
    def deliveries_swept(self, deliveries: Sequence[Delivery], now: datetime) -> None:
        pass

    def provisional_counted(self, count: int) -> None:
        pass


NO_ROUTER_METRICS: Final[RouterHooks] = _NoRouterMetrics()
NO_AUDITOR_METRICS: Final[AuditorHooks] = _NoAuditorMetrics()
NO_TRACKER_METRICS: Final[TrackerHooks] = _NoTrackerMetrics()
