"""Draining the court's export table into the SDK's outbox.

    exports (pending, by id) ─► load the rows it names ─► build the payload ─► connector.publish
                                                                   (event id fixed by the row)
                              ◄─ mark exported ◄──────────────────────────┘

`publish` returns once the event is in the SDK's durable outbox; only then is the export row
marked exported. A crash in between leaves the row pending, and the next round publishes it again
under the same event id, which the SDK's outbox ignores: nothing is lost and nothing is sent
twice. Rows are taken one at a time in id order, so the events of a case reach the SDK (which
keeps per-case order from there) in the order the court wrote them.

A row whose event cannot be built or would be refused by the hub is marked refused, with the
field paths and messages in `problem`, so one bad row does not hold up the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError
from sqlalchemy import select, update

from connectors.court import (
    answering,  # --- notices to the court ---
    key_enterprises,  # --- key enterprises (涉企审慎执行) ---
    payloads,
)
from connectors.court import bankruptcy_followup as followup  # --- bankruptcy follow-up ---
from connectors.court import notices as court_notices  # --- notices (通报) ---
from connectors.court import police as court_police  # --- police linkage (公安协作) ---
from connectors.court.store import (
    admin_cases,
    bankruptcy_cases,
    bankruptcy_rulings,
    cases,
    enforcement_requests,
    exports,
    hearings,
    judicial_suggestions,
    listing_corrections,
    listings,
    now,
    parties,
    request_subjects,
)
from connectors.sdk import Backoff, EventRefused, ReplyNotAllowed
from schemas.errors import field_errors
from schemas.judicial import JudicialSuggestionIssued

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import RowMapping
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from connectors.sdk import Connector
    from schemas.common import Payload

log = logging.getLogger(__name__)

Loader = Callable[["AsyncConnection", int], Awaitable["Payload"]]
_BATCH: Final = 100


class MissingRowError(LookupError):
    """An export names a business row that is not there."""


class ExportDrainer:
    """Publishes the court's pending exports through `connector`, polling every `poll_s`."""

    def __init__(self, connector: Connector, engine: AsyncEngine, *, poll_s: float) -> None:
        self._connector = connector
        self._engine = engine
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self._backoff = Backoff(first_s=poll_s, max_s=max(poll_s, 30.0))

    def notify(self) -> None:
        """Look for new exports now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                drained = await self.drain()
            except Exception as error:
                # The database or the SDK's state is unavailable: wait and try again.
                failures += 1
                log.warning("export drain failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(self._backoff.delay(failures))
                continue
            failures = 0
            if not drained:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def drain(self) -> int:
        """Publish the pending exports, oldest first; how many were handled."""
        handled = 0
        async with self._engine.begin() as connection:
            await key_enterprises.release_holds(connection, now())
        while batch := await self._pending():
            for export in batch:
                await self._publish(export)
                handled += 1
        return handled

    async def _pending(self) -> list[RowMapping]:
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(exports)
                .where(exports.c.status == "pending")
                .order_by(exports.c.id)
                .limit(_BATCH)
            )
            return list(result.mappings())

    async def _publish(self, export: RowMapping) -> None:
        try:
            if answering.is_reply(export["event_type"]):  # --- notices to the court ---
                await self._reply(export)
            else:
                async with self._engine.connect() as connection:
                    payload = await load_payload(connection, export["event_type"], export["ref_id"])
                await self._connector.publish(
                    payload,
                    subject=subject_of(payload),
                    to=export["to_units"],
                    event_id=export["event_id"],
                )
        except (ValidationError, EventRefused, ReplyNotAllowed, MissingRowError) as error:
            log.error(  # noqa: TRY400 - the refusal is the message; no stack needed
                "export %s (%s) refused: %s",
                export["id"],
                export["event_type"],
                type(error).__name__,
            )
            await self._mark(export["id"], "refused", problem_of(error))
        else:
            await self._mark(export["id"], "exported", None)

    # --- notices to the court ---
    async def _reply(self, export: RowMapping) -> None:
        """Queue the court's answer as the reply to the copy it received."""
        async with self._engine.connect() as connection:
            try:
                delivered, payload = await answering.load_reply(connection, export["ref_id"])
            except LookupError as error:
                raise MissingRowError(str(error)) from error
        record = self._connector.compose_reply(delivered, payload, event_id=export["event_id"])
        await asyncio.to_thread(answering.queue_reply, self._connector, record)

    async def _mark(self, export_id: int, status: str, problem: str | None) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(exports)
                .where(exports.c.id == export_id, exports.c.status == "pending")
                .values(status=status, exported_at=now(), problem=problem)
            )


def subject_of(payload: Payload) -> str | None:
    """The Kafka key: the case number, except for a suggestion, keyed by its own number."""
    if isinstance(payload, JudicialSuggestionIssued):
        return payload.suggestion_no
    # --- notices (通报) ---
    if isinstance(payload, court_notices.SENT_TYPES):
        return court_notices.subject_for(payload)
    # --- bankruptcy follow-up ---
    if isinstance(payload, followup.SENT_TYPES):
        return followup.subject_for(payload)
    return None


def problem_of(error: Exception) -> str:
    """What to record on a refused export: codes, field paths and messages (the court's own
    database may hold the values they quote; logs get only the class)."""
    if isinstance(error, EventRefused):
        rejection = error.rejection
        details = "; ".join(str(problem) for problem in rejection.fields)
        return f"{rejection.code}: {rejection.detail}" + (f" [{details}]" if details else "")
    if isinstance(error, ValidationError):
        return "schema_invalid: " + "; ".join(str(problem) for problem in field_errors(error))
    return str(error)


# --- loading the rows of each event type -------------------------------------------------------


async def _row(connection: AsyncConnection, table: Table, row_id: int) -> dict[str, Any]:
    row = (await connection.execute(select(table).where(table.c.id == row_id))).mappings().first()
    if row is None:
        raise MissingRowError(f"{table.name} has no row {row_id}")
    return dict(row)


async def _query(connection: AsyncConnection, ref_id: int) -> Payload:
    request = await _row(connection, enforcement_requests, ref_id)
    subjects = await connection.execute(
        select(parties)
        .join(request_subjects, request_subjects.c.party_id == parties.c.id)
        .where(request_subjects.c.request_id == ref_id)
        .order_by(request_subjects.c.position)
    )
    case = await _row(connection, cases, request["case_id"])
    return payloads.query_requested(case, request, [dict(row) for row in subjects.mappings()])


async def _control(connection: AsyncConnection, ref_id: int) -> Payload:
    request = await _row(connection, enforcement_requests, ref_id)
    owner = await _row(connection, parties, request["asset_owner_id"])
    case = await _row(connection, cases, request["case_id"])
    notice_no = await key_enterprises.office_notice_no(connection, ref_id)
    return payloads.control_requested(case, request, owner, office_notice_no=notice_no)


async def _listed(connection: AsyncConnection, ref_id: int) -> Payload:
    listing = await _row(connection, listings, ref_id)
    debtor = await _row(connection, parties, listing["debtor_id"])
    case = await _row(connection, cases, listing["case_id"])
    return payloads.debtor_listed(case, listing, debtor)


async def _corrected(connection: AsyncConnection, ref_id: int) -> Payload:
    correction = await _row(connection, listing_corrections, ref_id)
    listing = await _row(connection, listings, correction["listing_ref"])
    case = await _row(connection, cases, listing["case_id"])
    return payloads.debtor_corrected(case, listing, correction)


async def _delisted(connection: AsyncConnection, ref_id: int) -> Payload:
    listing = await _row(connection, listings, ref_id)
    case = await _row(connection, cases, listing["case_id"])
    return payloads.debtor_delisted(case, listing)


async def _accepted(connection: AsyncConnection, ref_id: int) -> Payload:
    bankruptcy = await _row(connection, bankruptcy_cases, ref_id)
    case = await _row(connection, cases, bankruptcy["case_id"])
    return payloads.bankruptcy_accepted(case, bankruptcy)


async def _ruled(connection: AsyncConnection, ref_id: int) -> Payload:
    ruling = await _row(connection, bankruptcy_rulings, ref_id)
    bankruptcy = await _row(connection, bankruptcy_cases, ruling["bankruptcy_id"])
    case = await _row(connection, cases, bankruptcy["case_id"])
    return payloads.bankruptcy_ruled(case, bankruptcy, ruling)


async def _filed(connection: AsyncConnection, ref_id: int) -> Payload:
    admin_case = await _row(connection, admin_cases, ref_id)
    plaintiff = await _row(connection, parties, admin_case["plaintiff_id"])
    case = await _row(connection, cases, admin_case["case_id"])
    return payloads.admincase_filed(case, admin_case, plaintiff)


async def _hearing(connection: AsyncConnection, ref_id: int) -> Payload:
    hearing = await _row(connection, hearings, ref_id)
    admin_case = await _row(connection, admin_cases, hearing["admin_case_id"])
    case = await _row(connection, cases, admin_case["case_id"])
    return payloads.hearing_scheduled(case, hearing)


async def _judged(connection: AsyncConnection, ref_id: int) -> Payload:
    admin_case = await _row(connection, admin_cases, ref_id)
    case = await _row(connection, cases, admin_case["case_id"])
    return payloads.admincase_judged(case, admin_case)


async def _suggestion(connection: AsyncConnection, ref_id: int) -> Payload:
    suggestion = await _row(connection, judicial_suggestions, ref_id)
    case_id = suggestion["case_id"]
    case = None if case_id is None else await _row(connection, cases, case_id)
    return payloads.suggestion_issued(suggestion, case)


LOADERS: Final[Mapping[str, Loader]] = {
    "enforcement.query.requested.v1": _query,
    "enforcement.control.requested.v1": _control,
    "debtor.listed.v1": _listed,
    "debtor.corrected.v1": _corrected,
    "debtor.delisted.v1": _delisted,
    "bankruptcy.accepted.v1": _accepted,
    "bankruptcy.declared.v1": _ruled,
    "bankruptcy.reorganization.approved.v1": _ruled,
    "bankruptcy.terminated.v1": _ruled,
    "admincase.filed.v1": _filed,
    "admincase.hearing.scheduled.v1": _hearing,
    "admincase.judged.v1": _judged,
    "judicial.suggestion.issued.v1": _suggestion,
    # --- notices (通报) ---
    **{notice.event_type: court_notices.load_notice for notice in court_notices.SENT_TYPES},
    # --- bankruptcy follow-up ---
    **{sent.event_type: followup.load_request for sent in followup.SENT_TYPES},
    # --- police linkage (公安协作) ---
    **{request.event_type: court_police.load_police_request for request in court_police.SENT_TYPES},
}
"""Event type of an export → how to read its rows and build its payload."""


async def load_payload(connection: AsyncConnection, event_type: str, ref_id: int) -> Payload:
    """The payload of the export of `event_type` announcing row `ref_id`."""
    loader = LOADERS.get(event_type)
    if loader is None:
        raise MissingRowError(f"the court connector does not export {event_type}")
    return await loader(connection, ref_id)
