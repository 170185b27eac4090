"""The court's staff answer what the court received, and the export drainer sends the answer as a
reply to the delivered copy.

`answer_received_notice` checks the answer against the notice (`connectors.court.received`),
writes it to `received_notice_answers`, its export row and the notice's new state in one
transaction. The drainer sees the export's type is a reply (`is_reply`) and, instead of
publishing a new event, composes the reply from the delivered envelope kept in the notice's row
(`Connector.compose_reply`, echoing the hub's delivery token) and queues it in the connector's
outbox under the export's event id, so a reply queued twice is one event.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from typing import TYPE_CHECKING, Final

from sqlalchemy import insert, select, update

from connectors.court.received import REPLY_TYPE_NAMES, check_answer, reference_of
from connectors.court.store import (
    now,
    queue_export,
    received_notice_answers,
    received_notices,
)
from schemas.catalogue import CATALOGUE
from schemas.envelope import Envelope

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector, OutboxRecord
    from schemas.common import Payload

_OUTBOX_BUSY_TIMEOUT_S: Final = 10.0


class UnknownNoticeError(LookupError):
    """No notice with that event id was received."""


def is_reply(event_type: str) -> bool:
    """Whether an export of `event_type` is the court's answer to a notice it received."""
    return event_type in REPLY_TYPE_NAMES


async def answer_received_notice(engine: AsyncEngine, notice_event_id: str, answer: Payload) -> str:
    """Record the court's `answer` to the notice delivered as `notice_event_id` and queue its
    export; the id of the event that will carry it. Raises `UnknownNoticeError`, or
    `AnswerRefusedError` when the answer does not fit the notice."""
    async with engine.begin() as connection:
        notice = (
            (
                await connection.execute(
                    select(received_notices).where(received_notices.c.event_id == notice_event_id)
                )
            )
            .mappings()
            .first()
        )
        if notice is None:
            raise UnknownNoticeError(f"no notice {notice_event_id} was received")
        state = check_answer(dict(notice), answer)
        event_id = str(uuid.uuid4())
        result = await connection.execute(
            insert(received_notice_answers).values(
                notice_event_id=notice_event_id,
                event_id=event_id,
                type=answer.event_type,
                reference=reference_of(answer),
                payload=answer.model_dump(mode="json", exclude_none=True),
                created_at=now(),
            )
        )
        (row_id,) = result.inserted_primary_key or (None,)
        await queue_export(
            connection, answer.event_type, row_id, notice["sender"], event_id=event_id
        )
        await connection.execute(
            update(received_notices)
            .where(received_notices.c.event_id == notice_event_id)
            .values(state=state.value, answered_at=now())
        )
    return event_id


async def load_reply(connection: AsyncConnection, ref_id: int) -> tuple[Envelope, Payload]:
    """The delivered envelope an answer replies to and the answer, for answer row `ref_id`."""
    statement = (
        select(received_notice_answers.c.type, received_notice_answers.c.payload)
        .add_columns(received_notices.c.delivered)
        .join(received_notices)
        .where(received_notice_answers.c.id == ref_id)
    )
    row = (await connection.execute(statement)).mappings().first()
    if row is None:
        raise LookupError(f"received_notice_answers has no row {ref_id}")
    payload = CATALOGUE[row["type"]].validate_payload(row["payload"])
    return Envelope.model_validate(row["delivered"]), payload


def queue_reply(connector: Connector, record: OutboxRecord) -> None:
    """Queue a composed reply in the connector's outbox file (blocking: run it in a thread); an
    event id already there is left as it was."""
    path = connector.outbox.path
    with contextlib.closing(sqlite3.connect(path, timeout=_OUTBOX_BUSY_TIMEOUT_S)) as db, db:
        connector.outbox.add(record, connection=db)
    connector.outbox.notify()
