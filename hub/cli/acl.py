"""`fyhub acl plan|apply` and `fyhub units credentials`: the brokers' principals and ACLs, made
to match the unit registry (docs/security.md).

Both talk to the brokers as the configured principal, which must be their administrator (the
local broker's `admin` unless `FYHUB_KAFKA__USERNAME` names another).
"""

from __future__ import annotations

import asyncio
from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer

from hub import bootstrap

if TYPE_CHECKING:
    from hub.acl.plan import Acl, AclDiff

acl_app = typer.Typer(
    help="The brokers' ACLs, planned from the unit registry.", no_args_is_help=True
)


@acl_app.command("plan")
def plan(
    offline: Annotated[
        bool, typer.Option("--offline", help="Print the planned set only; do not ask the brokers.")
    ] = False,
) -> None:
    """Print every ACL the registry implies, then how the brokers differ from it (exit 1 when
    they do)."""
    settings = bootstrap.load_settings()
    planned = bootstrap.planned_acls(settings)
    for acl in planned:
        print(acl.describe())
    print(f"{len(planned)} ACLs for {len(_principals(planned))} principals.")
    if offline:
        return
    from hub.acl.broker import present_acls  # noqa: PLC0415
    from hub.acl.plan import acl_diff  # noqa: PLC0415

    diff = acl_diff(planned, asyncio.run(present_acls(bootstrap.kafka_access(settings))))
    _print_diff(diff)
    if not diff.empty:
        raise typer.Exit(1)


@acl_app.command("apply")
def apply() -> None:
    """Make the brokers hold exactly the planned ACLs: create the missing, delete the rest."""
    from hub.acl.broker import apply_acls  # noqa: PLC0415

    settings = bootstrap.load_settings()
    planned = bootstrap.planned_acls(settings)
    diff = asyncio.run(apply_acls(bootstrap.kafka_access(settings), planned))
    _print_diff(diff, done=True)


def credentials(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the <principal>.password files (default: the local broker's home).",
        ),
    ] = None,
    rotate: Annotated[
        list[str] | None,
        typer.Option("--rotate", help="Give this principal a new password (repeatable)."),
    ] = None,
) -> None:
    """Create a SCRAM credential for every unit and hub service the brokers lack, or rotate the
    named ones; each password goes to its own 0600 file."""
    from hub.acl.principals import ensure_credentials  # noqa: PLC0415

    settings = bootstrap.load_settings()
    folder = out or bootstrap.local_credentials_folder(settings)
    if folder is None:
        typer.echo("fyhub units credentials: --out is needed for configured brokers", err=True)
        raise typer.Exit(2)
    principals = bootstrap.planned_principals(settings)
    try:
        report = asyncio.run(
            ensure_credentials(
                bootstrap.kafka_access(settings), principals, folder, rotate=rotate or ()
            )
        )
    except ValueError as error:
        typer.echo(f"fyhub units credentials: {error}", err=True)
        raise typer.Exit(2) from None
    for name, done in (("created", report.created), ("rotated", report.rotated)):
        for principal in done:
            print(f"{name} {principal}: {folder / (principal + '.password')}")
    print(
        f"{len(report.created)} created, {len(report.rotated)} rotated, "
        f"{len(report.kept)} kept; password files in {folder}"
    )


def _print_diff(diff: AclDiff, *, done: bool = False) -> None:
    add, remove = ("created", "deleted") if done else ("missing", "extra")
    for acl in diff.missing:
        print(f"+ {add}: {acl.describe()}")
    for acl in diff.extra:
        print(f"- {remove}: {acl.describe()}")
    if diff.empty:
        print("The brokers hold exactly the planned ACLs." if not done else "No change needed.")
    else:
        print(f"{len(diff.missing)} {add}, {len(diff.extra)} {remove}.")


def _principals(acls: list[Acl]) -> set[str]:
    return {acl.principal for acl in acls}
