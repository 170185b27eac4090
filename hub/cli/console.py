"""`fyhub console`: the joint-meeting office's console until Ctrl-C, and `fyhub console accounts
add|passwd|disable|enable|list`, who may sign in to it.

Passwords are read from a prompt (typed twice, not echoed) or from the first line of a file
(`--password-file`, e.g. made by a secrets manager), never from the command line, where `ps`
and the shell's history would show them. The store is the one `FYHUB_DB__URL` names, migrated
(`fyhub up` or `fyhub run auditor` migrate it).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub import bootstrap
from hub.cli.serve import serve
from hub.cli.supervision import plain_errors, registry_or_exit
from hub.supervision.console import account_store
from hub.supervision.console.accounts import Role, hash_password, login_problem, password_problem
from hub.supervision.text import show_time

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.settings import Settings

T = TypeVar("T")

console_app = typer.Typer(
    help="The joint-meeting office's console (web pages behind a sign-in), and its accounts.",
    invoke_without_command=True,
)
accounts_app = typer.Typer(help="Who may sign in to the console.", no_args_is_help=True)
console_app.add_typer(accounts_app, name="accounts")

PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the password from this file's first line instead of a prompt.",
        exists=True,
        dir_okay=False,
    ),
]


@console_app.callback()
def console(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [default: FYHUB_CONSOLE__HOST].")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Port to listen on [default: FYHUB_CONSOLE__PORT]."),
    ] = None,
) -> None:
    """The joint-meeting office's console until Ctrl-C (without a sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = bootstrap.load_settings()
    registry_or_exit(settings)
    chosen = settings.console.model_copy(
        update={
            "host": host or settings.console.host,
            "port": settings.console.port if port is None else port,
        }
    )
    server = bootstrap.build_console(settings.model_copy(update={"console": chosen}))
    with plain_errors(settings.db.url):
        asyncio.run(
            serve([server], on_started=lambda: f"fyhub console at {server.url}; Ctrl-C stops it.")
        )


@accounts_app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="The account's name, e.g. office-wang.")],
    role: Annotated[Role, typer.Option(help="office: everything; liaison: one unit's items.")],
    unit: Annotated[
        str | None, typer.Option(help="The liaison's unit, e.g. tax.411121 (liaisons only).")
    ] = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Open an account."""
    settings = bootstrap.load_settings()
    if problem := login_problem(login):
        raise typer.BadParameter(problem, param_hint="LOGIN")
    if role is Role.LIAISON:
        if unit is None:
            raise typer.BadParameter("a liaison's account names its unit", param_hint="--unit")
        if registry_or_exit(settings).unit(unit) is None:
            raise typer.BadParameter(f"{unit} is not a registered unit", param_hint="--unit")
    elif unit is not None:
        raise typer.BadParameter("the office's accounts belong to no unit", param_hint="--unit")
    password_hash = hash_password(_password(password_file))
    now = datetime.now(UTC)
    _change(
        settings,
        lambda s: account_store.add_account(
            s, login=login, role=role, unit=unit, password_hash=password_hash, now=now
        ),
    )
    typer.echo(f"added {role.value} account {login}" + (f" of {unit}" if unit else ""))


@accounts_app.command("passwd")
def passwd(login: str, password_file: PasswordFileOption = None) -> None:
    """Set an account's password; clears its lock and ends its sessions."""
    settings = bootstrap.load_settings()
    password_hash = hash_password(_password(password_file))
    now = datetime.now(UTC)
    _change(settings, lambda s: account_store.set_password(s, login, password_hash, now))
    typer.echo(f"new password for {login}; its sessions have ended")


@accounts_app.command("disable")
def disable(login: str) -> None:
    """Stop an account signing in; ends its sessions at once."""
    settings = bootstrap.load_settings()
    now = datetime.now(UTC)
    _change(settings, lambda s: account_store.set_disabled(s, login, now, disabled=True))
    typer.echo(f"disabled {login}")


@accounts_app.command("enable")
def enable(login: str) -> None:
    """Let a disabled account sign in again."""
    settings = bootstrap.load_settings()
    now = datetime.now(UTC)
    _change(settings, lambda s: account_store.set_disabled(s, login, now, disabled=False))
    typer.echo(f"enabled {login}")


@accounts_app.command("list")
def list_accounts() -> None:
    """Every account: role, unit, and whether it is disabled or locked."""
    settings = bootstrap.load_settings()
    found = _run(settings, account_store.accounts)
    now = datetime.now(UTC)
    if not found:
        typer.echo("no accounts")
    for account in found:
        marks = ["disabled"] if account.disabled else []
        if account.locked(now):
            marks.append(f"locked until {show_time(account.locked_until)}")
        elif account.failed_attempts:
            marks.append(f"{account.failed_attempts} failed sign-in(s)")
        typer.echo(
            f"{account.login:<24} {account.role.value:<8} {account.unit or '-':<20} "
            f"{', '.join(marks) or 'active'}"
        )


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password):
        typer.echo(f"Error: {problem}", err=True)
        raise typer.Exit(1)
    return password


def _change(settings: Settings, change: Callable[[AsyncSession], Awaitable[None]]) -> None:
    try:
        _run(settings, change)
    except account_store.AccountError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = bootstrap.build_engine(settings)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    with plain_errors(settings.db.url):
        return asyncio.run(run())
