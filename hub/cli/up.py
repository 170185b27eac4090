"""`fyhub up`: the whole linkage on one machine, until Ctrl-C.

The local broker (unless `FYHUB_KAFKA__BOOTSTRAP` names one), the topics, the store's migrations,
the router, auditor and tracker, and — with `--demo`, the default — connectors for the court, tax
and market supervision on generated databases with a scenario driver keeping traffic flowing.
Ctrl-C stops the services in reverse order, then the broker if this command started it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from hub import bootstrap
from hub.acl import plan as acl
from hub.acl.broker import apply_acls
from hub.acl.principals import ensure_credentials
from hub.cli.run import ensure_topics
from hub.cli.serve import serve
from hub.devkit.demo import build_demo, build_local_kafka, demo_settings, on_local_kafka
from hub.devkit.local_console import OFFICE_LOGIN, LocalConsole, prepare_local_console
from hub.devkit.local_kafka import LocalKafkaError
from hub.kafka.credentials import password_path
from hub.observability.logs import configure_logging
from hub.settings import STATE_DIR
from hub.store.migrate import upgrade_engine

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.cli.serve import Service
    from hub.devkit.local_kafka import LocalKafka
    from hub.settings import Settings


def up(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Also run the court, tax and market-supervision demo connectors and traffic.",
        ),
    ] = True,
) -> None:
    """Run everything on this machine: broker, topics, store, router, auditor, tracker, demo."""
    configure_logging()
    settings = bootstrap.load_settings()
    try:
        asyncio.run(_up(settings, demo=demo))
    except (LocalKafkaError, OSError) as error:  # OSError: a port of ours is taken
        typer.echo(f"fyhub up: {error}", err=True)
        raise typer.Exit(1) from error


async def _up(settings: Settings, *, demo: bool) -> None:
    local = None
    if not settings.kafka.bootstrap:
        # every unit and hub service its own principal, formatted into the broker's home
        local = build_local_kafka(settings, principals=bootstrap.planned_principals(settings))
    started_broker = False
    if local is not None:
        print(f"Starting the local Kafka broker ({local.bootstrap}) …", flush=True)
        result = await local.up()
        started_broker = bool(result.started)
    try:
        admin = settings if local is None else on_local_kafka(settings, local)
        if demo:
            admin = demo_settings(admin, STATE_DIR / "demo")
        applied = await ensure_topics(admin)
        print(f"Topics ready ({len(applied.created)} created).", flush=True)
        principals = await _secure(admin, local)
        engine = bootstrap.build_engine(admin)
        try:
            await upgrade_engine(engine)
            print(f"Store ready: {admin.db.url}", flush=True)
            await _serve(admin, principals, engine, demo=demo)
        finally:
            await engine.dispose()
    finally:
        if local is not None and started_broker:
            await local.down()
            print("Stopped the local Kafka broker.", flush=True)


async def _secure(admin: Settings, local: LocalKafka | None) -> Path | None:
    """On secured brokers: a SCRAM credential for every unit and hub service (their password
    files in the local broker's home, or in `.fyhub/credentials/` for configured brokers) and
    the registry's ACLs; the folder of the password files, or None over PLAINTEXT."""
    access = bootstrap.kafka_access(admin)
    if not access.secured:
        return None
    folder = STATE_DIR / "credentials" if local is None else local.credentials_folder
    report = await ensure_credentials(access, bootstrap.planned_principals(admin), folder)
    diff = await apply_acls(access, bootstrap.planned_acls(admin))
    print(
        f"Principals ready ({len(report.created)} created, {len(report.rotated)} rotated, "
        f"{len(report.kept)} kept); "
        f"ACLs ready ({len(diff.missing)} created, {len(diff.extra)} deleted).",
        flush=True,
    )
    return folder


def _as_principal(settings: Settings, principal: str, folder: Path | None) -> Settings:
    """`settings` reaching the same brokers as `principal`, with its password file."""
    if folder is None:
        return settings
    kafka = settings.kafka.model_copy(
        update={
            "username": principal,
            "password": None,
            "password_file": password_path(folder, principal),
        }
    )
    return settings.model_copy(update={"kafka": kafka})


async def _serve(
    admin: Settings, principals: Path | None, engine: AsyncEngine, *, demo: bool
) -> None:
    """The services and the demo connectors, each as its own principal on secured brokers."""

    def as_service(service: acl.Service) -> Settings:
        return _as_principal(admin, service.value, principals)

    observed = bootstrap.Observation()
    services: list[Service] = [
        bootstrap.build_metrics_server(admin, observed),
        bootstrap.build_router(as_service(acl.Service.ROUTER), observed=observed),
        bootstrap.build_auditor(as_service(acl.Service.AUDITOR), engine=engine, observed=observed),
        bootstrap.build_tracker(as_service(acl.Service.TRACKER), observed=observed),
    ]
    console: LocalConsole | None = None
    if admin.console.enabled:
        console = await prepare_local_console(admin, engine, STATE_DIR)
        # its own read-only engine: page views never wait for the auditor's batches
        services.append(bootstrap.build_console(console.settings))
    # --- documents (文书附件): the document store, over its own read-only engine ---
    services.append(bootstrap.build_documents(admin))
    if demo:
        units = bootstrap.load_contracts(admin).registry.units
        password_files = (
            {} if principals is None else {u: password_path(principals, u) for u in units}
        )
        services.append(build_demo(admin, STATE_DIR / "demo", password_files=password_files))
    await serve(services, on_started=_started_message(admin, console, demo=demo))


def _started_message(settings: Settings, console: LocalConsole | None, *, demo: bool) -> str:
    obs = settings.observability
    lines = [
        "",
        "fyhub is running.",
        f"  Kafka:   {settings.kafka.bootstrap}",
        f"  store:   {settings.db.url}",
        f"  metrics: http://{obs.host}:{obs.port}/metrics   health: http://{obs.host}:{obs.port}/healthz",
        f"  console: http://{settings.console.host}:{settings.console.port}/  (联席会议办公室)",
        *_console_lines(console),
        f"  documents: http://{settings.documents.host}:{settings.documents.port}/  (文书库)",
        "  trace a case:      .venv/bin/fyhub trace '（2026）豫1121执1号'",
        "  overdue items:     .venv/bin/fyhub overdue",
        "  verify the audit:  .venv/bin/fyhub audit verify",
        "  monthly scorecard: .venv/bin/fyhub scorecard --month YYYY-MM",
    ]
    if demo:
        lines.append(
            "  demo: the court, tax and market supervision on generated databases, with traffic;"
            " every other member unit receipts what it gets"
        )
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)


def _console_lines(console: LocalConsole | None) -> list[str]:
    if console is None:
        return []
    if console.created_office:
        where = f"its password is in {console.password_file} (new)"
    elif console.password_file.exists():
        where = f"its password is in {console.password_file}"
    else:
        where = f"set its password with `.venv/bin/fyhub console accounts passwd {OFFICE_LOGIN}`"
    return [f"           sign in as {OFFICE_LOGIN}: {where}"]
