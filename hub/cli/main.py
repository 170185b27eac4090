"""The `fyhub` command line: one Typer app, each group of verbs in its own module."""

from __future__ import annotations

import json
from importlib.metadata import version as dist_version
from typing import Annotated

import typer

from hub.cli.acl import acl_app, credentials
from hub.cli.calendar import calendar_app
from hub.cli.console import console_app
from hub.cli.contracts import routes_app, units_app
from hub.cli.dlq import dlq_app
from hub.cli.doctor import doctor
from hub.cli.k8s import k8s_app
from hub.cli.kafka import kafka_app
from hub.cli.run import run, topics_app
from hub.cli.store import audit_app, overdue, replay, trace
from hub.cli.supervision import annual, liaisons, scorecard
from hub.cli.up import up

app = typer.Typer(
    name="fyhub",
    help="府院联动数据共享枢纽 — the court–government data-sharing hub.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("up")(up)
app.add_typer(kafka_app, name="kafka")
units_app.command("liaisons")(liaisons)
units_app.command("credentials")(credentials)
app.add_typer(units_app, name="units")
app.add_typer(routes_app, name="routes")
app.add_typer(topics_app, name="topics")
app.add_typer(acl_app, name="acl")
app.add_typer(dlq_app, name="dlq")
app.add_typer(calendar_app, name="calendar")
app.command("run")(run)
app.add_typer(audit_app, name="audit")
app.command("trace")(trace)
app.command("overdue")(overdue)
app.command("replay")(replay)
app.command("scorecard")(scorecard)
app.command("annual")(annual)
app.add_typer(console_app, name="console")
app.command("doctor")(doctor)
app.add_typer(k8s_app, name="k8s")


@app.callback()
def _root() -> None:
    """府院联动数据共享枢纽 — the court–government data-sharing hub."""


@app.command("hub-key")
def hub_key(
    as_entry: Annotated[
        bool,
        typer.Option("--json", help="Print it as an entry of FYHUB_SECURITY__HUB_KEYS."),
    ] = False,
) -> None:
    """Print the hub's signing key id and public key (base64), for connectors to verify the
    copies the hub delivers and auditors the journal's seals; in a local run the key is made on
    first use."""
    from hub import bootstrap  # noqa: PLC0415
    from schemas.signing import dump_public_key  # noqa: PLC0415

    settings = bootstrap.load_settings()
    public = dump_public_key(bootstrap.load_hub_signing_key(settings).public_key())
    key_id = settings.security.signing_key_id
    print(json.dumps({"key_id": key_id, "public": public}) if as_entry else f"{key_id} {public}")


@app.command()
def version() -> None:
    """Print the installed fyhub version."""
    print(f"fyhub {dist_version('fyhub')}")


def main() -> None:
    from hub.kafka.access import KafkaAccessError  # noqa: PLC0415
    from hub.settings import SettingsError  # noqa: PLC0415

    try:
        app()
    except SettingsError as error:
        for problem in error.problems:
            typer.echo(f"fyhub: refusing to start: {problem}", err=True)
        raise SystemExit(2) from None
    except KafkaAccessError as error:
        typer.echo(f"fyhub: refusing to start: {error}", err=True)
        raise SystemExit(2) from None
