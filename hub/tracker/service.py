"""The tracker service: a periodic sweep over the open deliveries (docs/design.md §2, §7).

One sweep at time `now`:

1. read the deliveries that still owe something, a page at a time, streamed from one query
   (`hub.tracker.store.open_delivery_pages`, through a read-only engine: the tracker never
   writes the store), with the marks it journalled that the store does not show yet on top
   (`hub.tracker.pending`); steps 2 and 3 are done for each page before the next is read;
2. ask the pure rules what is due: `due_notices` (one per delivery and stage not yet marked
   overdue) and `next_actions` (redeliver an unreceipted copy, or escalate);
3. for each job (`hub.tracker.work`), write its records for the units with the hub's `acks=all`
   idempotent writer (`hub.kafka.writer.RecordWriter`, which replaces its producer after a
   failed write, so that a lost record never leaves the next ones refused as out of sequence)
   and wait for the broker to acknowledge them, then journal its entry
   (`delivery.overdue`, `delivery.redelivered`) and wait again. Escalations are journalled last,
   after the overdue marks they follow, and only when they mark something. The auditor applies
   the entries to the store, the only writer of it; a replay of the journal restores them.

A job whose records were not all acknowledged is not journalled, so the next sweep does it again.
An entry journalled is remembered as pending until the store shows it, so the sweeps in between
do not send it again.

Crash window: a tracker that stops between its records and its entry, or after its entry but
before the auditor applied it (the pending marks are memory only), publishes them again when it
restarts. An overdue notice keeps its id (derived from the delivery, the stage and the addressee),
so connectors drop the second one as a duplicate; it differs only in `time` and `overdue_by`. A
redelivered copy is the same event id again, which connectors deduplicate too; the auditor counts
its attempt once. Notices are therefore sent at least once per delivery, stage and addressee,
and recorded exactly once.

Run one tracker per store: two would each redeliver the same copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.deliveries.overdue import OverdueNotice, due_notices
from hub.deliveries.redelivery import Escalate, Redeliver, next_actions
from hub.journal.marks import mark_changes
from hub.observability.hooks import NO_TRACKER_METRICS
from hub.observability.outcomes import overdue_counts
from hub.tracker.measures import (
    PendingReminders,
    ReminderJob,
    due_reminders,
    ends_to_look_at,
    measures_in_force,
    reminder_job,
)
from hub.tracker.pending import PendingMarks
from hub.tracker.store import open_delivery_pages, provisional_open_count, stored_copy
from hub.tracker.work import Job, escalation_job, notice_job, redelivery_job

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import timedelta

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from hub.deliveries.redelivery import RedeliveryPolicy
    from hub.deliveries.state import Delivery, DeliveryKey
    from hub.kafka.records import Outbound
    from hub.measures.reminders import Reminder
    from hub.observability.hooks import TrackerHooks
    from hub.router.context import RouterContext

log = logging.getLogger(__name__)

SWEEP_PAGE = 1_000
"""Open deliveries read, judged and journalled at a time by a sweep."""


class RecordWrites(Protocol):
    """What the tracker writes with (`hub.kafka.writer.RecordWriter`)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def write_all(self, records: Sequence[Outbound]) -> None:
        """Return once the broker acknowledged every record; raise if any failed."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep journalled; `failed` jobs were not acknowledged and are tried again."""

    overdue: tuple[OverdueNotice, ...] = ()
    redelivered: tuple[Redeliver, ...] = ()
    escalated: tuple[Escalate, ...] = ()
    failed: int = 0
    reminded: tuple[Reminder, ...] = ()
    """Courts reminded that a seal or freeze lapses soon (`hub.tracker.measures`)."""


class Tracker:
    """Owns the writer and the store engine it is given (`store`, read-only: the sweep's
    queries): `start` connects, `stop` closes both."""

    def __init__(  # noqa: PLR0913 - keyword-only options
        self,
        *,
        writer: RecordWrites,
        store: AsyncEngine,
        ctx: RouterContext,
        policy: RedeliveryPolicy,
        interval: timedelta,
        clock: Callable[[], datetime] = utc_now,
        metrics: TrackerHooks = NO_TRACKER_METRICS,
        page_size: int = SWEEP_PAGE,
        measure_reminder_working_days: int | None = None,
    ) -> None:
        self._writer = writer
        self._store = store
        self._reads = async_sessionmaker(store, expire_on_commit=False)
        self._ctx = ctx
        self._office = ctx.registry.office.code
        self._policy = policy
        self._interval = interval
        self._clock = clock
        self._metrics = metrics
        self._page_size = page_size
        self._pending = PendingMarks()
        self._reminder_lead = measure_reminder_working_days
        """None: no measure-expiry watch (a tracker built without it)."""
        self._reminders = PendingReminders()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect the producer and sweep now and every `interval` after, until `stop`."""
        await self._writer.start()
        self._task = asyncio.create_task(self._sweep_periodically(), name="fyhub-tracker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._writer.stop()
        await self._store.dispose()

    async def sweep(self, now: datetime) -> SweepReport:
        """One pass over the open deliveries at `now`, a page of `page_size` at a time (each
        page read, judged and journalled before the next is read: memory stays one page's,
        whatever the backlog); the writer must be started."""
        report = SweepReport()
        overdue: Counter[tuple[str, str]] = Counter()
        # The deliveries with pending marks that are still open: bounded by the pending marks,
        # not by the backlog. The others' marks are forgotten once every page has been seen.
        still_pending: set[DeliveryKey] = set()
        async with self._reads() as session:
            async for stored in open_delivery_pages(session, size=self._page_size):
                deliveries = self._pending.over_page(stored)
                overdue.update(overdue_counts(deliveries, now))
                jobs = await self._jobs(session, deliveries, now)
                if jobs:
                    report = _merged(report, await self._journal_page(jobs, stored))
                still_pending.update(d.key for d in stored if d.key in self._pending)
        self._pending.forget_all_but(still_pending)
        self._metrics.deliveries_swept(overdue)
        async with self._reads() as session:
            self._metrics.provisional_counted(await provisional_open_count(session))
        if self._reminder_lead is not None:
            report = _merged(report, await self._remind(now, self._reminder_lead))
        return report

    async def _remind(self, now: datetime, lead: int) -> SweepReport:
        """The reminders due at `now`, each published to its court, then journalled."""
        first, last = ends_to_look_at(now, lead, self._ctx.calendar)
        async with self._reads() as session:
            in_force = await measures_in_force(session, ending_from=first, ending_by=last)
        due = due_reminders(
            in_force,
            now,
            lead_working_days=lead,
            calendar=self._ctx.calendar,
            pending=self._reminders,
        )
        jobs = [reminder_job(r, now=now, signer=self._ctx.signer) for r in due]
        results = await asyncio.gather(*(self._send(job) for job in jobs), return_exceptions=True)
        sent = []
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                log.warning(
                    "reminder for measure %s not acknowledged (%s); trying again next sweep",
                    job.reminder.measure.event_id,
                    result,
                )
            else:
                sent.append(job.reminder)
        self._reminders.add(r.key for r in sent)
        return SweepReport(reminded=tuple(sent), failed=len(jobs) - len(sent))

    async def _send(self, job: ReminderJob) -> None:
        await self._writer.write_all([job.record])
        await self._writer.write_all([job.journal])

    async def _journal_page(self, jobs: Sequence[Job], stored: Sequence[Delivery]) -> SweepReport:
        first = [job for job in jobs if not isinstance(job.action, Escalate)]
        journalled, failed = await self._journal(first)
        # Escalations after the overdue marks of this sweep, and only those that mark something
        # on the delivery as the auditor will then have it (its receipt marked overdue). A
        # delivery's jobs all come from the page it is on.
        by_key = {d.key: d for d in stored}
        escalations = [
            job
            for job in jobs
            if isinstance(job.action, Escalate)
            and mark_changes(self._pending.on(by_key[job.key]), job.mark) is not None
        ]
        escalated, failed_escalations = await self._journal(escalations)
        actions = [job.action for job in journalled + escalated]
        return SweepReport(
            overdue=tuple(a for a in actions if isinstance(a, OverdueNotice)),
            redelivered=tuple(a for a in actions if isinstance(a, Redeliver)),
            escalated=tuple(a for a in actions if isinstance(a, Escalate)),
            failed=failed + failed_escalations,
        )

    async def _jobs(
        self, session: AsyncSession, deliveries: Sequence[Delivery], now: datetime
    ) -> list[Job]:
        jobs = [
            notice_job(notice, office_unit=self._office, now=now, ctx=self._ctx)
            for notice in due_notices(deliveries, now)
        ]
        subjects = {d.key: d.subject for d in deliveries}
        for action in next_actions(deliveries, now, self._policy):
            subject = subjects[action.key]
            if isinstance(action, Escalate):
                jobs.append(
                    escalation_job(
                        action,
                        subject=subject,
                        office_unit=self._office,
                        now=now,
                        signer=self._ctx.signer,
                    )
                )
                continue
            copy = await stored_copy(session, action.key)
            if copy is None:
                log.error("cannot rebuild the copy of %s for %s", *action.key[1:])
                continue
            jobs.append(redelivery_job(action, copy, self._ctx, subject=subject, now=now))
        return jobs

    async def _journal(self, jobs: Sequence[Job]) -> tuple[list[Job], int]:
        """Publish each job's records, then its entry; the jobs whose entry the broker
        acknowledged (now pending), and how many failed."""
        results = await asyncio.gather(
            *(self._publish(job) for job in jobs), return_exceptions=True
        )
        journalled = []
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
                journalled.append(job)
        self._pending.add(job.mark for job in journalled)
        return journalled, len(jobs) - len(journalled)

    async def _publish(self, job: Job) -> None:
        # The entry only once the units' records are in: a mark journalled for a notice that
        # was never sent would keep it from ever being sent.
        await self._writer.write_all(job.records)
        await self._writer.write_all([job.journal])

    async def _sweep_periodically(self) -> None:
        while True:
            try:
                report = await self.sweep(self._clock())
            except Exception:
                log.exception("tracker sweep failed; trying again in %s", self._interval)
            else:
                _log_report(report)
                self._metrics.jobs_written(
                    {
                        "overdue": len(report.overdue),
                        "redelivered": len(report.redelivered),
                        "escalated": len(report.escalated),
                        "reminded": len(report.reminded),
                    },
                    report.failed,
                )
            await asyncio.sleep(self._interval.total_seconds())


def _merged(earlier: SweepReport, later: SweepReport) -> SweepReport:
    return SweepReport(
        overdue=earlier.overdue + later.overdue,
        redelivered=earlier.redelivered + later.redelivered,
        escalated=earlier.escalated + later.escalated,
        failed=earlier.failed + later.failed,
        reminded=earlier.reminded + later.reminded,
    )


def _log_report(report: SweepReport) -> None:
    if report == SweepReport():
        return
    log.info(
        "tracker sweep: %d overdue marked, %d redelivered, %d escalated, %d measures reminded, "
        "%d failed",
        len(report.overdue),
        len(report.redelivered),
        len(report.escalated),
        len(report.reminded),
        report.failed,
    )
