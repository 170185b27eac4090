"""`WatchSweep`: the watches (布控/临控) still running, looked at again every `poll_s` seconds.

A watch is opened when the first answer leaves the request open (no trace yet, or a sighting).
Each sweep reads the registers again: a newer trace is reported (a sighting keeps the watch open,
a finding or seizure closes it), and on the watch's last day without a finding the police answers
`not_found`. The reply is composed from the copy as the hub delivered it and queued in the
connector's outbox under an id derived from the request, the outcome and the trace, so a sweep
repeated after a crash sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import uuid
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select, update

from connectors.police import answers, records
from connectors.police.store import watches
from connectors.sdk.dispatch import describe
from schemas.dates import CHINA_TIME
from schemas.envelope import Envelope
from schemas.police import LocateOutcome, LocateTarget, PoliceLocateRequested

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent, OutboxRecord
    from schemas.police import PoliceLocateAnswered

log = logging.getLogger(__name__)

_WATCH_REPLIES: Final = uuid.UUID("0c9b7d52-5e55-5d2e-b0b1-3c6f1f0a9e21")
"""Namespace of the ids of the replies a sweep sends (UUID 5)."""
_OUTBOX_BUSY_TIMEOUT_S: Final = 10.0


def watch_reply_id(unit: str, event_id: str, answer: PoliceLocateAnswered) -> str:
    seen = answer.seen_at.isoformat() if answer.seen_at else ""
    return str(uuid.uuid5(_WATCH_REPLIES, f"{unit}/{event_id}/{answer.outcome}/{seen}"))


async def open_watch(
    connection: AsyncConnection, event: DeliveredEvent[Any], answer: PoliceLocateAnswered | None
) -> None:
    """Keep `event`'s watch running when its first `answer` leaves it open."""
    if answer is not None and answer.outcome is not LocateOutcome.SIGHTED:
        return
    await connection.execute(
        insert(watches).values(
            source=event.envelope.source,
            event_id=event.id,
            request=event.payload.model_dump(mode="json", exclude_none=True),
            delivered=dict(event.raw),
            reported_until=None if answer is None else answer.seen_at,
            state="open",
        )
    )


async def _registers(
    connection: AsyncConnection, request: PoliceLocateRequested
) -> tuple[answers.Person | None, answers.VehicleRecord | None]:
    if request.target is LocateTarget.PERSON and request.person is not None:
        return await records.person(connection, request.person.id_no), None
    if request.vehicle is not None:
        return None, await records.vehicle(connection, request.vehicle.plate_no)
    return None, None


class WatchSweep:
    """Looks at the open watches of `engine` every `poll_s` seconds and answers through
    `connector`; `clock` gives the time (China)."""

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        *,
        poll_s: float,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.connector = connector
        self.engine = engine
        self.poll_s = poll_s
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="fyhub-police-watches")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as error:
                log.warning("watch sweep failed (%s); retrying", describe(error))
            await asyncio.sleep(self.poll_s)

    async def sweep(self) -> int:
        """Answer what the open watches have to report now; how many replies were queued."""
        sent = 0
        today = self.clock().astimezone(CHINA_TIME).date()
        async with self.engine.begin() as connection:
            rows = (
                await connection.execute(select(watches).where(watches.c.state == "open"))
            ).all()
            for row in rows:
                request = PoliceLocateRequested.model_validate(row.request)
                person, vehicle = await _registers(connection, request)
                answer = answers.watch_answer(request, person, vehicle, today, row.reported_until)
                if answer is None:
                    continue
                delivered = Envelope.model_validate(row.delivered)
                reply_id = watch_reply_id(self.connector.unit, row.event_id, answer)
                record = self.connector.compose_reply(delivered, answer, event_id=reply_id)
                await asyncio.to_thread(self._queue, record)
                await self._note(connection, row, answer, vehicle)
                sent += 1
        if sent:
            self.connector.outbox.notify()
        return sent

    async def _note(
        self,
        connection: AsyncConnection,
        row: Any,
        answer: PoliceLocateAnswered,
        vehicle: answers.VehicleRecord | None,
    ) -> None:
        done = answer.outcome is not LocateOutcome.SIGHTED
        values: dict[str, Any] = {"reported_until": answer.seen_at or row.reported_until}
        if done:
            values |= {"state": "closed", "closed_at": self.clock()}
        await connection.execute(
            update(watches)
            .where(watches.c.source == row.source, watches.c.event_id == row.event_id)
            .values(**values)
        )
        if answer.outcome is LocateOutcome.SEIZED and vehicle is not None:
            await records.mark_seized(connection, vehicle.plate_no)

    def _queue(self, record: OutboxRecord) -> None:
        path = self.connector.outbox.path
        with contextlib.closing(sqlite3.connect(path, timeout=_OUTBOX_BUSY_TIMEOUT_S)) as db, db:
            self.connector.outbox.add(record, connection=db)
