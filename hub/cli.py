"""The `fyhub` command line: one Typer app, each group of verbs in its own module."""

from __future__ import annotations

from importlib.metadata import version as dist_version

import typer

app = typer.Typer(name="fyhub", help="府院联动数据共享枢纽 — the court–government data-sharing hub.",
                  no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    """府院联动数据共享枢纽 — the court–government data-sharing hub."""


@app.command()
def version() -> None:
    """Print the installed fyhub version."""
    print(f"fyhub {dist_version('fyhub')}")


def main() -> None:
    app()
