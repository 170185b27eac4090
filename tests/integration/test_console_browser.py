"""The office's console in a real browser: headless Chromium, driven over the W3C WebDriver
protocol by Debian's chromedriver, finds an overdue item this test created, follows its link to
the trace page, and keeps screenshots under build/test-artifacts/.

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
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.deliveries.overdue import OverdueNotice
from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, Stage
from hub.registry import load_registry
from hub.store.migrate import upgrade_engine
from hub.supervision.console import ConsoleServer, create_console_app
from hub.tracker.work import escalated_mark, overdue_mark
from schemas.units import source_uri
from tests.fixtures.journal import CASE, COURT, NR, T0, TAX, Journal, event_id
from tests.fixtures.ports import free_port
from tests.hubkit import ROOT, TEST_REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterator
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
E1 = event_id(1)
JUSTICE = "justice.411121"


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
    """E1 of the case to tax (receipted) and nr (never receipted, escalated by the tracker)."""
    await upgrade_engine(sqlite_engine)
    j = Journal()
    records = j.records(j.routed(E1), j.answer(event_id(101), E1, at=T0 + timedelta(hours=1)))
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


async def test_an_overdue_item_leads_to_its_trace_in_a_browser(
    store: AsyncEngine, webdriver: WebDriver, tmp_path: Path
) -> None:
    server = ConsoleServer(create_console_app(store, load_registry(TEST_REGISTRY)), port=0)
    await server.start()
    try:
        await asyncio.to_thread(webdriver.open, f"{server.url}/overdue")
        row = f'tr.overdue-item[data-event-id="{E1}"][data-stage="receipt"]'
        state = await asyncio.to_thread(webdriver.find, f'section[id="unit-{NR}"] {row} .tag')
        state_text = await asyncio.to_thread(webdriver.text, state)
        await asyncio.to_thread(webdriver.screenshot, "console-overdue.png", tmp_path)
        link = await asyncio.to_thread(webdriver.find, f"{row} a.trace-link")
        await asyncio.to_thread(webdriver.click, link)
        title = await asyncio.to_thread(webdriver.find, "#trace-title")
        title_text = await asyncio.to_thread(webdriver.text, title)
        nr_copy = await asyncio.to_thread(webdriver.find, f'tr[data-recipient="{NR}"]')
        nr_text = await asyncio.to_thread(webdriver.text, nr_copy)
        tax_copy = await asyncio.to_thread(webdriver.find, f'tr[data-recipient="{TAX}"]')
        tax_text = await asyncio.to_thread(webdriver.text, tax_copy)
        url = await asyncio.to_thread(webdriver.url)
        shot = await asyncio.to_thread(webdriver.screenshot, "console-trace.png", tmp_path)
    finally:
        await server.stop()

    assert state_text == "已升级至联席会议办公室"
    assert "/trace?q=" in url
    assert title_text == f"案件 {CASE}"
    assert "舞阳县自然资源局" in nr_text
    assert "已送达，待签收" in nr_text
    assert "升级督办" in nr_text
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert "已签收" in tax_text
