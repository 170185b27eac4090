"""`fyhub run SERVICE`, `fyhub topics apply` and `fyhub up`: the hub's services on the broker."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from hub import bootstrap
from hub.services import serve
from hub.topics import apply_topics, planned_topics

if TYPE_CHECKING:
    from hub.services import Service
    from hub.settings import Settings

topics_app = typer.Typer(help="The hub's Kafka topics.", no_args_is_help=True)


class ServiceName(StrEnum):
    ROUTER = "router"


def build_service(name: ServiceName, settings: Settings) -> Service:
    builders = {ServiceName.ROUTER: bootstrap.build_router}
    return builders[name](settings)


def run(service: ServiceName) -> None:
    """Run one hub service until Ctrl-C (several instances share the work)."""
    settings = bootstrap.load_settings()
    built = build_service(service, settings)
    asyncio.run(serve([built], on_started=f"fyhub {service} running; Ctrl-C stops it."))


@topics_app.command("apply")
def apply() -> None:
    """Create every unit's outbox and inbox, the journal and the dead-letter topic (idempotent)."""
    settings = bootstrap.load_settings()
    created = asyncio.run(ensure_topics(settings))
    print(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))


async def ensure_topics(settings: Settings) -> list[str]:
    contracts = bootstrap.load_contracts(settings)
    specs = planned_topics(contracts.registry.units, settings.kafka)
    return await apply_topics(bootstrap.kafka_bootstrap(settings), specs)
