"""Answering delivered requests once, now or later: the department side of every reply.

Used by every department connector (tax, market supervision …), each on its own database.

Each handled request is a row of the unit's database (`handled_requests_table`), written in the
same transaction as the request's effect (a freeze registered, claims recorded). When the same
request comes again (redelivered under the same id, or the handler run again after a crash before
the SDK recorded it), the row is found and the stored reply is sent again instead of acting twice.
A reply's event id is derived from the request's, so a reply queued twice is still one event for
the outbox and for the hub.

A reply normally leaves with the handler, in the SDK's transaction together with the receipt. It
is deferred when the unit takes its time (`answer_delay_s`) or, for every `late_every`-th answer,
until past its deadline (`late_by_s` after `hubreplyby`), so that demo traffic shows overdue items.
The handled row then keeps the delivered copy's envelope too, and a background task composes the
reply from it when it is due (`Connector.compose_reply`) and queues it in the connector's outbox
file with `Outbox.add`; the inbox is not held up meanwhile. A reply still waiting when the process
stops is picked up from its row by the next `start`, so a deferred reply is late, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    MetaData,
    String,
    Table,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.types import TypeDecorator

from connectors.sdk.dispatch import describe
from connectors.sdk.outgoing import china_now
from schemas.catalogue import CATALOGUE
from schemas.envelope import Envelope

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from sqlalchemy import ColumnElement
    from sqlalchemy.engine import Row
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, DeliveredEvent, OutboxRecord
    from schemas.common import Payload

log = logging.getLogger(__name__)

_REPLY_IDS: Final = uuid.UUID("6b1f6f3e-2f4b-5d0e-9a57-52c0f1d1e8a4")
"""Namespace of the reply ids derived from request ids (UUID 5)."""
_OUTBOX_BUSY_TIMEOUT_S: Final = 10.0


class AwareDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in and out; SQLite keeps no offset, so UTC is stored and implied."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("only times with a UTC offset are stored")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ReplyState(StrEnum):
    QUEUED = "queued"
    """Handed to the connector: with the handler, or by the background task when it was due."""
    DEFERRED = "deferred"
    """Waiting until `reply_after` (in this process, or for the next start)."""
    LOST = "lost"
    """Deferred without the delivered envelope to answer from (a row of an older version)."""


def department_metadata() -> MetaData:
    """The MetaData of a department's database, with constraint names that stay the same on
    SQLite and PostgreSQL."""
    return MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def one_of(column: str, values: Iterable[object]) -> str:
    """A CHECK constraint's text: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


def handled_requests_table(metadata: MetaData) -> Table:
    """The requests a unit has handled, by (source, event id), with the reply it gave."""
    return Table(
        "handled_requests",
        metadata,
        Column("source", String(96), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(128), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("handled_at", AwareDateTime(), nullable=False),
        Column("reply_type", String(128)),
        Column("reply_id", String(64)),
        Column("reply", JSON(none_as_null=True)),
        Column("reply_state", String(16)),
        Column("reply_after", AwareDateTime()),
        Column("replied_at", AwareDateTime()),
        Column("delivered", JSON(none_as_null=True)),
        # The copy as the hub delivered it, kept while a deferred reply waits: the reply echoes
        # its `hubdelivery` token, so it can be composed after a restart.
        CheckConstraint(
            "(reply_type IS NULL) = (reply_id IS NULL) AND (reply_id IS NULL) = (reply IS NULL)"
            " AND (reply_id IS NULL) = (reply_state IS NULL)",
            name="reply_complete",
        ),
        CheckConstraint(
            f"reply_state IN ({', '.join(repr(str(state)) for state in ReplyState)})",
            name="reply_state_known",
        ),
    )


def reply_time(
    answer_no: int,
    now: dt.datetime,
    reply_by: dt.datetime | None,
    *,
    late_every: int,
    late_by: dt.timedelta,
    delay: dt.timedelta,
) -> dt.datetime | None:
    """When the `answer_no`-th reply (from 1) goes out: None for at once; `late_by` past its
    deadline when it is a late one (every `late_every`-th, if it has a deadline); `delay` from
    now otherwise."""
    if late_every and answer_no % late_every == 0 and reply_by is not None:
        return max(now, reply_by) + late_by
    if delay:
        return now + delay
    return None


def reply_id_for(unit: str, event: DeliveredEvent[Any], reply_type: str) -> str:
    """The id of `unit`'s `reply_type` answer to `event`: the same every time it is built."""
    return str(uuid.uuid5(_REPLY_IDS, f"{unit} {event.envelope.source} {event.id} {reply_type}"))


class AnswerDesk:
    """Handles each delivered request once (see the module docstring) and sends its reply.

    `handled` is the unit's `handled_requests_table`. `late_every` = N > 0 defers every N-th
    reply to `late_by_s` seconds after its deadline; `answer_delay_s` > 0 defers every other reply
    by that long.
    """

    def __init__(
        self,
        connector: Connector,
        engine: AsyncEngine,
        handled: Table,
        *,
        answer_delay_s: float = 0.0,
        late_every: int = 0,
        late_by_s: float = 30.0,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        if answer_delay_s < 0 or late_every < 0 or late_by_s <= 0:
            raise ValueError("answer_delay_s and late_every must be >= 0, late_by_s > 0")
        self.connector = connector
        self.engine = engine
        self.clock = clock
        self._handled = handled
        self._answer_delay = dt.timedelta(seconds=answer_delay_s)
        self._late_every = late_every
        self._late_by = dt.timedelta(seconds=late_by_s)
        self._answers = 0
        self._waiting: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        """Wait again for the deferred replies an earlier run left unsent."""
        table = self._handled
        earlier = and_(
            table.c.reply_state == ReplyState.DEFERRED, table.c.reply_id.not_in(self._waiting)
        )
        async with self.engine.begin() as connection:
            rows = (await connection.execute(select(table).where(earlier))).all()
            unanswerable = [row for row in rows if row.delivered is None]
            for row in unanswerable:
                await connection.execute(
                    update(table)
                    .where(table.c.source == row.source, table.c.event_id == row.event_id)
                    .values(reply_state=ReplyState.LOST)
                )
        if unanswerable:
            log.warning(
                "%d deferred replies of an earlier run cannot be composed; the hub reports them",
                len(unanswerable),
            )
        for row in rows:
            reply = _stored_reply(row)
            if row.delivered is not None and reply is not None:
                envelope = Envelope.model_validate(row.delivered)
                self._wait(envelope, reply, row.reply_id, row.reply_after)

    async def stop(self) -> None:
        """Cancel the replies still waiting (their rows stay `deferred` until the next start)."""
        waiting, self._waiting = list(self._waiting.values()), {}
        for task in waiting:
            task.cancel()
        for task in waiting:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if waiting:
            log.warning("%d deferred replies were not sent before stopping", len(waiting))

    @property
    def waiting(self) -> int:
        """How many deferred replies this process still holds."""
        return len(self._waiting)

    async def answer(
        self,
        event: DeliveredEvent[Any],
        work: Callable[[AsyncConnection], Awaitable[Payload | None]],
    ) -> str | None:
        """Run `work` once for `event`, in one transaction with the handled row, and reply with
        what it returns (None: no reply is owed or possible). The reply's id, if any."""
        async with self.engine.begin() as connection:
            row = await self._handled_row(connection, event)
            if row is None:
                reply = await work(connection)
                after = self._reply_after(event) if reply is not None else None
                await self._record(connection, event, reply, after)
            else:
                reply, after = _stored_reply(row), row.reply_after
                if (
                    reply is not None
                    and row.reply_state != ReplyState.QUEUED
                    and _due(after, self.clock())
                ):
                    await self._mark_queued(connection, event.envelope.source, event.id)
        if reply is None:
            return None
        reply_id = reply_id_for(self.connector.unit, event, reply.event_type)
        if after is None or _due(after, self.clock()):
            await event.reply(reply, event_id=reply_id)
        else:
            self._wait(event.envelope, reply, reply_id, after)
        return reply_id

    def _wait(self, delivered: Envelope, reply: Payload, reply_id: str, after: dt.datetime) -> None:
        if reply_id in self._waiting:
            return
        task = asyncio.create_task(
            self._reply_later(delivered, reply, reply_id, after), name=f"reply-{reply_id}"
        )
        self._waiting[reply_id] = task
        task.add_done_callback(lambda _: self._waiting.pop(reply_id, None))

    def _reply_after(self, event: DeliveredEvent[Any]) -> dt.datetime | None:
        self._answers += 1
        return reply_time(
            self._answers,
            self.clock(),
            event.reply_by,
            late_every=self._late_every,
            late_by=self._late_by,
            delay=self._answer_delay,
        )

    def _key(self, event: DeliveredEvent[Any]) -> ColumnElement[bool]:
        table = self._handled
        return and_(table.c.source == event.envelope.source, table.c.event_id == event.id)

    async def _handled_row(
        self, connection: AsyncConnection, event: DeliveredEvent[Any]
    ) -> Row[Any] | None:
        return (await connection.execute(select(self._handled).where(self._key(event)))).first()

    async def _record(
        self,
        connection: AsyncConnection,
        event: DeliveredEvent[Any],
        reply: Payload | None,
        after: dt.datetime | None,
    ) -> None:
        now = self.clock()
        values: dict[str, Any] = {
            "source": event.envelope.source,
            "event_id": event.id,
            "event_type": event.type,
            "subject": event.subject,
            "handled_at": now,
        }
        if reply is not None:
            values |= {
                "reply_type": reply.event_type,
                "reply_id": reply_id_for(self.connector.unit, event, reply.event_type),
                "reply": reply.model_dump(mode="json", exclude_none=True),
                "reply_state": ReplyState.DEFERRED if after else ReplyState.QUEUED,
                "reply_after": after,
                "replied_at": None if after else now,
                "delivered": dict(event.raw) if after else None,
            }
        await connection.execute(insert(self._handled).values(**values))

    async def _reply_later(
        self, delivered: Envelope, reply: Payload, reply_id: str, after: dt.datetime
    ) -> None:
        await asyncio.sleep(max(0.0, (after - self.clock()).total_seconds()))
        try:
            record = self.connector.compose_reply(delivered, reply, event_id=reply_id)
            await asyncio.to_thread(self._queue, record)
            self.connector.outbox.notify()
            async with self.engine.begin() as connection:
                await self._mark_queued(connection, delivered.source, delivered.id)
        except Exception as error:
            log.error(  # noqa: TRY400 - the reason is the message; no stack needed
                "deferred reply %s to %s not sent: %s", reply_id, delivered.id, describe(error)
            )

    async def _mark_queued(self, connection: AsyncConnection, source: str, event_id: str) -> None:
        table = self._handled
        await connection.execute(
            update(table)
            .where(table.c.source == source, table.c.event_id == event_id)
            .values(reply_state=ReplyState.QUEUED, replied_at=self.clock(), delivered=None)
        )

    def _queue(self, record: OutboxRecord) -> None:
        # The outbox lives in the connector's own SQLite file; `Outbox.add` leaves the commit to
        # this connection, and the relay picks the row up.
        path = self.connector.outbox.path
        with contextlib.closing(sqlite3.connect(path, timeout=_OUTBOX_BUSY_TIMEOUT_S)) as db, db:
            self.connector.outbox.add(record, connection=db)


def _due(after: dt.datetime | None, now: dt.datetime) -> bool:
    return after is None or after <= now


def _stored_reply(row: Row[Any]) -> Payload | None:
    if row.reply_type is None:
        return None
    return CATALOGUE[row.reply_type].validate_payload(row.reply)
