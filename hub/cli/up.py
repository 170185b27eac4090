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
from hub.cli.run import ensure_topics
from hub.cli.serve import serve
from hub.devkit.demo import build_demo, build_local_kafka, demo_settings, on_local_kafka
from hub.devkit.local_console import OFFICE_LOGIN, LocalConsole, prepare_local_console
from hub.devkit.local_kafka import LocalKafkaError
from hub.observability.logs import configure_logging
from hub.settings import STATE_DIR
from hub.store.migrate import upgrade_engine

if TYPE_CHECKING:
    from hub.cli.serve import Service
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
    local = None if settings.kafka.bootstrap else build_local_kafka(settings)
    started_broker = False
    if local is not None:
        print(f"Starting the local Kafka broker ({local.bootstrap}) …", flush=True)
        result = await local.up()
        started_broker = bool(result.started)
        settings = on_local_kafka(settings, local)
    try:
        if demo:
            settings = demo_settings(settings, STATE_DIR / "demo")
        created = await ensure_topics(settings)
        print(f"Topics ready ({len(created)} created).", flush=True)
        engine = bootstrap.build_engine(settings)
        try:
            await upgrade_engine(engine)
            print(f"Store ready: {settings.db.url}", flush=True)
            observed = bootstrap.Observation()
            services: list[Service] = [
                bootstrap.build_metrics_server(settings, observed),
                bootstrap.build_router(settings, observed=observed),
                bootstrap.build_auditor(settings, engine=engine, observed=observed),
                bootstrap.build_tracker(settings, observed=observed),
            ]
            console: LocalConsole | None = None
            if settings.console.enabled:
                console = await prepare_local_console(settings, engine, STATE_DIR)
                settings = console.settings
                # its own read-only engine: page views never wait for the auditor's batches
                services.append(bootstrap.build_console(settings))
            if demo:
                services.append(build_demo(settings, STATE_DIR / "demo"))
            message = _started_message(settings, console, demo=demo)
            await serve(services, on_started=message)
        finally:
            await engine.dispose()
    finally:
        if local is not None and started_broker:
            await local.down()
            print("Stopped the local Kafka broker.", flush=True)


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
