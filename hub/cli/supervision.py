"""The joint-meeting office's verbs: `fyhub scorecard`, `fyhub annual` and `fyhub units
liaisons` (`fyhub console` is in `hub.cli.console`).

`scorecard` and `annual` read the store named by `FYHUB_DB__URL` and the registry (for the units'
names, and so that every unit gets a scorecard row); they print to stdout or write `--out`.
A failure prints one line naming the cause and exits with status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.auditor.liaisons import liaison_list, liaisons_text
from hub.registry import ContractError, load_registry
from hub.supervision import reads
from hub.supervision.scorecard import Month, annual_admin_figures, monthly_scorecard
from hub.supervision.scorecard.nonlitigation_queries import annual_nonlitigation_figures
from hub.supervision.scorecard.nonlitigation_render import annual_report
from hub.supervision.scorecard.render import (
    ReportFormat,
    annual_csv,
    annual_html,
    annual_text,
    scorecard_csv,
    scorecard_html,
    scorecard_text,
)
from schemas.dates import china_date

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.registry import Registry
    from hub.settings import Settings

T = TypeVar("T")

FormatOption = Annotated[
    ReportFormat, typer.Option("--format", help="table (terminal), csv or html.")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
]


def scorecard(
    month: Annotated[
        str | None, typer.Option("--month", metavar="YYYY-MM", help="Default: last month.")
    ] = None,
    fmt: FormatOption = ReportFormat.TABLE,
    out: OutOption = None,
) -> None:
    """The monthly scorecard (督导考核) of every unit: deliveries, on-time receipt and reply rates,
    median and p90 reply time, overdue items and escalations, as of now."""
    now = datetime.now(UTC)
    try:
        chosen = Month.parse(month) if month else Month.of(now).previous()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None
    settings = bootstrap.load_settings()
    registry = registry_or_exit(settings)
    names = {code: unit.name for code, unit in registry.units.items()}
    card = _read(
        settings, lambda session: monthly_scorecard(session, chosen, as_of=now, units=names)
    )
    renderers = {
        ReportFormat.TABLE: scorecard_text,
        ReportFormat.CSV: scorecard_csv,
        ReportFormat.HTML: scorecard_html,
    }
    _emit(renderers[fmt](card, names), out)


def annual(
    year: Annotated[
        int | None, typer.Option("--year", min=2000, max=2999, help="Default: last year.")
    ] = None,
    fmt: FormatOption = ReportFormat.TABLE,
    out: OutOption = None,
    nonlitigation: Annotated[
        bool,
        typer.Option(
            "--nonlitigation",
            help="Only the non-litigation enforcement figures (CSV carries one table).",
        ),
    ] = False,
) -> None:
    """The year's administrative-case figures (行政案件白皮书) per defendant agency: cases filed
    and judged, agency-lost rate, head-appearance rate, judicial suggestions answered on time;
    then non-litigation enforcement per applying unit: applications received, accepted, not
    accepted, granted, refused, and each legal limit met on time or late."""
    today = china_date(datetime.now(UTC))
    chosen = year or today.year - 1
    settings = bootstrap.load_settings()
    names = {code: unit.name for code, unit in registry_or_exit(settings).units.items()}
    figures = _read(settings, lambda session: annual_admin_figures(session, chosen, as_of=today))
    renderers = {
        ReportFormat.TABLE: annual_text,
        ReportFormat.CSV: annual_csv,
        ReportFormat.HTML: annual_html,
    }
    # --- non-litigation enforcement end to end ---
    calendar = bootstrap.build_calendar(settings)
    enforcement = _read(
        settings,
        lambda session: annual_nonlitigation_figures(session, chosen, calendar=calendar),
    )
    _emit(
        annual_report(fmt, renderers[fmt](figures, names), enforcement, names, nonlitigation), out
    )


def liaisons(
    unit: Annotated[str | None, typer.Option("--unit", help="One unit, e.g. tax.411121.")] = None,
) -> None:
    """The liaison officers (联络员) of every unit: the registry overlaid with the changes the
    units announced (each with its source and since when), then the changes received."""
    settings = bootstrap.load_settings()
    registry = registry_or_exit(settings)
    if unit is not None and registry.unit(unit) is None:
        raise typer.BadParameter(f"{unit} is not a registered unit", param_hint="--unit")

    async def read(session: AsyncSession) -> str:
        received = await reads.received_liaisons(session, unit)
        history = await reads.liaison_history(session, unit)
        return liaisons_text(liaison_list(registry, received, unit), history)

    _emit(_read(settings, read), None)


def registry_or_exit(settings: Settings) -> Registry:
    try:
        return load_registry(settings.registry)
    except ContractError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None


def _read(settings: Settings, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = bootstrap.build_engine(settings, read_only=True)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                return await query(session)
        finally:
            await engine.dispose()

    with plain_errors(settings.db.url):
        return asyncio.run(run())


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


@contextlib.contextmanager
def plain_errors(url: str) -> Iterator[None]:
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        yield
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        typer.echo(f"Error: the store at {shown} cannot be read: {detail}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
