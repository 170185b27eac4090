"""The joint-meeting office's console (联席会议办公室工作台): a read-only web app over the store,
behind a sign-in.

Pages: overdue items per unit with their supervision state (`/overdue`, with a banner while
open deadlines are provisional: counted on a year whose State Council notice is not loaded),
the trace of a case or event (`/trace?q=`), the monthly scorecard (`/scorecard?month=YYYY-MM`,
also as CSV), the year's administrative-case figures (`/annual?year=YYYY`, also as CSV), the
liaison officers (`/liaisons`) and who looked at which trace (`/views`). Handlers only read,
through `hub.supervision.reads` and `hub.supervision.scorecard`, in one read transaction each;
the only writes are the sign-in state of accounts and the record of trace views. Personal
identifiers appear masked (every value a template prints goes through `mask_identifiers`),
payloads not at all.

Every page but `/login`, `/console.css` and `/healthz` needs a signed-in account
(`hub.supervision.console.accounts`); what a unit's liaison may see is decided by
`hub.supervision.console.access`. Sessions are cookies signed by Starlette's `SessionMiddleware`
(itsdangerous), SameSite=Strict; each carries a CSRF token that every form posts back.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import TYPE_CHECKING, Any, TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from hub.auditor.liaisons import liaison_list
from hub.journal.reading import case_number
from hub.supervision import reads
from hub.supervision.console import account_store, labels, views
from hub.supervision.console.access import (
    OutOfScopeError,
    Page,
    may_open,
    overdue_for,
    trace_for,
    unit_in_scope,
)
from hub.supervision.console.accounts import (
    Lockout,
    Viewer,
    hash_password,
    new_password,
    password_matches,
    signed_in_still,
)
from hub.supervision.console.web_security import (
    CSRF_FIELD,
    FormError,
    SecurityHeaders,
    csrf_matches,
    new_csrf_token,
    parse_form,
    safe_next,
)
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
from schemas.identifiers import mask_identifiers
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
    from starlette.requests import Request
    from starlette.types import ASGIApp

    from hub.registry import Registry

    Clock = Callable[[], datetime]
    Handler = Callable[[Request, Viewer], Awaitable[Response]]

_T = TypeVar("_T")
_EARLIEST_YEAR = 2000
_LATEST_YEAR = 2999
SESSION_COOKIE = "fyhub_console"
_SIGNED_IN = "login"
_SIGNED_IN_AT = "at"
_SIGN_IN_FAILED = "用户名或密码错误，或账户已被停用、暂时锁定。"


@dataclass(frozen=True, slots=True)
class ConsoleSecurity:
    """How the console signs its sessions and treats sign-ins (`hub.bootstrap.build_console`
    fills it from `ConsoleSettings`)."""

    session_secret: str
    secure_cookie: bool = True
    """The session cookie only over HTTPS (and HSTS sent); off for plain HTTP on loopback."""
    session_max_age: timedelta = timedelta(hours=8)
    lockout: Lockout = field(default_factory=Lockout)


def create_console_app(
    engine: AsyncEngine,
    registry: Registry,
    security: ConsoleSecurity,
    *,
    clock: Clock | None = None,
    write_engine: AsyncEngine | None = None,
) -> ASGIApp:
    """The console over the store at `engine`; sign-in state and trace views are written through
    `write_engine` (default: `engine`); `clock` gives "now" (tests fix it)."""
    console = _Console(engine, write_engine or engine, registry, security, clock or _utc_now)
    guarded = console.guarded
    app = Starlette(
        routes=[
            Route("/", console.home),
            Route("/login", console.login_page, methods=["GET"]),
            Route("/login", console.sign_in, methods=["POST"]),
            Route("/logout", console.sign_out, methods=["POST"]),
            Route("/console.css", console.stylesheet),
            Route("/overdue", guarded(Page.OVERDUE, console.overdue)),
            Route("/trace", guarded(Page.TRACE, console.trace)),
            Route("/scorecard", guarded(Page.SCORECARD, console.scorecard)),
            Route("/scorecard.csv", guarded(Page.SCORECARD, console.scorecard_csv)),
            Route("/annual", guarded(Page.ANNUAL, console.annual)),
            Route("/annual.csv", guarded(Page.ANNUAL, console.annual_csv)),
            Route("/liaisons", guarded(Page.LIAISONS, console.liaisons)),
            Route("/views", guarded(Page.VIEWS, console.trace_views)),
            Route("/healthz", console.health),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=security.session_secret,
                session_cookie=SESSION_COOKIE,
                max_age=int(security.session_max_age.total_seconds()),
                same_site="strict",
                https_only=security.secure_cookie,
            )
        ],
        exception_handlers={SQLAlchemyError: console.store_unreadable},
    )
    return SecurityHeaders(app, https=security.secure_cookie)


class _Console:
    def __init__(
        self,
        engine: AsyncEngine,
        write_engine: AsyncEngine,
        registry: Registry,
        security: ConsoleSecurity,
        clock: Clock,
    ) -> None:
        self.sessions = async_sessionmaker(engine)
        self.writes = async_sessionmaker(write_engine)
        self.registry = registry
        self.security = security
        self.clock = clock
        self.names = views.unit_names(registry)
        self.templates = Jinja2Templates(env=_environment(registry))
        self.css = files("hub.supervision.console").joinpath("console.css").read_bytes()
        self._decoy_hash: str | None = None

    # --- signing in ---------------------------------------------------------------------------

    def guarded(self, page: Page, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """`handler` for a signed-in viewer allowed `page`; others go to the sign-in page, or
        get a 403 page."""

        async def endpoint(request: Request) -> Response:
            viewer = await self._viewer(request)
            if viewer is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?{_query(next=target)}", status_code=303)
            request.state.viewer = viewer
            if not may_open(viewer, page):
                return self._forbidden(request)
            return await handler(request, viewer)

        return endpoint

    async def home(self, request: Request) -> Response:
        target = "/overdue" if await self._viewer(request) else "/login"
        return RedirectResponse(target, status_code=302)

    async def login_page(self, request: Request) -> Response:
        if await self._viewer(request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return self._login_form(request, request.query_params.get("next"))

    async def sign_in(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._stale_form(request)
        login, password = form.get("login", "").strip(), form.get("password", "")
        target = safe_next(form.get("next"))
        if not login or not password:
            return self._login_form(request, target, _SIGN_IN_FAILED, 401)
        now = self.clock()
        found = await self._read(lambda s: account_store.account(s, login))
        usable = found is not None and not found.disabled and not found.locked(now)
        checked_hash = found.password_hash if found is not None and usable else self._decoy()
        # argon2 takes tens of milliseconds of CPU: off the event loop. Unknown, disabled and
        # locked accounts are checked against a decoy, so that timing tells nothing either.
        matched = await asyncio.to_thread(password_matches, checked_hash, password) and usable
        if found is not None and not found.disabled:
            await self._write(lambda s: self._count_sign_in(s, login, now, matched=matched))
        if not matched:
            return self._login_form(request, target, _SIGN_IN_FAILED, 401)
        request.session.clear()  # a new session: nothing of the one before sign-in is kept
        request.session.update(
            {
                _SIGNED_IN: login,
                _SIGNED_IN_AT: now.isoformat(),
                CSRF_FIELD: new_csrf_token(),
            }
        )
        return RedirectResponse(target, status_code=303)

    async def sign_out(self, request: Request) -> Response:
        if await self._form(request) is None:
            return self._stale_form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def _count_sign_in(
        self, session: AsyncSession, login: str, now: datetime, *, matched: bool
    ) -> None:
        current = await account_store.account(session, login, for_update=True)
        if current is None:
            return
        lockout = self.security.lockout
        if matched:
            changed = lockout.after_success(current)
        elif current.locked(now):
            return  # while locked, failures neither count nor extend the lock
        else:
            changed = lockout.after_failure(current, now)
        await account_store.save_sign_in_state(session, changed)

    async def _viewer(self, request: Request) -> Viewer | None:
        login = request.session.get(_SIGNED_IN)
        at = _parse_time(request.session.get(_SIGNED_IN_AT))
        if not isinstance(login, str) or at is None:
            return None
        found = await self._read(lambda s: account_store.account(s, login))
        max_age = self.security.session_max_age
        if found is None or not signed_in_still(found, at, self.clock(), max_age):
            request.session.clear()
            return None
        return found.viewer

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The posted form when its CSRF token is the session's, else None."""
        try:
            form = parse_form(request.headers.get("content-type"), await request.body())
        except FormError:
            return None
        if not csrf_matches(request.session.get(CSRF_FIELD), form.get(CSRF_FIELD)):
            return None
        return form

    def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = hash_password(new_password())
        return self._decoy_hash

    # --- pages ----------------------------------------------------------------------------------

    async def overdue(self, request: Request, viewer: Viewer) -> Response:
        try:
            unit = unit_in_scope(viewer, request.query_params.get("unit") or None)
        except OutOfScopeError:
            return self._forbidden(request)
        now = self.clock()
        items = overdue_for(
            viewer, await self._read(lambda s: reads.overdue(s, now=now, unit=unit))
        )
        provisional = await self._read(lambda s: provisional_open_count(s, viewer.unit))
        groups = views.overdue_by_unit(items, self.registry)
        context = {
            "groups": groups,
            "unit": unit if viewer.is_office else None,
            "now": now,
            "total": len(items),
            "provisional": provisional,
        }
        return self._page(request, "overdue.html", context)

    async def trace(self, request: Request, viewer: Viewer) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            return self._page(request, "trace.html", {"query": "", "trace": None})
        found = await self._read(lambda s: reads.trace(s, query))
        shown = trace_for(viewer, found) if found is not None else None
        outcome = "shown" if shown is not None else "refused" if found is not None else "not_found"
        case_no = found.case_no if found is not None else case_number(query)
        now = self.clock()
        await self._write(
            lambda s: account_store.record_trace_view(
                s, viewer, query=mask_identifiers(query), case_no=case_no, outcome=outcome, now=now
            )
        )
        # A trace of other units only is, for a liaison, one that does not exist.
        status = 200 if shown is not None else 404
        return self._page(request, "trace.html", {"query": query, "trace": shown}, status)

    async def trace_views(self, request: Request, _viewer: Viewer) -> Response:
        login = request.query_params.get("login") or None
        found = await self._read(lambda s: account_store.trace_views(s, login=login))
        context = {"views": found, "login": login, "limit": account_store.VIEWS_SHOWN}
        return self._page(request, "views.html", context)

    async def scorecard(self, request: Request, _viewer: Viewer) -> Response:
        month = _month(request, self.clock())
        if month is None:
            return self._bad_request(request, "月份格式应为 YYYY-MM，例如 2024-03。")
        card = await self._read(
            lambda s: monthly_scorecard(s, month, as_of=self.clock(), units=self.names)
        )
        table = Markup(scorecard_table_html(card, self.names))  # noqa: S704 - escaped by render
        context = {"card": card, "table": table, "notes": SCORECARD_NOTES}
        return self._page(request, "scorecard.html", context)

    async def scorecard_csv(self, request: Request, _viewer: Viewer) -> Response:
        month = _month(request, self.clock())
        if month is None:
            return PlainTextResponse("month must be YYYY-MM\n", status_code=400)
        card = await self._read(
            lambda s: monthly_scorecard(s, month, as_of=self.clock(), units=self.names)
        )
        return _csv(scorecard_csv(card, self.names), f"scorecard-{month}.csv")

    async def annual(self, request: Request, _viewer: Viewer) -> Response:
        year = _year(request, self.clock())
        if year is None:
            return self._bad_request(request, "年份格式应为四位数字，例如 2024。")
        as_of = china_date(self.clock())
        figures = await self._read(lambda s: annual_admin_figures(s, year, as_of=as_of))
        table = Markup(annual_table_html(figures, self.names))  # noqa: S704 - escaped by render
        context = {"figures": figures, "table": table, "notes": ANNUAL_NOTES}
        return self._page(request, "annual.html", context)

    async def annual_csv(self, request: Request, _viewer: Viewer) -> Response:
        year = _year(request, self.clock())
        if year is None:
            return PlainTextResponse("year must be YYYY\n", status_code=400)
        as_of = china_date(self.clock())
        figures = await self._read(lambda s: annual_admin_figures(s, year, as_of=as_of))
        return _csv(annual_csv(figures, self.names), f"admin-cases-{year}.csv")

    async def liaisons(self, request: Request, viewer: Viewer) -> Response:
        try:
            unit = unit_in_scope(viewer, request.query_params.get("unit") or None)
        except OutOfScopeError:
            return self._forbidden(request)
        if unit is not None and self.registry.unit(unit) is None:
            return self._bad_request(request, f"未登记的单位代码：{unit}")
        received = await self._read(lambda s: reads.received_liaisons(s, unit))
        history = await self._read(lambda s: reads.liaison_history(s, unit))
        rows = liaison_list(self.registry, received, unit)
        context = {"rows": rows, "history": history, "unit": unit}
        return self._page(request, "liaisons.html", context)

    async def stylesheet(self, _request: Request) -> Response:
        return Response(self.css, media_type="text/css; charset=utf-8")

    async def health(self, _request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def store_unreadable(self, request: Request, _exc: Exception) -> Response:
        message = "审计数据库暂时无法读取，请稍后再试或联系运维人员。"
        return self._page(request, "message.html", {"message": message}, 503)

    # --- helpers --------------------------------------------------------------------------------

    async def _read(self, query: Callable[[AsyncSession], Awaitable[_T]]) -> _T:
        async with self.sessions() as session, session.begin():
            return await query(session)

    async def _write(self, change: Callable[[AsyncSession], Awaitable[None]]) -> None:
        async with self.writes() as session, session.begin():
            await change(session)

    def _page(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        if CSRF_FIELD not in request.session:
            request.session[CSRF_FIELD] = new_csrf_token()
        shared = {
            "viewer": getattr(request.state, "viewer", None),
            "csrf": request.session[CSRF_FIELD],
        }
        return self.templates.TemplateResponse(request, name, shared | context, status_code=status)

    def _login_form(
        self, request: Request, target: str | None, error: str | None = None, status: int = 200
    ) -> Response:
        lockout = self.security.lockout
        context = {"next": safe_next(target), "error": error, "lockout": lockout}
        return self._page(request, "login.html", context, status)

    def _bad_request(self, request: Request, message: str) -> Response:
        return self._page(request, "message.html", {"message": message}, 400)

    def _forbidden(self, request: Request) -> Response:
        message = "您的账户无权查看此页面：成员单位联络员只能查看本单位的事项。"
        return self._page(request, "message.html", {"message": message}, 403)

    def _stale_form(self, request: Request) -> Response:
        message = "表单已失效（可能已超时或来自其他网站），请返回重新填写。"
        return self._page(request, "message.html", {"message": message}, 403)


def _environment(registry: Registry) -> Environment:
    env = Environment(
        loader=PackageLoader("hub.supervision.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value a page prints: an ID number in a rejection's detail, a search, a subject
        # is shown masked wherever it comes from.
        finalize=_masked,
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
        "outcome_label": labels.view_outcome,
        "role_label": labels.role,
        "unit_name": lambda code: views.unit_name(registry, code) if code else "-",
        "publisher": lambda source: unit_from_source(source) or source,
    }
    env.globals |= {"supervision": views.supervision, "trace_key": views.trace_key}
    return env


def _masked(value: object) -> object:
    if isinstance(value, Markup):
        return Markup(mask_identifiers(str(value)))  # noqa: S704 - masking adds only '*'
    if isinstance(value, str):
        return mask_identifiers(value)
    return value


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.utcoffset() is not None else None


def _query(**params: str) -> str:
    return urllib.parse.urlencode(params)


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
