"""The audit store's verbs: `fyhub trace`, `fyhub overdue`, `fyhub audit verify`, `fyhub replay`.

Each reads the store named by `FYHUB_DB__URL` (and, for `replay`, the journal on the configured
Kafka). A failure prints one line naming the cause and exits with status 1; `audit verify` also
exits 1, naming the first broken row, when the chain does not hold, and lists the journal records
the auditor refused as untrusted (not sealed by the hub, or their event not signed by its unit).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from aiokafka.errors import KafkaError
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.replay import ReplayError
from hub.bootstrap import build_engine, build_journal_replay, load_settings
from hub.store.audit_repository import SqlAuditLog
from hub.store.migrate import upgrade_engine
from hub.store.tables import (
    AuditLogRow,
    DeliveryRow,
    EventRow,
    ProcessedRow,
    RejectionRow,
    UnreadableEntryRow,
)
from hub.supervision import reads
from hub.supervision.text import overdue_lines, trace_lines
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from sqlalchemy.engine import Row
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from hub.auditor.replay import ReplayReport
    from hub.store.audit_chain import ChainBreak

T = TypeVar("T")

audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def trace(
    event_id_or_case_no: Annotated[str, typer.Argument(metavar="EVENT_ID|CASE_NO")],
    as_json: JsonOption = False,
) -> None:
    """The whole life of an event, or of every event of a case: who published it, whom it was
    routed to with which fields, receipts, replies, overdue marks, escalations, rejections."""
    found = _run(lambda session: reads.trace(session, event_id_or_case_no))
    if found is None:
        typer.echo(f"The store knows nothing about {event_id_or_case_no}.", err=True)
        raise typer.Exit(1)
    _print(found, as_json, trace_lines)


def overdue(
    unit: Annotated[str | None, typer.Option(help="Only deliveries to this unit.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Receipts and replies past their due time and not in, earliest due first."""
    now = datetime.now(UTC)
    items = _run(lambda session: reads.overdue(session, now=now, unit=unit))
    _print(items, as_json, overdue_lines)


@audit_app.command()
def verify() -> None:
    """Recompute the audit log's hash chain (exit 1 naming the first broken row), and list the
    journal records refused as untrusted."""
    broken, rows, refused = _run(_verify_chain)
    if broken is not None:
        typer.echo(f"chain broken at seq {broken.seq} ({broken.reason.value}): {broken.detail}")
    else:
        typer.echo(f"chain intact, {rows} rows")
    for line in refused_lines(refused):
        typer.echo(line)
    if broken is not None:
        raise typer.Exit(1)


def refused_lines(refused: list[Row[Any]]) -> list[str]:
    """The refused journal records, one line each: position, Kafka time, reason, digest."""
    if not refused:
        return []
    lines = [f"{len(refused)} journal records refused as untrusted (never applied):"]
    lines.extend(
        f"  {row.journal_partition}:{row.journal_offset}  {row.journal_at.isoformat()}  "
        f"{row.refusal}: {'; '.join(row.problems)}  sha256 {row.sha256}"
        for row in refused
    )
    return lines


def replay(
    from_beginning: Annotated[
        bool,
        typer.Option(
            "--from-beginning",
            help="Read the journal from its first record, not from where the auditor got to.",
        ),
    ] = False,
    into_empty: Annotated[
        bool,
        typer.Option(
            "--into-empty",
            help="Rebuild into an empty store (refused if it holds anything); implies "
            "--from-beginning.",
        ),
    ] = False,
    topic: Annotated[str, typer.Option(help="The journal topic.")] = JOURNAL_TOPIC,
) -> None:
    """Apply the journal, up to its current end, to the store (its schema brought up to date
    first); then exit. Safe to repeat: what the store already holds is skipped."""
    report = _with_engine(
        lambda engine: _replay(
            engine, topic, from_beginning=from_beginning or into_empty, into_empty=into_empty
        )
    )
    ranges = ", ".join(f"{p}: {a}→{b}" for p, (a, b) in sorted(report.ranges.items()))
    typer.echo(
        f"Replayed {report.records} journal records from {report.topic} ({ranges}): "
        f"{report.applied} applied, {report.already_applied} already applied, "
        f"{report.redeliveries} router redeliveries, {report.unreadable} unreadable, "
        f"{report.refused} refused as untrusted."
    )


async def _replay(
    engine: AsyncEngine, topic: str, *, from_beginning: bool, into_empty: bool
) -> ReplayReport:
    await upgrade_engine(engine)
    if into_empty:
        held = await _rows_held(engine)
        if held:
            listed = ", ".join(f"{count} {table}" for table, count in held.items())
            raise _RefusedError(
                f"the store is not empty ({listed}); --into-empty needs an empty one"
            )
    job = build_journal_replay(load_settings(), engine, topic=topic)
    return await job.run(from_beginning=from_beginning)


async def _rows_held(engine: AsyncEngine) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table in (EventRow, DeliveryRow, RejectionRow, AuditLogRow, ProcessedRow):
            count = (await connection.execute(select(func.count()).select_from(table))).scalar()
            if count:
                counts[table.__tablename__] = count
    return counts


async def _verify_chain(
    session: AsyncSession,
) -> tuple[ChainBreak | None, int, list[Row[Any]]]:
    broken = await SqlAuditLog(session).verify()
    rows = (await session.execute(select(func.count()).select_from(AuditLogRow))).scalar()
    entries = UnreadableEntryRow.__table__.c
    refused = await session.execute(
        select(
            entries.journal_partition,
            entries.journal_offset,
            entries.journal_at,
            entries.refusal,
            entries.problems,
            entries.sha256,
        )
        .where(entries.refusal.is_not(None))
        .order_by(entries.journal_partition, entries.journal_offset)
    )
    return broken, rows or 0, list(refused)


class _RefusedError(Exception):
    """A verb that will not do what was asked; the message says why."""


def _run(query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`query` in one read-only transaction."""

    async def in_session(engine: AsyncEngine) -> T:
        async with async_sessionmaker(engine)() as session, session.begin():
            return await query(session)

    return _with_engine(in_session, read_only=True)


def _with_engine(work: Callable[[AsyncEngine], Awaitable[T]], *, read_only: bool = False) -> T:
    settings = load_settings()

    async def run() -> T:
        engine = build_engine(settings, read_only=read_only)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    with _plain_errors(settings.db.url):
        return asyncio.run(run())


@contextlib.contextmanager
def _plain_errors(url: str) -> Iterator[None]:
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        yield
    except SQLAlchemyError as exc:
        typer.echo(f"Error: the store at {shown} cannot be read: {_first_line(exc)}", err=True)
        raise typer.Exit(1) from None
    except (KafkaError, ReplayError, _RefusedError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _print(value: Any, as_json: bool, lines: Callable[[Any], list[str]]) -> None:
    if as_json:
        plain = [_plain(item) for item in value] if isinstance(value, list) else _plain(value)
        typer.echo(json.dumps(plain, ensure_ascii=False, indent=2, default=str))
        return
    for line in lines(value):
        typer.echo(line)


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value)
