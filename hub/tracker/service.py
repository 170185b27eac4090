"""The tracker service: a periodic sweep over the open deliveries (docs/design.md §2, §7).

One sweep at time `now`:

1. read every delivery that still owes something (`hub.tracker.store.open_deliveries`);
2. ask the pure rules what is due: `due_notices` (one per delivery and stage not yet marked
   overdue) and `next_actions` (redeliver an unreceipted copy, or escalate);
3. publish each job's records (`hub.tracker.work`) with the `acks=all` producer and wait for
   the broker to acknowledge them;
4. in one transaction, mark the deliveries whose records were all acknowledged and append one
   audit fact per mark. A job whose records failed is not marked, so the next sweep does it again.

Crash window: between 3 and 4 the records are in Kafka but the marks are not in the store. The
next sweep publishes them again. An overdue notice keeps its id (derived from the delivery, the
stage and the addressee), so connectors drop the second one as a duplicate; it differs only in
`time` and `overdue_by`. A redelivered copy is the same event id again, which connectors
deduplicate too; its attempt is counted once, when it is recorded. Notices are therefore sent
at least once per delivery, stage and addressee, and recorded exactly once.

Run one tracker per store: two would each redeliver the same copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.deliveries.overdue import OverdueNotice, due_notices
from hub.deliveries.redelivery import Escalate, Redeliver, next_actions
from hub.kafka.publish import publish_all
from hub.observability.hooks import NO_TRACKER_METRICS
from hub.tracker.store import (
    open_deliveries,
    provisional_open_count,
    record_actions,
    stored_copy,
)
from hub.tracker.work import Job, notice_job, redelivery_job

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import timedelta

    from faststream.kafka import KafkaBroker
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from hub.deliveries.redelivery import RedeliveryPolicy
    from hub.deliveries.state import Delivery
    from hub.observability.hooks import TrackerHooks
    from hub.router.context import RouterContext
    from hub.tracker.work import Action

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep recorded; `failed` jobs were not acknowledged and are tried again."""

    overdue: tuple[OverdueNotice, ...] = ()
    redelivered: tuple[Redeliver, ...] = ()
    escalated: tuple[Escalate, ...] = ()
    failed: int = 0


@dataclass(frozen=True)
class TrackerStore:
    """The store's engines: the sweep reads the open deliveries through `reader` (a read-only
    engine; `writer` itself when None) and records what it did through `writer`. On SQLite a
    writer's transaction takes the write lock at BEGIN, and a sweep that read under it would hold
    the auditor off for as long as it takes to build and publish its notices."""

    writer: AsyncEngine
    reader: AsyncEngine | None = None

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not None:
            await self.reader.dispose()


class Tracker:
    """Owns the broker and the store it is given: `start` connects, `stop` closes both."""

    def __init__(
        self,
        *,
        broker: KafkaBroker,
        store: TrackerStore,
        ctx: RouterContext,
        policy: RedeliveryPolicy,
        interval: timedelta,
        clock: Callable[[], datetime] = utc_now,
        metrics: TrackerHooks = NO_TRACKER_METRICS,
    ) -> None:
        self._broker = broker
        self._store = store
        self._sessions = async_sessionmaker(store.writer, expire_on_commit=False)
        self._reads = async_sessionmaker(store.reader or store.writer, expire_on_commit=False)
        self._ctx = ctx
        self._office = ctx.registry.office.code
        self._policy = policy
        self._interval = interval
        self._clock = clock
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect the producer and sweep now and every `interval` after, until `stop`."""
        await self._broker.connect()
        self._task = asyncio.create_task(self._sweep_periodically(), name="fyhub-tracker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._broker.stop()
        await self._store.dispose()

    async def sweep(self, now: datetime) -> SweepReport:
        """One pass over the open deliveries at `now`; the broker must be connected."""
        async with self._reads() as session:
            deliveries = await open_deliveries(session)
            self._metrics.deliveries_swept(deliveries, now)
            self._metrics.provisional_counted(await provisional_open_count(session))
            jobs = await self._jobs(session, deliveries, now)
        if not jobs:
            return SweepReport()
        acknowledged = await self._publish(jobs)
        async with self._sessions() as session, session.begin():
            recorded = await record_actions(
                session, acknowledged, office_unit=self._office, now=now
            )
        return SweepReport(
            overdue=tuple(a for a in recorded if isinstance(a, OverdueNotice)),
            redelivered=tuple(a for a in recorded if isinstance(a, Redeliver)),
            escalated=tuple(a for a in recorded if isinstance(a, Escalate)),
            failed=len(jobs) - len(acknowledged),
        )

    async def _jobs(
        self, session: AsyncSession, deliveries: Sequence[Delivery], now: datetime
    ) -> list[Job]:
        jobs = [
            notice_job(notice, office_unit=self._office, now=now, ctx=self._ctx)
            for notice in due_notices(deliveries, now)
        ]
        for action in next_actions(deliveries, now, self._policy):
            if isinstance(action, Escalate):
                jobs.append(Job(action))
                continue
            copy = await stored_copy(session, action.key)
            if copy is None:
                log.error("cannot rebuild the copy of %s for %s", *action.key[1:])
                continue
            jobs.append(redelivery_job(action, copy, self._ctx))
        return jobs

    async def _publish(self, jobs: Sequence[Job]) -> list[Action]:
        """The actions of the jobs whose records the broker acknowledged, all of them."""
        results = await asyncio.gather(
            *(publish_all(self._broker, job.records) for job in jobs), return_exceptions=True
        )
        acknowledged = []
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                log.warning(
                    "%s for %s to %s not acknowledged (%s); trying again next sweep",
                    type(job.action).__name__,
                    job.key.event_id,
                    job.key.recipient,
                    result,
                )
            else:
                acknowledged.append(job.action)
        return acknowledged

    async def _sweep_periodically(self) -> None:
        while True:
            try:
                report = await self.sweep(self._clock())
            except Exception:
                log.exception("tracker sweep failed; trying again in %s", self._interval)
            else:
                _log_report(report)
            await asyncio.sleep(self._interval.total_seconds())


def _log_report(report: SweepReport) -> None:
    if report == SweepReport():
        return
    log.info(
        "tracker sweep: %d overdue marked, %d redelivered, %d escalated, %d failed",
        len(report.overdue),
        len(report.redelivered),
        len(report.escalated),
        report.failed,
    )
