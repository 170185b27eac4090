"""`fyhub run SERVICE`, `fyhub topics apply` and `fyhub up`: the hub's services on the broker."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from hub import bootstrap
from hub.cli.serve import serve
from hub.kafka.topics import AppliedTopics, apply_topics, planned_topics
from hub.observability.http import SERVICE_PORT_OFFSETS
from hub.observability.logs import configure_logging
from hub.store.migrate import upgrade_engine

if TYPE_CHECKING:
    from hub.cli.serve import Service
    from hub.settings import Settings

topics_app = typer.Typer(help="The hub's Kafka topics.", no_args_is_help=True)


class ServiceName(StrEnum):
    ROUTER = "router"
    AUDITOR = "auditor"
    TRACKER = "tracker"


def build_service(
    name: ServiceName, settings: Settings, observed: bootstrap.Observation | None = None
) -> Service:
    if name is ServiceName.AUDITOR:
        return bootstrap.build_auditor(settings, observed=observed)
    if name is ServiceName.TRACKER:
        return bootstrap.build_tracker(settings, observed=observed)
    return bootstrap.build_router(settings, observed=observed)


def run(service: ServiceName) -> None:
    """Run one hub service until Ctrl-C (several instances share the work)."""
    configure_logging()
    settings = bootstrap.load_settings()
    asyncio.run(_run(service, settings))


async def _run(service: ServiceName, settings: Settings) -> None:
    if service is ServiceName.AUDITOR:
        # The auditor writes the store: its schema is brought up to date before the first batch.
        engine = bootstrap.build_engine(settings)
        try:
            await upgrade_engine(engine)
        finally:
            await engine.dispose()
    observed = bootstrap.Observation()
    built = build_service(service, settings, observed)
    offset = SERVICE_PORT_OFFSETS[service.value]
    server = bootstrap.build_metrics_server(settings, observed, port_offset=offset)
    # The metrics server first: it answers (unhealthy) while the service starts, and last to stop.
    await serve(
        [server, built],
        on_started=f"fyhub {service} running; metrics at "
        f"http://{settings.observability.host}:{server.port}/metrics; Ctrl-C stops it.",
    )


@topics_app.command("apply")
def apply() -> None:
    """Create every unit's outbox and inbox, the journal and the dead-letter topic, and add the
    partitions a topic lacks (idempotent; a partition count is never lowered)."""
    settings = bootstrap.load_settings()
    applied = asyncio.run(ensure_topics(settings))
    created = applied.created
    print(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))
    for growth in applied.grown:
        print(f"{growth.topic}: {growth.partitions} → {growth.planned} partitions")


async def ensure_topics(settings: Settings) -> AppliedTopics:
    contracts = bootstrap.load_contracts(settings)
    specs = planned_topics(contracts.registry.units, settings.kafka)
    return await apply_topics(bootstrap.kafka_access(settings), specs)
