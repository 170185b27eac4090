"""The office's console in a real browser: headless Chromium, driven over the W3C WebDriver
protocol by Debian's chromedriver. A visitor without a sign-in is sent to the sign-in page; the
office signs in, finds an overdue item this test created and follows its link to the trace page;
a unit's liaison sees only its unit's items; and every trace looked at is on the office's record
of views. Screenshots are kept under build/test-artifacts/.

Needs the `chromium` and `chromium-driver` packages. Without them the test is skipped on a
developer's machine and fails in CI (CI=true), where they must be installed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.overdue import OverdueNotice
from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, Stage
from hub.registry import load_registry
from hub.store.migrate import upgrade_engine
from hub.supervision.console import ConsoleServer, create_console_app
from hub.supervision.console.accounts import Role
from hub.tracker.work import escalated_mark, overdue_mark
from schemas.units import source_uri
from tests.fixtures.console_login import Credentials, open_account, plain_http_security
from tests.fixtures.journal import CASE, COURT, NR, T0, TAX, Journal, event_id
from tests.fixtures.ports import free_port
from tests.hubkit import ROOT, TEST_REGISTRY

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
"""The W3C WebDriver key of an element reference."""
DRIVER_START_S = 30.0
FIND_WAIT_MS = 15_000
OPENED = datetime(2024, 2, 1, 9, 0, tzinfo=T0.tzinfo)
OTHER_CASE = "（2024）豫1121执200号"
T = TypeVar("T")
E1, E2 = event_id(1), event_id(2)
JUSTICE = "justice.411121"
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=T0.tzinfo)


def browser_or_fail() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing = "chromium" if not chromium else "chromedriver"
    message = f"{missing} not found; install Debian's chromium and chromium-driver packages"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class WebDriver:
    """A few W3C WebDriver commands over plain HTTP; blocking, so call them off the event loop."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = ""

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read()).get("value", {})
            raise AssertionError(f"WebDriver {method} {path}: {detail.get('message')}") from None

    def start(self, chromium: str, profile: Path) -> None:
        options = {"binary": chromium, "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]}
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options}
        found = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = f"/session/{found['sessionId']}"
        # Finding an element waits for it (the next page loading), up to this long.
        self.call("POST", f"{self.session}/timeouts", {"implicit": FIND_WAIT_MS})

    def open(self, url: str) -> None:
        self.call("POST", f"{self.session}/url", {"url": url})

    def find(self, css: str) -> str:
        found = self.call(
            "POST", f"{self.session}/element", {"using": "css selector", "value": css}
        )
        return str(found[ELEMENT])

    def click(self, element: str) -> None:
        self.call("POST", f"{self.session}/element/{element}/click", {})

    def type(self, element: str, text: str) -> None:
        self.call("POST", f"{self.session}/element/{element}/value", {"text": text})

    def count(self, css: str) -> int:
        """How many elements match now (no waiting)."""
        self.call("POST", f"{self.session}/timeouts", {"implicit": 0})
        try:
            found = self.call(
                "POST", f"{self.session}/elements", {"using": "css selector", "value": css}
            )
        finally:
            self.call("POST", f"{self.session}/timeouts", {"implicit": FIND_WAIT_MS})
        return len(found)

    def source(self) -> str:
        return str(self.call("GET", f"{self.session}/source"))

    def delete_cookies(self) -> None:
        self.call("DELETE", f"{self.session}/cookie")

    def sign_in(self, base: str, credentials: Credentials) -> None:
        """Types the credentials into the sign-in page and submits it."""
        self.open(f"{base}/login")
        self.type(self.find("#login"), credentials.login)
        self.type(self.find("#password"), credentials.password)
        self.click(self.find("#sign-in"))
        self.find("#signed-in")

    def text(self, element: str) -> str:
        return str(self.call("GET", f"{self.session}/element/{element}/text"))

    def url(self) -> str:
        return str(self.call("GET", f"{self.session}/url"))

    def screenshot(self, name: str, tmp_path: Path) -> Path:
        png = base64.b64decode(self.call("GET", f"{self.session}/screenshot"))
        (tmp_path / name).write_bytes(png)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        kept = ARTIFACTS / name
        kept.write_bytes(png)
        print(f"screenshot: {kept} (and {tmp_path / name})")
        return kept

    def quit(self) -> None:
        if self.session:
            self.call("DELETE", self.session)


def wait_until_ready(driver: WebDriver, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DRIVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromedriver exited with {process.returncode}")
        try:
            if driver.call("GET", "/status").get("ready"):
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"chromedriver not ready after {DRIVER_START_S} s")


@pytest.fixture
def webdriver(tmp_path: Path) -> Iterator[WebDriver]:
    chromium, chromedriver = browser_or_fail()
    port = free_port()
    log = (tmp_path / "chromedriver.log").open("wb")
    process = subprocess.Popen(
        [chromedriver, f"--port={port}", "--allowed-ips=127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    driver = WebDriver(f"http://127.0.0.1:{port}")
    try:
        wait_until_ready(driver, process)
        driver.start(chromium, tmp_path / "chromium-profile")
        yield driver
    finally:
        try:
            driver.quit()
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """E1 of the case to tax (receipted) and nr (never receipted, escalated by the tracker); E2
    of another case to tax only (never receipted)."""
    await upgrade_engine(sqlite_engine)
    j = Journal()
    records = j.records(
        j.routed(E1),
        j.answer(event_id(101), E1, at=T0 + timedelta(hours=1)),
        j.routed(
            E2,
            at=T0 + timedelta(hours=2),
            to=((TAX, ["case_no"]),),
            subject=OTHER_CASE,
            data={"case_no": OTHER_CASE, "subjects": [{"name": "李四"}]},
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


@pytest.fixture
async def console(store: AsyncEngine) -> AsyncIterator[str]:
    app = create_console_app(
        store, load_registry(TEST_REGISTRY), plain_http_security(), clock=lambda: NOW
    )
    server = ConsoleServer(app, port=0)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


def in_thread(function: Callable[..., T], *args: Any) -> Awaitable[T]:
    return asyncio.to_thread(function, *args)


async def test_a_visitor_without_a_sign_in_is_sent_to_the_sign_in_page(
    console: str, webdriver: WebDriver, tmp_path: Path
) -> None:
    await in_thread(webdriver.open, f"{console}/overdue")
    form = await in_thread(webdriver.find, "#login-form")
    url = await in_thread(webdriver.url)
    overdue_rows = await in_thread(webdriver.count, "tr.overdue-item")
    await in_thread(webdriver.screenshot, "console-login.png", tmp_path)

    assert form
    assert url.startswith(f"{console}/login?next=")
    assert overdue_rows == 0
    assert CASE not in await in_thread(webdriver.source)


async def test_the_office_follows_an_overdue_item_to_its_trace_and_sees_every_unit(
    store: AsyncEngine, console: str, webdriver: WebDriver, tmp_path: Path
) -> None:
    office = await open_account(store, "office-wang", now=OPENED)
    await in_thread(webdriver.sign_in, console, office)
    await in_thread(webdriver.open, f"{console}/overdue")
    row = f'tr.overdue-item[data-event-id="{E1}"][data-stage="receipt"]'
    state = await in_thread(webdriver.find, f'section[id="unit-{NR}"] {row} .tag')
    state_text = await in_thread(webdriver.text, state)
    units = await in_thread(webdriver.count, "section.unit")
    await in_thread(webdriver.screenshot, "console-overdue.png", tmp_path)
    link = await in_thread(webdriver.find, f"{row} a.trace-link")
    await in_thread(webdriver.click, link)
    title = await in_thread(webdriver.find, "#trace-title")
    title_text = await in_thread(webdriver.text, title)
    nr_copy = await in_thread(webdriver.find, f'tr[data-recipient="{NR}"]')
    nr_text = await in_thread(webdriver.text, nr_copy)
    tax_copy = await in_thread(webdriver.find, f'tr[data-recipient="{TAX}"]')
    tax_text = await in_thread(webdriver.text, tax_copy)
    url = await in_thread(webdriver.url)
    shot = await in_thread(webdriver.screenshot, "console-trace.png", tmp_path)

    assert state_text == "已升级至联席会议办公室"
    assert units == 2  # nr and tax
    assert "/trace?q=" in url
    assert title_text == f"案件 {CASE}"
    assert "舞阳县自然资源局" in nr_text
    assert "已送达，待签收" in nr_text
    assert "升级督办" in nr_text
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert "已签收" in tax_text


async def test_a_liaison_sees_only_its_unit_and_the_office_sees_what_it_looked_at(
    store: AsyncEngine, console: str, webdriver: WebDriver, tmp_path: Path
) -> None:
    office = await open_account(store, "office-wang", now=OPENED)
    nr = await open_account(store, "nr-zhao", now=OPENED, role=Role.LIAISON, unit=NR)

    await in_thread(webdriver.sign_in, console, nr)
    await in_thread(webdriver.open, f"{console}/overdue")
    await in_thread(webdriver.find, f'section[id="unit-{NR}"]')
    nr_sections = await in_thread(webdriver.count, "section.unit")
    tax_sections = await in_thread(webdriver.count, f'section[id="unit-{TAX}"]')
    views_links = await in_thread(webdriver.count, 'a[href="/views"]')
    await in_thread(webdriver.screenshot, "console-liaison-overdue.png", tmp_path)
    await in_thread(webdriver.click, await in_thread(webdriver.find, "a.trace-link"))
    await in_thread(webdriver.find, "#trace-title")
    own_copies = await in_thread(webdriver.count, f'tr[data-recipient="{NR}"]')
    other_copies = await in_thread(webdriver.count, f'tr[data-recipient="{TAX}"]')
    await in_thread(webdriver.screenshot, "console-liaison-trace.png", tmp_path)
    await in_thread(webdriver.open, f"{console}/trace?q={E2}")  # tax's only
    refused = await in_thread(webdriver.text, await in_thread(webdriver.find, "#not-found"))
    await in_thread(webdriver.open, f"{console}/scorecard")
    forbidden = await in_thread(webdriver.text, await in_thread(webdriver.find, "#message"))
    await in_thread(webdriver.click, await in_thread(webdriver.find, "#logout"))
    await in_thread(webdriver.find, "#login-form")

    await in_thread(webdriver.sign_in, console, office)
    await in_thread(webdriver.click, await in_thread(webdriver.find, 'a[href="/views"]'))
    await in_thread(webdriver.find, "table.views")
    nr_views = await in_thread(webdriver.count, 'tr.trace-view[data-login="nr-zhao"]')
    shown = await in_thread(webdriver.count, 'tr.trace-view[data-outcome="shown"]')
    refused_views = await in_thread(webdriver.count, 'tr.trace-view[data-outcome="refused"]')
    first = await in_thread(webdriver.text, await in_thread(webdriver.find, "tr.trace-view"))
    await in_thread(webdriver.screenshot, "console-views.png", tmp_path)

    assert (nr_sections, tax_sections, views_links) == (1, 0, 0)
    assert (own_copies, other_copies) == (1, 0)
    assert "未找到" in refused
    assert "无权查看" in forbidden
    assert (nr_views, shown, refused_views) == (2, 1, 1)
    assert "nr-zhao" in first  # the latest first: the refused look at E2
    assert E2 in first
