"""The console of a one-machine run (`fyhub up`): its session secret made on first start, plain
HTTP on loopback, and an office account whose random password waits in a file only its owner
can read. Elsewhere the operator provides the secret and opens the accounts
(`fyhub console accounts add`); the console refuses to start without a secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.kafka.credentials import write_password
from hub.supervision.console import account_store
from hub.supervision.console.accounts import Role, hash_password, new_password

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.settings import Settings

OFFICE_LOGIN = "office"
OFFICE_PASSWORD_FILE = "console-office.password"  # noqa: S105 - a file name


@dataclass(frozen=True, slots=True)
class LocalConsole:
    settings: Settings
    """The settings with plain-HTTP cookies."""
    password_file: Path
    created_office: bool
    """Whether the office account was opened now (its password is in `password_file`)."""


async def prepare_local_console(
    settings: Settings, engine: AsyncEngine, state: Path
) -> LocalConsole:
    """Makes the session secret if there is none, and the office account `office` if there is
    none, with a random password written to `state/console-office.password` (0600). The store
    at `engine` is migrated."""
    secret_file = settings.console.session_secret_file
    if not secret_file.exists():
        write_password(secret_file, secrets.token_urlsafe(48))
    password_file = state / OFFICE_PASSWORD_FILE
    async with async_sessionmaker(engine)() as session, session.begin():
        exists = await account_store.account(session, OFFICE_LOGIN) is not None
        if not exists:
            password = new_password()
            await account_store.add_account(
                session,
                login=OFFICE_LOGIN,
                role=Role.OFFICE,
                unit=None,
                password_hash=hash_password(password),
                now=datetime.now(UTC),
            )
            write_password(password_file, password)
    local = settings.console.model_copy(update={"secure_cookie": False})
    return LocalConsole(settings.model_copy(update={"console": local}), password_file, not exists)
