"""The office's console served over real HTTP (uvicorn on a free port) from a real SQLite store
that the auditor wrote from the journal (the router's entries and the tracker's): signing in,
what the office and a unit's liaison each see, the record of trace views, and the pages' own
defences."""

from __future__ import annotations

import csv
import io
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.overdue import OverdueNotice
from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, Stage
from hub.registry import load_registry
from hub.routing.deadlines import CHINA_TZ
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import DeliveryRow
from hub.supervision.console import ConsoleServer, account_store, create_console_app
from hub.supervision.console.accounts import Lockout, Role
from hub.supervision.console.web_security import CONTENT_SECURITY_POLICY
from hub.tracker.work import escalated_mark, overdue_mark
from schemas.units import source_uri
from tests.fixtures.console_login import (
    ConsoleClient,
    Credentials,
    open_account,
    plain_http_security,
)
from tests.fixtures.journal import CASE, COURT, ID_NO, NR, T0, TAX, Journal, event_id
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=CHINA_TZ)
OPENED = NOW - timedelta(days=30)
E1, E2, E3 = event_id(1), event_id(2), event_id(3)
JUSTICE = "justice.411121"
MASKED_ID = "411121********1234"


def q(value: str) -> str:
    return urllib.parse.quote(value)


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """E1 to tax (receipted and answered in time) and nr (never receipted: escalated); E2 about
    a person, to tax, not receipted; E3 refused."""
    await upgrade_engine(sqlite_engine)
    j = Journal()
    records = j.records(
        j.routed(E1),
        j.answer(event_id(101), E1, at=T0 + timedelta(hours=1)),
        j.answer(event_id(102), E1, at=T0 + timedelta(days=1), receipt=False),
        j.routed(
            E2,
            at=T0 + timedelta(hours=2),
            subject=ID_NO,
            data={"subjects": [{"id_no": ID_NO}]},
            to=((TAX, ["name"]),),
        ),
        j.rejected(
            eid=E3, at=T0 + timedelta(hours=3), detail=f"id_no {ID_NO}: the check digit is wrong"
        ),
    )
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, records)
    key = DeliveryKey(source_uri(COURT), E1, NR)
    due = T0 + timedelta(days=1)
    notice = OverdueNotice(
        key=key, subject=CASE, stage=Stage.RECEIPT, due=due, overdue_by=timedelta(days=2)
    )
    escalate = Escalate(key=key, attempts=3, receipt_due=due)
    marked_at = T0 + timedelta(days=3)
    marks = j.records(
        overdue_mark(notice, office_unit=JUSTICE, now=marked_at),
        escalated_mark(escalate, office_unit=JUSTICE, now=marked_at),
    )
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, marks)
    return sqlite_engine


@dataclass
class Site:
    """The console being tested: where it is, the store it reads, its clock (movable)."""

    url: str
    store: AsyncEngine
    now: list[datetime]

    def client(self) -> ConsoleClient:
        return ConsoleClient(self.url)


@pytest.fixture
async def site(store: AsyncEngine) -> AsyncIterator[Site]:
    now = [NOW]
    app = create_console_app(
        store,
        load_registry(TEST_REGISTRY),
        plain_http_security(Lockout(max_failures=3, lock_for=timedelta(minutes=15))),
        clock=lambda: now[0],
    )
    server = ConsoleServer(app, port=0)
    await server.start()
    try:
        yield Site(server.url, store, now)
    finally:
        await server.stop()


@pytest.fixture
async def office_account(store: AsyncEngine) -> Credentials:
    return await open_account(store, "office-wang", now=OPENED)


@pytest.fixture
async def tax_account(store: AsyncEngine) -> Credentials:
    return await open_account(store, "tax-li", now=OPENED, role=Role.LIAISON, unit=TAX)


@pytest.fixture
async def console(site: Site, office_account: Credentials) -> ConsoleClient:
    """A browser signed in as the office."""
    client = site.client()
    reply = await client.sign_in(office_account)
    assert reply.url.endswith("/overdue"), reply.body
    return client


@pytest.fixture
async def tax_liaison(site: Site, tax_account: Credentials) -> ConsoleClient:
    """A browser signed in as tax's liaison."""
    client = site.client()
    reply = await client.sign_in(tax_account)
    assert reply.url.endswith("/overdue"), reply.body
    return client


async def views_in(store: AsyncEngine) -> list[account_store.TraceView]:
    """The trace views recorded, oldest first."""
    async with async_sessionmaker(store)() as session:
        return list(reversed(await account_store.trace_views(session)))


async def test_the_home_page_is_the_overdue_list(console: ConsoleClient) -> None:
    reply = await console.get("/")

    assert reply.status == 200
    assert reply.url.endswith("/overdue")
    assert "逾期未签收、未答复事项" in reply.body


async def test_overdue_items_are_listed_per_unit_with_their_supervision_state(
    console: ConsoleClient,
) -> None:
    reply = await console.get("/overdue")

    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    body = reply.body
    # nr owes E1's receipt and reply; tax owes E2's receipt and reply.
    assert "共 4 项逾期" in body
    assert "舞阳县自然资源局" in body
    assert "已升级至联席会议办公室" in body
    assert "待督办" in body
    assert f'data-event-id="{E1}"' in body
    assert f'href="/trace?q={q(CASE)}"' in body
    # E2's subject is a person's ID number: shown masked, linked by event id.
    assert "411121********1234" in body
    assert ID_NO not in body
    assert f'href="/trace?q={E2}"' in body


async def test_the_overdue_list_of_one_unit(console: ConsoleClient) -> None:
    body = (await console.get(f"/overdue?unit={NR}")).body

    assert "共 2 项逾期" in body
    assert f'data-event-id="{E2}"' not in body


async def test_a_case_trace_shows_its_events_deliveries_and_timeline(
    console: ConsoleClient,
) -> None:
    reply = await console.get(f"/trace?q={q(CASE)}")

    assert reply.status == 200
    body = reply.body
    assert f"案件 {CASE}" in body
    assert "执行查询请求" in body
    assert "签收回执" in body
    assert "已答复" in body  # tax's copy
    assert "升级督办" in body  # nr's copy
    assert "审计日志" in body


async def test_an_unknown_trace_is_a_404_page(console: ConsoleClient) -> None:
    reply = await console.get("/trace?q=nothing-like-this")

    assert reply.status == 404
    assert "未找到" in reply.body


async def test_the_trace_page_without_a_query_offers_the_search(console: ConsoleClient) -> None:
    reply = await console.get("/trace")

    assert reply.status == 200
    assert 'name="q"' in reply.body


async def test_the_monthly_scorecard_page_and_its_csv(console: ConsoleClient) -> None:
    page = await console.get("/scorecard?month=2024-03")
    sheet = await console.get("/scorecard.csv?month=2024-03")

    assert page.status == 200
    assert "2024年3月成员单位签收答复考核" in page.body
    assert "按时签收率" in page.body
    assert "统计口径" in page.body
    assert sheet.content_type.startswith("text/csv")
    rows = {row["unit"]: row for row in csv.DictReader(io.StringIO(sheet.body))}
    # Every registry unit has a row. As of NOW: tax received E1 in time and answered it in
    # time, but has not received E2; nr received nothing and was escalated.
    assert len(rows) == len(load_registry(TEST_REGISTRY).units) + 1
    assert (rows[TAX]["deliveries"], rows[TAX]["receipt_on_time_rate"]) == ("2", "0.5000")
    assert (rows[NR]["still_overdue"], rows[NR]["escalated"]) == ("1", "1")


async def test_a_bad_month_is_a_400_page(console: ConsoleClient) -> None:
    reply = await console.get("/scorecard?month=2024-3")

    assert reply.status == 400
    assert "YYYY-MM" in reply.body


async def test_the_annual_page_and_a_bad_year(console: ConsoleClient) -> None:
    page = await console.get("/annual?year=2024")
    bad = await console.get("/annual?year=24")

    assert page.status == 200
    assert "2024年度行政案件及司法建议情况" in page.body
    assert "负责人出庭应诉率" in page.body
    assert bad.status == 400


async def test_the_liaison_list(console: ConsoleClient) -> None:
    reply = await console.get("/liaisons")

    assert reply.status == 200
    assert "李红梅" in reply.body
    assert "联席会议办公室" in reply.body
    assert "0395-7212302" in reply.body


async def test_a_store_that_cannot_be_read_gives_a_503_page(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    app = create_console_app(engine, load_registry(TEST_REGISTRY), plain_http_security())
    server = ConsoleServer(app, port=0)
    await server.start()
    try:
        browser = ConsoleClient(server.url)
        reply = await browser.sign_in(Credentials("office-wang", "whatever-it-is-123"))
        health = await browser.get("/healthz")
    finally:
        await server.stop()
        await engine.dispose()

    assert reply.status == 503
    assert "审计数据库暂时无法读取" in reply.body
    assert (health.status, health.body) == (200, "ok\n")


async def test_a_port_in_use_fails_at_start(site: Site) -> None:
    port = int(site.url.rsplit(":", 1)[1])
    engine = build_engine("sqlite+aiosqlite:///:memory:")
    app = create_console_app(engine, load_registry(TEST_REGISTRY), plain_http_security())
    server = ConsoleServer(app, port=port)

    with pytest.raises(OSError, match="in use"):
        await server.start()
    await engine.dispose()


async def test_no_banner_while_every_open_deadline_is_official(console: ConsoleClient) -> None:
    reply = await console.get("/overdue")
    assert "暂定日历" not in reply.body


async def test_a_banner_says_when_open_deadlines_are_provisional(
    store: AsyncEngine, console: ConsoleClient, tax_liaison: ConsoleClient
) -> None:
    async with async_sessionmaker(store)() as session:
        query = select(DeliveryRow).where(DeliveryRow.event_id == E2)
        assert (await session.execute(query)).scalar_one().status == "routed"
    async with async_sessionmaker(store)() as session, session.begin():
        await session.execute(
            update(DeliveryRow).where(DeliveryRow.event_id == E2).values(calendar="provisional")
        )

    reply = await console.get("/overdue")
    tax = await tax_liaison.get("/overdue")

    assert "1 件未办结事项的期限按暂定日历计算" in reply.body
    assert "fyhub calendar apply" in reply.body
    assert "1 件未办结事项的期限按暂定日历计算" in tax.body  # E2 is tax's


async def test_a_liaison_is_not_told_of_other_units_provisional_deadlines(
    store: AsyncEngine, tax_liaison: ConsoleClient
) -> None:
    async with async_sessionmaker(store)() as session, session.begin():
        await session.execute(
            update(DeliveryRow).where(DeliveryRow.recipient == NR).values(calendar="provisional")
        )

    assert "暂定日历" not in (await tax_liaison.get("/overdue")).body


# --- signing in -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/overdue", f"/trace?q={q(CASE)}", "/scorecard.csv", "/views"]
)
async def test_a_visitor_without_a_sign_in_gets_the_sign_in_page_and_nothing_else(
    site: Site, path: str
) -> None:
    reply = await site.client().get(path)

    assert reply.status == 200
    assert urllib.parse.urlsplit(reply.url).path == "/login"
    assert 'id="login-form"' in reply.body
    assert "逾期未签收" not in reply.body
    assert CASE not in reply.body
    assert E1 not in reply.body


async def test_after_signing_in_the_browser_goes_where_it_was_going(
    site: Site, office_account: Credentials
) -> None:
    browser = site.client()
    target = f"/trace?q={q(CASE)}"
    sent_to_login = await browser.get(target)
    next_page = urllib.parse.parse_qs(urllib.parse.urlsplit(sent_to_login.url).query)["next"][0]

    reply = await browser.sign_in(office_account, next_page=next_page)

    assert reply.url == site.url + target
    assert f"案件 {CASE}" in reply.body


async def test_a_sign_in_never_sends_the_browser_to_another_site(
    site: Site, office_account: Credentials
) -> None:
    reply = await site.client().sign_in(office_account, next_page="//evil.example/")

    assert reply.url == site.url + "/overdue"


async def test_a_wrong_password_or_an_unknown_login_is_refused_alike(
    site: Site, office_account: Credentials
) -> None:
    wrong = await site.client().sign_in(Credentials(office_account.login, "not-the-password"))
    unknown = await site.client().sign_in(Credentials("nobody-here", office_account.password))

    for reply in (wrong, unknown):
        assert reply.status == 401
        assert 'id="login-error"' in reply.body
        assert "逾期未签收" not in reply.body


async def test_a_sign_in_without_the_forms_csrf_token_is_refused(
    site: Site, office_account: Credentials
) -> None:
    browser = site.client()
    await browser.get("/login")  # a session with a token exists, the form does not carry it
    form = {"login": office_account.login, "password": office_account.password}

    missing = await browser.post("/login", form)
    forged = await browser.post("/login", form | {"csrf": "0" * 64})
    after = await browser.get("/overdue")

    assert (missing.status, forged.status) == (403, 403)
    assert "表单已失效" in missing.body
    assert urllib.parse.urlsplit(after.url).path == "/login"


async def test_a_token_from_another_session_does_not_sign_in(
    site: Site, office_account: Credentials
) -> None:
    theirs = await site.client().csrf("/login")
    browser = site.client()
    await browser.get("/login")
    form = {"login": office_account.login, "password": office_account.password}

    assert (await browser.post("/login", form | {"csrf": theirs})).status == 403


async def test_repeated_failures_lock_the_account_until_the_lock_ends(
    site: Site, office_account: Credentials
) -> None:
    wrong = Credentials(office_account.login, "not-the-password")
    for _ in range(3):  # the site's limit
        assert (await site.client().sign_in(wrong)).status == 401

    locked = await site.client().sign_in(office_account)
    site.now[0] = NOW + timedelta(minutes=15)
    unlocked = await site.client().sign_in(office_account)

    assert locked.status == 401  # the right password, but locked
    async with async_sessionmaker(site.store)() as session:
        found = await account_store.account(session, office_account.login)
    assert found is not None
    assert found.failed_attempts == 0
    assert unlocked.url.endswith("/overdue")


async def test_signing_out_ends_the_session(console: ConsoleClient) -> None:
    reply = await console.sign_out()
    after = await console.get("/overdue")

    assert urllib.parse.urlsplit(reply.url).path == "/login"
    assert urllib.parse.urlsplit(after.url).path == "/login"


async def test_signing_out_needs_the_csrf_token(console: ConsoleClient) -> None:
    refused = await console.post("/logout", {})
    after = await console.get("/overdue")

    assert refused.status == 403
    assert after.url.endswith("/overdue")
    assert "逾期未签收" in after.body


async def test_a_disabled_account_or_a_new_password_ends_the_session_at_once(
    site: Site, console: ConsoleClient, tax_liaison: ConsoleClient, office_account: Credentials
) -> None:
    async with async_sessionmaker(site.store)() as session, session.begin():
        await account_store.set_disabled(session, office_account.login, NOW, disabled=True)
        await account_store.set_password(session, "tax-li", "$argon2id$v=19$x", NOW)

    for browser in (console, tax_liaison):
        assert urllib.parse.urlsplit((await browser.get("/overdue")).url).path == "/login"


async def test_a_session_ends_after_its_max_age(site: Site, console: ConsoleClient) -> None:
    site.now[0] = NOW + timedelta(hours=8)

    assert urllib.parse.urlsplit((await console.get("/overdue")).url).path == "/login"


async def test_the_session_cookie_is_http_only_and_same_site_strict(
    site: Site, office_account: Credentials
) -> None:
    browser = site.client()
    await browser.sign_in(office_account)

    [cookie] = list(browser.cookies)
    assert cookie.name == "fyhub_console"
    assert cookie.has_nonstandard_attr("httponly")
    assert cookie.get_nonstandard_attr("samesite", "").lower() == "strict"
    assert not cookie.secure  # plain HTTP in tests; the settings' default is secure


# --- what every response carries ------------------------------------------------------------------


async def test_every_response_carries_the_security_headers(
    site: Site, console: ConsoleClient
) -> None:
    replies = [
        await site.client().get("/login"),
        await site.client().get("/no-such-page"),
        await site.client().get("/console.css"),
        await console.get("/overdue"),
        await console.get("/scorecard.csv?month=2024-03"),
        await console.get("/trace?q=nothing-like-this"),
    ]

    for reply in replies:
        assert reply.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["referrer-policy"] == "no-referrer"


async def test_the_pages_have_no_inline_style_or_script_and_load_the_stylesheet(
    site: Site, console: ConsoleClient
) -> None:
    css = await site.client().get("/console.css")
    pages = [await site.client().get("/login")] + [
        await console.get(path)
        for path in ("/overdue", f"/trace?q={q(CASE)}", "/scorecard", "/annual", "/liaisons")
    ]

    assert css.content_type.startswith("text/css")
    assert "header nav a" in css.body
    for page in pages:
        assert '<link rel="stylesheet" href="/console.css">' in page.body
        assert "<style" not in page.body
        assert "<script" not in page.body
        assert "style=" not in page.body


async def test_every_form_that_posts_carries_the_csrf_token(
    site: Site, console: ConsoleClient
) -> None:
    for page in (await site.client().get("/login"), await console.get("/overdue")):
        forms = page.body.split("<form")[1:]
        posting = [form for form in forms if 'method="post"' in form.split(">", 1)[0]]
        assert posting
        assert all('name="csrf" value="' in form.split("</form>", 1)[0] for form in posting)


# --- the office and a unit's liaison --------------------------------------------------------------


async def test_the_office_sees_every_unit_and_every_page(console: ConsoleClient) -> None:
    overdue = await console.get("/overdue")

    assert "共 4 项逾期" in overdue.body
    assert f'id="unit-{NR}"' in overdue.body
    assert f'id="unit-{TAX}"' in overdue.body
    assert 'href="/views"' in overdue.body
    for path in ("/scorecard", "/annual", "/views", "/scorecard.csv", f"/overdue?unit={NR}"):
        assert (await console.get(path)).status == 200, path


async def test_a_liaison_sees_only_its_own_units_overdue_items(tax_liaison: ConsoleClient) -> None:
    reply = await tax_liaison.get("/overdue")

    assert reply.status == 200
    assert "共 2 项逾期" in reply.body  # E2's receipt and reply
    assert f'id="unit-{TAX}"' in reply.body
    assert f'id="unit-{NR}"' not in reply.body
    assert "舞阳县自然资源局" not in reply.body
    assert 'href="/scorecard"' not in reply.body
    assert 'href="/views"' not in reply.body


@pytest.mark.parametrize(
    "path",
    [
        f"/overdue?unit={NR}",
        f"/liaisons?unit={NR}",
        "/scorecard",
        "/scorecard.csv?month=2024-03",
        "/annual",
        "/annual.csv?year=2024",
        "/views",
    ],
)
async def test_a_liaison_is_refused_other_units_pages_and_the_offices_own(
    tax_liaison: ConsoleClient, path: str
) -> None:
    reply = await tax_liaison.get(path)

    assert reply.status == 403
    assert "无权查看" in reply.body


async def test_a_liaisons_trace_of_a_case_shows_its_own_copies_only(
    console: ConsoleClient, tax_liaison: ConsoleClient
) -> None:
    office = await console.get(f"/trace?q={q(CASE)}")
    tax = await tax_liaison.get(f"/trace?q={q(CASE)}")

    assert f'data-recipient="{NR}"' in office.body
    assert tax.status == 200
    assert f"案件 {CASE}" in tax.body
    assert f'data-recipient="{TAX}"' in tax.body
    assert f'data-recipient="{NR}"' not in tax.body
    assert "舞阳县自然资源局" not in tax.body


async def test_a_trace_without_the_liaisons_unit_is_a_404_for_it(
    site: Site, store: AsyncEngine
) -> None:
    nr = await open_account(store, "nr-zhao", now=OPENED, role=Role.LIAISON, unit=NR)
    browser = site.client()
    await browser.sign_in(nr)

    own = await browser.get(f"/trace?q={E1}")
    other = await browser.get(f"/trace?q={E2}")  # to tax only

    assert own.status == 200
    assert other.status == 404
    assert "未找到" in other.body
    assert E2 not in other.body.split('id="not-found"', 1)[0].split("<main>", 1)[1]


async def test_the_liaison_list_of_a_liaison_is_its_own_units(tax_liaison: ConsoleClient) -> None:
    reply = await tax_liaison.get("/liaisons")

    assert reply.status == 200
    assert f'data-unit="{TAX}"' in reply.body
    assert f'data-unit="{NR}"' not in reply.body


# --- the record of trace views --------------------------------------------------------------------


async def test_every_trace_view_is_recorded_and_the_office_lists_them(
    store: AsyncEngine, console: ConsoleClient, tax_liaison: ConsoleClient
) -> None:
    await console.get(f"/trace?q={q(CASE)}")
    await tax_liaison.get(f"/trace?q={q(CASE)}")
    await tax_liaison.get(f"/trace?q={E1}")
    await console.get("/trace?q=nothing-like-this")
    await console.get("/trace")  # the search form: no case looked at

    recorded = [
        (v.login, v.role, v.unit, v.query, v.case_no, v.outcome) for v in await views_in(store)
    ]
    listed = await console.get("/views")
    of_tax = await console.get("/views?login=tax-li")

    assert recorded == [
        ("office-wang", "office", None, CASE, CASE, "shown"),
        ("tax-li", "liaison", TAX, CASE, CASE, "shown"),
        ("tax-li", "liaison", TAX, E1, None, "shown"),
        ("office-wang", "office", None, "nothing-like-this", None, "not_found"),
    ]
    assert all(v.viewed_at == NOW for v in await views_in(store))
    assert listed.body.count('class="trace-view"') == 4
    assert of_tax.body.count('class="trace-view"') == 2
    assert 'data-login="office-wang"' not in of_tax.body.split("<tbody>", 1)[1]
    assert "2024-03-10 12:00:00" in listed.body


async def test_a_refused_trace_view_is_recorded_as_refused(site: Site, store: AsyncEngine) -> None:
    nr = await open_account(store, "nr-zhao", now=OPENED, role=Role.LIAISON, unit=NR)
    browser = site.client()
    await browser.sign_in(nr)

    await browser.get(f"/trace?q={E2}")

    [view] = await views_in(store)
    assert (view.login, view.query, view.outcome) == ("nr-zhao", E2, "refused")


async def test_a_search_for_an_id_number_is_recorded_masked(
    store: AsyncEngine, console: ConsoleClient
) -> None:
    reply = await console.get(f"/trace?q={ID_NO}")

    [view] = await views_in(store)
    assert view.query == MASKED_ID
    assert ID_NO not in reply.body
    assert MASKED_ID in reply.body


# --- masking --------------------------------------------------------------------------------------


async def test_a_rejections_detail_shows_id_numbers_masked(
    console: ConsoleClient, tax_liaison: ConsoleClient
) -> None:
    for browser in (console, tax_liaison):
        reply = await browser.get(f"/trace?q={E3}")

        assert reply.status == 200
        assert "拒收记录" in reply.body
        assert f"id_no {MASKED_ID}: the check digit is wrong" in reply.body
        assert ID_NO not in reply.body


async def test_no_page_shows_an_id_number_unmasked(console: ConsoleClient) -> None:
    paths = ["/overdue", f"/trace?q={E2}", f"/trace?q={E3}", f"/trace?q={q(CASE)}", "/views"]
    for path in paths:
        assert ID_NO not in (await console.get(path)).body, path


async def test_the_sign_in_page_says_the_sites_lockout(site: Site) -> None:
    assert "连续输错密码 3 次，账户将锁定 15 分钟" in (await site.client().get("/login")).body
