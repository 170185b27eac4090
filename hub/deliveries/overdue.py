"""Overdue notices (督办, docs/design.md §2, §5): which receipts and replies are late, and the
`hub.overdue.v1` events that tell the unit that owes them and the joint-meeting office.

One notice per delivery and stage: `due_notices` skips stages already marked overdue, and the
tracker marks a stage (`state.marked_overdue`) once its events are published. A crash between the
two sends them again with the same event ids, which connectors drop as duplicates. The events
returned here are unsigned; the publisher signs them with the hub's key and keys them by subject,
like every record of that case.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from hub.deliveries.state import DeliveryKey, Stage, due_time, stages_past_due
from hub.routing.deadlines import CHINA_TZ
from schemas.common import Purpose
from schemas.envelope import HUB_SOURCE
from schemas.hubevents import HubOverdue, OverdueStage

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hub.deliveries.state import Delivery

_NOTICE_IDS: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:fyhub:hub.overdue.v1")
"""Namespace of the ids of overdue events; changing it would make every notice look new."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OverdueNotice:
    """One stage of one delivery found late: the content of its `hub.overdue.v1` events."""

    key: DeliveryKey
    subject: str
    stage: Stage
    due: datetime
    overdue_by: timedelta


def due_notices(deliveries: Iterable[Delivery], now: datetime) -> list[OverdueNotice]:
    """A notice for each stage past due at `now` that was not marked overdue before."""
    return [
        _notice(d, stage, now)
        for d in deliveries
        for stage in stages_past_due(d, now)
        if stage not in d.overdue_stages
    ]


def overdue_event(
    notice: OverdueNotice, *, office_unit: str, now: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """The events to publish, as (addressee unit, envelope): one to the late unit, one to the
    office, or a single one when the late unit is the office itself."""
    data = HubOverdue(
        event_id=notice.key.event_id,
        recipient=notice.key.recipient,
        stage=OverdueStage(notice.stage.value),
        due=notice.due.astimezone(CHINA_TZ),
        overdue_by=notice.overdue_by,
    ).model_dump(mode="json")
    addressees = dict.fromkeys((notice.key.recipient, office_unit))
    return [(unit, _envelope(notice, unit, data, now)) for unit in addressees]


def notice_event_id(notice: OverdueNotice, addressee: str) -> str:
    """The same notice to the same addressee always gets the same id."""
    name = "\n".join([*notice.key, notice.stage.value, addressee])
    return str(uuid.uuid5(_NOTICE_IDS, name))


def _notice(d: Delivery, stage: Stage, now: datetime) -> OverdueNotice:
    due = due_time(d, stage)
    assert due is not None  # stages_past_due only yields stages with a due time
    late = math.ceil((now - due).total_seconds())
    return OverdueNotice(
        key=d.key, subject=d.subject, stage=stage, due=due, overdue_by=timedelta(seconds=late)
    )


def _envelope(
    notice: OverdueNotice, addressee: str, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": notice_event_id(notice, addressee),
        "source": HUB_SOURCE,
        "type": HubOverdue.event_type,
        "subject": notice.subject,
        "time": now.astimezone(CHINA_TZ).isoformat(),
        "purpose": Purpose.LINKAGE_SUPERVISION.value,
        "data": data,
    }
