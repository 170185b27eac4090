"""The tracker's measure-expiry watch (docs/design.md, tracker): each sweep reads the seals and
freezes in force from the store (`measures`, kept by the auditor), asks `hub.measures.reminders`
which are due their reminder, and for each publishes an `enforcement.control.expiring.v1` to
the court that imposed it, then journals `measure.reminded` once the broker has it. The auditor
records the end reminded of; until the store shows it, the reminder is pending here, so the
sweeps in between do not send it again.

Crash window, as for the overdue notices (`hub.tracker.service`): a tracker that stops between
the reminder and its entry, or before the auditor applied the entry, sends it again when it
restarts, with the same event id (derived from the measure and the end): the court's connector
drops the second one as a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.journal.entries import MeasureReminded
from hub.journal.seal import journal_record
from hub.kafka.records import Outbound, case_key
from hub.measures.book import IMPOSING, MeasureState, measure_from_row
from hub.measures.reminders import reminders_due
from hub.router.proof import seal_batch
from hub.routing.deadlines import CHINA_TZ
from hub.store.tables import MeasureRow
from schemas.common import Purpose
from schemas.envelope import HUB_SOURCE
from schemas.hub_proof import copy_bytes
from schemas.hubevents import EnforcementControlExpiring
from schemas.units import JOURNAL_TOPIC, inbox_topic

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.calendar import WorkingCalendar
    from hub.journal.seal import HubSigner
    from hub.measures.book import Measure
    from hub.measures.reminders import Reminder

_measures = MeasureRow.__table__.c


async def measures_in_force(
    session: AsyncSession, *, ending_from: date, ending_by: date
) -> list[Measure]:
    """The seals and freezes in force that end from `ending_from` to `ending_by`, as the store
    has them (the state and end index serves it)."""
    query = select(*MeasureRow.__table__.columns).where(
        _measures.state == MeasureState.IN_FORCE.value,
        _measures.ends_on.between(ending_from, ending_by),
        _measures.action.in_([action.value for action in IMPOSING]),
    )
    return [measure_from_row(row) for row in (await session.execute(query)).mappings()]


def ends_to_look_at(now: datetime, lead: int, calendar: WorkingCalendar) -> tuple[date, date]:
    """The ends a sweep at `now` may have to remind of: from today (China's date) to a working
    day past the notice period, a bound the reminder days (`reminders_due`) then narrow."""
    today = now.astimezone(CHINA_TZ).date()
    return today, calendar.add_working_days(today, lead + 1)


@dataclass(frozen=True, slots=True)
class ReminderJob:
    """The reminder for the court first, then `journal`, its `measure.reminded` entry."""

    reminder: Reminder
    record: Outbound
    journal: Outbound


def reminder_job(
    reminder: Reminder, *, now: datetime, signer: HubSigner, topic: str = JOURNAL_TOPIC
) -> ReminderJob:
    measure = reminder.measure
    key = case_key(measure.case_no, measure.event_id)
    envelope = expiring_event(reminder, now=now)
    [record] = seal_batch(
        [Outbound(inbox_topic(measure.court), key, copy_bytes(envelope), awaits_hub_proof=True)],
        signer,
    )
    entry = MeasureReminded(
        at=now,
        event_source=measure.event_source,
        event_id=measure.event_id,
        court=measure.court,
        end=reminder.end,
        days_left=reminder.days_left,
        notice=reminder.notice_id,
    )
    return ReminderJob(reminder, record, journal_record(entry, key, signer, topic=topic))


def expiring_event(reminder: Reminder, *, now: datetime) -> dict[str, Any]:
    measure = reminder.measure
    data = EnforcementControlExpiring(
        event_id=measure.event_id,
        request_no=measure.request_no,
        case_no=measure.case_no,
        unit=measure.unit,
        action=measure.action,
        asset_kind=measure.asset_kind,
        end=reminder.end,
        days_left=reminder.days_left,
    ).model_dump(mode="json")
    return {
        "specversion": "1.0",
        "id": reminder.notice_id,
        "source": HUB_SOURCE,
        "type": EnforcementControlExpiring.event_type,
        "subject": measure.case_no,
        "time": now.astimezone(CHINA_TZ).isoformat(),
        "purpose": Purpose.ENFORCEMENT.value,
        "data": data,
    }


class PendingReminders:
    """The reminders journalled that the store did not show at the last look, by (measure
    event id, end)."""

    def __init__(self) -> None:
        self._sent: set[tuple[str, date]] = set()

    def __len__(self) -> int:
        return len(self._sent)

    def __contains__(self, key: object) -> bool:
        return key in self._sent

    def add(self, keys: Iterable[tuple[str, date]]) -> None:
        self._sent.update(keys)

    def over(self, in_force: Iterable[Measure]) -> None:
        """Keep only the reminders the store does not show yet on a measure still in force."""
        still = {
            (m.event_id, m.end)
            for m in in_force
            if m.end is not None and m.reminded_for_end != m.end
        }
        self._sent &= still


def due_reminders(
    in_force: list[Measure],
    now: datetime,
    *,
    lead_working_days: int,
    calendar: WorkingCalendar,
    pending: PendingReminders,
) -> list[Reminder]:
    """The reminders to send at `now` (China's date), the pending ones left out."""
    pending.over(in_force)
    today = now.astimezone(CHINA_TZ).date()
    return reminders_due(in_force, today, lead_working_days, calendar, pending=pending)
