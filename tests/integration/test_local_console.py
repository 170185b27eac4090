"""The console of `fyhub up` on a store of the test's own: the session secret and the office
account made on the first start, both private to their owner, and left as they are after."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.bootstrap import load_console_session_secret, load_settings
from hub.devkit.local_console import OFFICE_LOGIN, prepare_local_console
from hub.store.migrate import upgrade_engine
from hub.supervision.console import account_store
from hub.supervision.console.accounts import Role, password_matches

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine


async def office(engine: AsyncEngine) -> account_store.Account | None:
    async with async_sessionmaker(engine)() as session:
        return await account_store.account(session, OFFICE_LOGIN)


async def test_the_first_start_makes_the_secret_and_the_office_account(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    await upgrade_engine(sqlite_engine)
    state = tmp_path / "state"
    settings = load_settings(console={"session_secret_file": state / "console-session.key"})

    first = await prepare_local_console(settings, sqlite_engine, state)

    secret_file = state / "console-session.key"
    assert secret_file.stat().st_mode & 0o077 == 0
    assert len(load_console_session_secret(first.settings)) >= 32
    assert first.created_office
    assert first.password_file == state / "console-office.password"
    assert first.password_file.stat().st_mode & 0o077 == 0
    assert settings.console.secure_cookie
    assert not first.settings.console.secure_cookie  # plain HTTP on loopback
    found = await office(sqlite_engine)
    assert found is not None
    assert (found.role, found.unit) == (Role.OFFICE, None)
    password = first.password_file.read_text(encoding="utf-8").strip()
    assert password_matches(found.password_hash, password)


async def test_later_starts_leave_the_secret_and_the_account_as_they_are(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    await upgrade_engine(sqlite_engine)
    state = tmp_path / "state"
    settings = load_settings(console={"session_secret_file": state / "console-session.key"})
    await prepare_local_console(settings, sqlite_engine, state)
    secret = (state / "console-session.key").read_text(encoding="utf-8")
    before = await office(sqlite_engine)

    again = await prepare_local_console(settings, sqlite_engine, state)

    assert not again.created_office
    assert (state / "console-session.key").read_text(encoding="utf-8") == secret
    assert await office(sqlite_engine) == before
