"""`fyhub console` and `fyhub console accounts` as an operator runs them, on a store of the
test's own: accounts opened, listed, given a new password and disabled, passwords never taken
from the command line, and the console refusing to start without its session secret."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.supervision.console import account_store
from hub.supervision.console.accounts import Role, password_matches
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from hub.supervision.console.accounts import Account

FYHUB = Path(sys.executable).parent / "fyhub"
PASSWORD = "a-long-enough-password"


@pytest.fixture
async def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `fyhub` run on a migrated store in `tmp_path`."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store' / 'fyhub.db'}"
    engine = build_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()
    secret = tmp_path / "console-session.key"
    secret.write_text("s" * 48, encoding="utf-8")
    secret.chmod(0o600)
    base = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    return base | {
        "FYHUB_DB__URL": url,
        "FYHUB_REGISTRY": str(TEST_REGISTRY),
        "FYHUB_CONSOLE__SESSION_SECRET_FILE": str(secret),
    }


def fyhub(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FYHUB, "console", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def stored(env: dict[str, str], login: str) -> Account | None:
    engine = build_engine(env["FYHUB_DB__URL"])
    try:
        async with async_sessionmaker(engine)() as session:
            return await account_store.account(session, login)
    finally:
        await engine.dispose()


async def test_accounts_are_opened_from_a_password_file_or_a_prompt_and_listed(
    env: dict[str, str], tmp_path: Path
) -> None:
    password_file = tmp_path / "tax-li.password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")

    liaison = fyhub(
        env, "accounts", "add", "tax-li", "--role", "liaison", "--unit", "tax.411121",
        "--password-file", str(password_file),
    )  # fmt: skip
    office = fyhub(
        env, "accounts", "add", "office-wang", "--role", "office", stdin=f"{PASSWORD}\n" * 2
    )
    listed = fyhub(env, "accounts", "list")

    assert liaison.returncode == 0, liaison.stderr
    assert office.returncode == 0, office.stderr
    assert PASSWORD not in office.stdout + office.stderr
    assert listed.stdout.split("\n")[0].split() == ["office-wang", "office", "-", "active"]
    assert listed.stdout.split("\n")[1].split() == ["tax-li", "liaison", "tax.411121", "active"]
    tax = await stored(env, "tax-li")
    assert tax is not None
    assert (tax.role, tax.unit) == (Role.LIAISON, "tax.411121")
    assert tax.password_hash.startswith("$argon2id$")
    assert password_matches(tax.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "x-li", "--role", "liaison"], "names its unit"),
        (["add", "x-li", "--role", "liaison", "--unit", "nosuch.411121"], "not a registered unit"),
        (["add", "office-2", "--role", "office", "--unit", "tax.411121"], "belong to no unit"),
        (["add", "bad login", "--role", "office"], "a login has"),
        (["add", "office-3", "--role", "office", "--password", PASSWORD], "No such option"),
    ],
)
def test_accounts_that_cannot_be_are_refused(
    env: dict[str, str], args: list[str], said: str
) -> None:
    refused = fyhub(env, "accounts", *args, stdin=f"{PASSWORD}\n" * 2)

    assert refused.returncode != 0
    assert said in refused.stderr


def test_a_short_password_a_mistyped_one_and_a_second_account_of_a_name_are_refused(
    env: dict[str, str],
) -> None:
    short = fyhub(env, "accounts", "add", "office-wang", "--role", "office", stdin="short\nshort\n")
    mistyped = fyhub(
        env, "accounts", "add", "office-wang", "--role", "office",
        stdin=f"{PASSWORD}\n{PASSWORD}x\n{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    again = fyhub(
        env, "accounts", "add", "office-wang", "--role", "office", stdin=f"{PASSWORD}\n" * 2
    )

    assert short.returncode == 1
    assert "at least 12 characters" in short.stderr
    assert mistyped.returncode == 0  # typer asks again until both match
    assert again.returncode == 1
    assert "already an account office-wang" in again.stderr


async def test_a_new_password_disabling_and_enabling(env: dict[str, str]) -> None:
    fyhub(env, "accounts", "add", "office-wang", "--role", "office", stdin=f"{PASSWORD}\n" * 2)
    before = await stored(env, "office-wang")

    changed = fyhub(env, "accounts", "passwd", "office-wang", stdin="another-long-password\n" * 2)
    after_passwd = await stored(env, "office-wang")
    disabled = fyhub(env, "accounts", "disable", "office-wang")
    listed = fyhub(env, "accounts", "list")
    enabled = fyhub(env, "accounts", "enable", "office-wang")
    unknown = fyhub(env, "accounts", "disable", "nobody")

    assert changed.returncode == 0, changed.stderr
    assert before is not None
    assert after_passwd is not None
    assert password_matches(after_passwd.password_hash, "another-long-password")
    assert not password_matches(after_passwd.password_hash, PASSWORD)
    assert after_passwd.credentials_changed_at > before.credentials_changed_at
    assert disabled.returncode == 0
    assert "disabled" in listed.stdout
    assert enabled.returncode == 0
    final = await stored(env, "office-wang")
    assert final is not None
    assert not final.disabled
    assert unknown.returncode == 1
    assert "no account nobody" in unknown.stderr


def test_the_console_refuses_to_start_without_its_session_secret(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing = fyhub(env | {"FYHUB_CONSOLE__SESSION_SECRET_FILE": str(tmp_path / "none.key")})
    shared = tmp_path / "shared.key"
    shared.write_text("s" * 48, encoding="utf-8")
    shared.chmod(0o644)
    readable = fyhub(env | {"FYHUB_CONSOLE__SESSION_SECRET_FILE": str(shared)})

    assert missing.returncode == 2
    assert "refusing to start" in missing.stderr
    assert "FYHUB_CONSOLE__SESSION_SECRET_FILE" in missing.stderr
    assert readable.returncode == 2
    assert "chmod 600" in readable.stderr


async def test_the_console_serves_its_sign_in_page_until_ctrl_c(env: dict[str, str]) -> None:
    console = await asyncio.create_subprocess_exec(
        FYHUB, "console", "--port", "0", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert console.stdout is not None
        line = (await asyncio.wait_for(console.stdout.readline(), 60)).decode()
        assert line.startswith("fyhub console at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split(";", 1)[0]
        with await asyncio.to_thread(urllib.request.urlopen, f"{url}/overdue", None, 30) as page:
            body = page.read().decode()
            landed = page.url
    finally:
        console.send_signal(signal.SIGINT)
        stopped = await asyncio.wait_for(console.wait(), 60)

    assert landed.startswith(f"{url}/login?next=")
    assert 'id="login-form"' in body
    assert stopped == 0
