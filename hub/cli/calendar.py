"""`fyhub calendar status|show|apply`: the working-day calendar deadlines are counted on.

- `status`: each year's source, from the first year covered to next year at least: a file of
  `deploy/calendar/` (the State Council's notice), the chinese-calendar package, or provisional
  (the statutory holidays alone, until the year's notice is added as a file).
- `show YYYY-MM`: each day of a month: working, rest, holiday or adjusted working day (调休上班),
  with its holiday's name and its source.
- `apply`: after adding a year's file, count the open deliveries' deadlines again and write the
  changes to the journal (`deadlines.recomputed`); the auditor applies them to the store, so a
  replay of the journal agrees.

A bad calendar file prints each problem with its file and line and exits with status 1.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from aiokafka.errors import KafkaError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.calendar import DayKind
from hub.registry import ContractError
from hub.routing.deadlines import CHINA_TZ
from hub.tracker.recompute import recomputation_records
from hub.tracker.store import open_copies
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from hub.calendar import Day, WorkingCalendar
    from hub.journal.entries import DeadlinesRecomputed
    from hub.routing.table import RoutingTable
    from hub.settings import Settings

calendar_app = typer.Typer(
    help="The working-day calendar deadlines are counted on.", no_args_is_help=True
)

_KINDS = {
    DayKind.WORKING: "working",
    DayKind.REST: "rest",
    DayKind.HOLIDAY: "holiday",
    DayKind.ADJUSTED_WORKING: "adjusted working day",
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@calendar_app.command("status")
def status() -> None:
    """Each year's source: a calendar file, the chinese-calendar package, or provisional."""
    calendar = _calendar(bootstrap.load_settings())
    for line in status_lines(calendar, today=datetime.now(CHINA_TZ).date()):
        typer.echo(line)


@calendar_app.command("show")
def show(month: Annotated[str, typer.Argument(metavar="YYYY-MM")]) -> None:
    """Each day of MONTH: working, rest, holiday or adjusted working day, its name and source."""
    try:
        year, number = (int(part) for part in month.split("-"))
        date(year, number, 1)
    except ValueError:
        raise typer.BadParameter(
            f"{month!r} is not a month as YYYY-MM", param_hint="MONTH"
        ) from None
    calendar = _calendar(bootstrap.load_settings())
    for line in month_lines(calendar, year, number):
        typer.echo(line)


@calendar_app.command("apply")
def apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
    ] = False,
    topic: Annotated[str, typer.Option(help="The journal topic.")] = JOURNAL_TOPIC,
) -> None:
    """Count the open deliveries' deadlines again on the calendar as it is now (after adding a
    year's file) and write each change to the journal, for the auditor to apply."""
    settings = bootstrap.load_settings()
    calendar = _calendar(settings)
    try:
        contracts = bootstrap.load_contracts(settings)
    except ContractError as exc:
        _fail_with(exc)
    now = datetime.now(UTC)
    reason = "fyhub calendar apply: " + "; ".join(
        f"{year} {calendar.source_of(year).kind.value}" for year in range(now.year, now.year + 2)
    )
    shown = make_url(settings.db.url).render_as_string(hide_password=True)
    try:
        entries = asyncio.run(
            _recompute(settings, calendar, contracts.routing, now, reason, topic, dry_run=dry_run)
        )
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        typer.echo(f"Error: the store at {shown} cannot be read: {detail}", err=True)
        raise typer.Exit(1) from None
    except (KafkaError, OSError) as exc:
        typer.echo(f"Error: the journal could not be written: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in apply_lines(entries, dry_run=dry_run, topic=topic):
        typer.echo(line)


async def _recompute(
    settings: Settings,
    calendar: WorkingCalendar,
    table: RoutingTable,
    now: datetime,
    reason: str,
    topic: str,
    *,
    dry_run: bool,
) -> list[DeadlinesRecomputed]:
    engine = bootstrap.build_engine(settings, read_only=True)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            copies = await open_copies(session)
    finally:
        await engine.dispose()
    planned = recomputation_records(
        copies,
        table=table,
        calendar=calendar,
        policy=bootstrap.build_deadline_policy(settings),
        now=now,
        reason=reason,
        signer=bootstrap.load_hub_signer(settings),
        topic=topic,
    )
    if planned and not dry_run:
        writer = bootstrap.build_record_writer(settings, client_id="fyhub-calendar")
        await writer.start()
        try:
            await writer.write_all([record for _, record in planned])
        finally:
            await writer.stop()
    return [entry for entry, _ in planned]


def status_lines(calendar: WorkingCalendar, *, today: date) -> list[str]:
    covered = calendar.covered_years()
    first = covered.start if covered else today.year
    last = max(covered.stop - 1 if covered else today.year, today.year + 1)
    lines = []
    for year in range(first, last + 1):
        source = calendar.source_of(year)
        lines.append(f"{year}  {source.kind.value:<11}  {source.description}")
    return lines


def month_lines(calendar: WorkingCalendar, year: int, month: int) -> list[str]:
    source = calendar.source_of(year)
    header = f"{year}-{month:02d}: {source.kind.value} ({source.description})"
    return [header, *(_day_line(day) for day in calendar.month(year, month))]


def _day_line(day: Day) -> str:
    text = f"{day.day.isoformat()}  {_WEEKDAYS[day.day.weekday()]}  {_KINDS[day.kind]:<20}"
    text += f"  {day.name or '-':<10}  {day.source.kind.value}"
    return text.rstrip()


def apply_lines(entries: list[DeadlinesRecomputed], *, dry_run: bool, topic: str) -> list[str]:
    deliveries = [d for entry in entries for d in entry.deliveries]
    if not deliveries:
        return ["No open delivery's deadlines change."]
    lines = [
        f"{d.event_id} → {d.recipient}: receipt by {_shown(d.receipt_by)}, "
        f"reply by {_shown(d.reply_by)} ({d.calendar or 'no calendar'})"
        for d in deliveries
    ]
    verb = "would be rescheduled (dry run, nothing written)" if dry_run else "rescheduled"
    tail = "" if dry_run else f"; {len(entries)} journal entries written to {topic}"
    lines.append(f"{len(deliveries)} open deliveries of {len(entries)} events {verb}{tail}.")
    return lines


def _shown(at: datetime | None) -> str:
    return "-" if at is None else at.astimezone(CHINA_TZ).isoformat(timespec="minutes")


def _calendar(settings: Settings) -> WorkingCalendar:
    try:
        return bootstrap.build_calendar(settings)
    except ContractError as exc:
        _fail_with(exc)


def _fail_with(error: ContractError) -> NoReturn:
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(1)
