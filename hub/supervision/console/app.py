"""The joint-meeting office's console (联席会议办公室工作台): a read-only web app over the store.

Pages: overdue items per unit with their supervision state (`/overdue`, with a banner while
open deadlines are provisional: counted on a year whose State Council notice is not loaded),
the trace of a case or event (`/trace?q=`), the monthly scorecard (`/scorecard?month=YYYY-MM`,
also as CSV), the year's administrative-case figures (`/annual?year=YYYY`, also as CSV) and the
liaison officers (`/liaisons`). Handlers only read, through `hub.supervision.reads` and
`hub.supervision.scorecard`, in one read transaction each; personal identifiers appear masked,
payloads not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from hub.auditor.liaisons import liaison_list
from hub.supervision import reads
from hub.supervision.console import labels, views
from hub.supervision.scorecard import Month, annual_admin_figures, monthly_scorecard
from hub.supervision.scorecard.render import (
    ANNUAL_NOTES,
    SCORECARD_NOTES,
    annual_csv,
    annual_table_html,
    duration_zh,
    scorecard_csv,
    scorecard_table_html,
)
from hub.supervision.text import show_duration, show_subject, show_time
from hub.tracker.store import provisional_open_count
from schemas.dates import china_date
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
    from starlette.requests import Request

    from hub.registry import Registry

    Clock = Callable[[], datetime]

_T = TypeVar("_T")
_EARLIEST_YEAR = 2000
_LATEST_YEAR = 2999


def create_console_app(
    engine: AsyncEngine, registry: Registry, *, clock: Clock | None = None
) -> Starlette:
    """The console over the store at `engine`; `clock` gives "now" (tests fix it)."""
    console = _Console(engine, registry, clock or _utc_now)
    return Starlette(
        routes=[
            Route("/", console.home),
            Route("/overdue", console.overdue),
            Route("/trace", console.trace),
            Route("/scorecard", console.scorecard),
            Route("/scorecard.csv", console.scorecard_csv),
            Route("/annual", console.annual),
            Route("/annual.csv", console.annual_csv),
            Route("/liaisons", console.liaisons),
            Route("/healthz", console.health),
        ],
        exception_handlers={SQLAlchemyError: console.store_unreadable},
    )


class _Console:
    def __init__(self, engine: AsyncEngine, registry: Registry, clock: Clock) -> None:
        self.sessions = async_sessionmaker(engine)
        self.registry = registry
        self.clock = clock
        self.names = views.unit_names(registry)
        self.templates = Jinja2Templates(env=_environment(registry))

    async def home(self, _request: Request) -> Response:
        return RedirectResponse("/overdue", status_code=302)

    async def overdue(self, request: Request) -> Response:
        unit = request.query_params.get("unit") or None
        now = self.clock()
        items = await self._read(lambda s: reads.overdue(s, now=now, unit=unit))
        provisional = await self._read(provisional_open_count)
        groups = views.overdue_by_unit(items, self.registry)
        context = {
            "groups": groups,
            "unit": unit,
            "now": now,
            "total": len(items),
            "provisional": provisional,
        }
        return self._page(request, "overdue.html", context)

    async def trace(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            return self._page(request, "trace.html", {"query": "", "trace": None})
        found = await self._read(lambda s: reads.trace(s, query))
        status = 200 if found is not None else 404
        return self._page(request, "trace.html", {"query": query, "trace": found}, status)

    async def scorecard(self, request: Request) -> Response:
        month = _month(request, self.clock())
        if month is None:
            return self._bad_request(request, "月份格式应为 YYYY-MM，例如 2024-03。")
        card = await self._read(
            lambda s: monthly_scorecard(s, month, as_of=self.clock(), units=self.names)
        )
        table = Markup(scorecard_table_html(card, self.names))  # noqa: S704 - escaped by render
        context = {"card": card, "table": table, "notes": SCORECARD_NOTES}
        return self._page(request, "scorecard.html", context)

    async def scorecard_csv(self, request: Request) -> Response:
        month = _month(request, self.clock())
        if month is None:
            return PlainTextResponse("month must be YYYY-MM\n", status_code=400)
        card = await self._read(
            lambda s: monthly_scorecard(s, month, as_of=self.clock(), units=self.names)
        )
        return _csv(scorecard_csv(card, self.names), f"scorecard-{month}.csv")

    async def annual(self, request: Request) -> Response:
        year = _year(request, self.clock())
        if year is None:
            return self._bad_request(request, "年份格式应为四位数字，例如 2024。")
        as_of = china_date(self.clock())
        figures = await self._read(lambda s: annual_admin_figures(s, year, as_of=as_of))
        table = Markup(annual_table_html(figures, self.names))  # noqa: S704 - escaped by render
        context = {"figures": figures, "table": table, "notes": ANNUAL_NOTES}
        return self._page(request, "annual.html", context)

    async def annual_csv(self, request: Request) -> Response:
        year = _year(request, self.clock())
        if year is None:
            return PlainTextResponse("year must be YYYY\n", status_code=400)
        as_of = china_date(self.clock())
        figures = await self._read(lambda s: annual_admin_figures(s, year, as_of=as_of))
        return _csv(annual_csv(figures, self.names), f"admin-cases-{year}.csv")

    async def liaisons(self, request: Request) -> Response:
        unit = request.query_params.get("unit") or None
        if unit is not None and self.registry.unit(unit) is None:
            return self._bad_request(request, f"未登记的单位代码：{unit}")
        received = await self._read(lambda s: reads.received_liaisons(s, unit))
        history = await self._read(lambda s: reads.liaison_history(s, unit))
        rows = liaison_list(self.registry, received, unit)
        context = {"rows": rows, "history": history, "unit": unit}
        return self._page(request, "liaisons.html", context)

    async def health(self, _request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def store_unreadable(self, request: Request, _exc: Exception) -> Response:
        message = "审计数据库暂时无法读取，请稍后再试或联系运维人员。"
        return self._page(request, "message.html", {"message": message}, 503)

    async def _read(self, query: Callable[[AsyncSession], Awaitable[_T]]) -> _T:
        async with self.sessions() as session, session.begin():
            return await query(session)

    def _page(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def _bad_request(self, request: Request, message: str) -> Response:
        return self._page(request, "message.html", {"message": message}, 400)


def _environment(registry: Registry) -> Environment:
    env = Environment(
        loader=PackageLoader("hub.supervision.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {
        "time": show_time,
        "duration": show_duration,
        "duration_zh": duration_zh,
        "subject": show_subject,
        "type_label": labels.event_type,
        "state_label": labels.delivery_state,
        "stage_label": labels.stage,
        "kind_label": labels.audit_kind,
        "code_label": labels.rejection_code,
        "unit_name": lambda code: views.unit_name(registry, code) if code else "-",
        "publisher": lambda source: unit_from_source(source) or source,
    }
    env.globals |= {"supervision": views.supervision, "trace_key": views.trace_key}
    return env


def _month(request: Request, now: datetime) -> Month | None:
    text = request.query_params.get("month")
    if not text:
        return Month.of(now)
    try:
        return Month.parse(text)
    except ValueError:
        return None


def _year(request: Request, now: datetime) -> int | None:
    text = request.query_params.get("year")
    if not text:
        return china_date(now).year
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if _EARLIEST_YEAR <= year <= _LATEST_YEAR else None


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)
