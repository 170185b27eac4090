"""`fyhub run SERVICE`, `fyhub topics apply` and `fyhub up`: the hub's services on the broker."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from hub import bootstrap
from hub.cli.serve import serve
from hub.kafka.topics import AppliedTopics, apply_topics, planned_topics
from hub.observability.http import SERVICE_PORT_OFFSETS
from hub.observability.logs import configure_logging
from hub.settings import KafkaSettings
from hub.store.migrate import upgrade_engine

if TYPE_CHECKING:
    from hub.cli.serve import Service
    from hub.settings import Settings

topics_app = typer.Typer(help="The hub's Kafka topics.", no_args_is_help=True)


class Profile(StrEnum):
    LOCAL = "local"
    PRODUCTION = "production"


class ServiceName(StrEnum):
    ROUTER = "router"
    AUDITOR = "auditor"
    TRACKER = "tracker"
    DOCUMENTS = "documents"


def build_service(
    name: ServiceName, settings: Settings, observed: bootstrap.Observation | None = None
) -> Service:
    if name is ServiceName.AUDITOR:
        return bootstrap.build_auditor(settings, observed=observed)
    if name is ServiceName.TRACKER:
        return bootstrap.build_tracker(settings, observed=observed)
    if name is ServiceName.DOCUMENTS:
        return bootstrap.build_documents(settings)
    return bootstrap.build_router(settings, observed=observed)


def run(service: ServiceName) -> None:
    """Run one hub service until Ctrl-C (several instances share the work)."""
    configure_logging()
    settings = bootstrap.load_settings()
    asyncio.run(_run(service, settings))


async def _run(service: ServiceName, settings: Settings) -> None:
    if service is ServiceName.DOCUMENTS:
        await _run_documents(settings)
        return
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


async def _run_documents(settings: Settings) -> None:
    """The document store: an HTTP server of its own (its `/healthz` is its health)."""
    documents = bootstrap.build_documents(settings)
    await serve(
        [documents],
        on_started=f"fyhub documents running at {documents.url}; Ctrl-C stops it.",
    )


ProfileOption = Annotated[
    Profile | None,
    typer.Option(
        "--profile",
        help="The topics' durability: local (replication 1) or production (replication 3, "
        "min ISR 2); default FYHUB_KAFKA__PROFILE.",
    ),
]


@topics_app.command("apply")
def apply(profile: ProfileOption = None) -> None:
    """Create every unit's outbox and inbox, the journal and the dead-letter topic, add the
    partitions a topic lacks (a count is never lowered) and set the planned configuration an
    existing topic lacks; a topic of another replication factor is reported, not changed.
    Idempotent."""
    settings = with_profile(bootstrap.load_settings(), profile)
    kafka = settings.kafka
    print(
        f"profile {kafka.profile}: replication {kafka.replication}, "
        f"min.insync.replicas {kafka.min_insync_replicas}"
    )
    applied = asyncio.run(ensure_topics(settings))
    created = applied.created
    print(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))
    for growth in applied.grown:
        print(f"{growth.topic}: {growth.partitions} → {growth.planned} partitions")
    for change in applied.altered:
        print(f"{change.topic}: set {change.name}={change.planned} (was {change.present})")
    for mismatch in applied.replication:
        print(
            f"{mismatch.topic}: replication {mismatch.present}, planned {mismatch.planned}: "
            "not changed (Kafka needs a partition reassignment for that; docs/operations.md)"
        )
    if applied.replication:
        raise typer.Exit(1)


def with_profile(settings: Settings, profile: Profile | None) -> Settings:
    """`settings` with the topics' profile `profile`, its replication and min ISR unless they
    were set themselves."""
    if profile is None:
        return settings
    # Validated again, so that the profile's defaults apply (a model copy would skip them).
    dumped = settings.kafka.model_dump(exclude_unset=True) | {"profile": profile.value}
    return settings.model_copy(update={"kafka": KafkaSettings.model_validate(dumped)})


async def ensure_topics(settings: Settings) -> AppliedTopics:
    contracts = bootstrap.load_contracts(settings)
    specs = planned_topics(contracts.registry.units, settings.kafka)
    return await apply_topics(bootstrap.kafka_access(settings), specs)
