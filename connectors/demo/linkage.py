"""The demo linkage `fyhub up` runs beside the hub: the court, the tax office and market
supervision, each on its own connector and its own generated database, the scenario driver
filing the court's work so that traffic keeps flowing across all four families, and a connector
for every other member unit that receipts what it is delivered (`connectors.demo.members`).

Every unit keeps its state under one folder (its database, the connector's outbox and inbox
ledger), so stopping and starting again carries on where it stopped: the databases are seeded
only when they are first made, and the driver numbers on after the cases already filed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from connectors.court.app import CourtApp
from connectors.court.store import create_court_schema
from connectors.demo.court import known_parties
from connectors.demo.databases import unit_database
from connectors.demo.members import ReceiptingMember
from connectors.demo.samr_books import seed_samr_demo
from connectors.demo.scenario import ScenarioDriver
from connectors.demo.tax_books import seed_tax_demo
from connectors.samr.app import SamrApp
from connectors.samr.store import create_samr_schema
from connectors.sdk import Connector, ConnectorError, ConnectorOptions
from connectors.sdk.kafka_access import PLAINTEXT
from connectors.tax.app import TaxApp
from connectors.tax.store import create_tax_schema

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from sqlalchemy.ext.asyncio import AsyncEngine

    from connectors.sdk import KafkaSecurity


DEPARTMENTS = ("court", "tax", "samr")
"""The units the demo runs on generated databases; every other enrolled unit only receipts."""


@dataclass(frozen=True)
class DemoPlan:
    """Where and how fast the demo runs."""

    bootstrap: str
    region: str
    keys: dict[str, Ed25519PrivateKey]
    """Each enrolled unit's signing key (registered in the hub's registry as `key_id`): the
    three `DEPARTMENTS` of `region` and the member units that only receipt."""
    key_id: str
    hub_keys: dict[str, Ed25519PublicKey]
    state: Path
    security: Mapping[str, KafkaSecurity] | None = None
    """Each unit's own principal on the brokers, by unit code (a unit without one cannot start);
    None: every unit over PLAINTEXT, for a broker without security."""
    rate_per_s: float = 1.0
    bad_record_every: int = 40
    late_every: int = 15
    """Every N-th department reply is sent after its deadline, so overdue items appear."""
    late_by_s: float = 90.0
    seed: int = 20221012

    def unit_security(self, unit: str) -> KafkaSecurity:
        if self.security is None:
            return PLAINTEXT
        if unit not in self.security:
            raise ConnectorError(f"the demo has no Kafka principal for {unit}")
        return self.security[unit]


@dataclass
class DemoLinkage:
    """A hub service (`start`/`stop`) running the three demo connectors and the driver."""

    plan: DemoPlan
    _engines: list[AsyncEngine] = field(default_factory=list)
    _connectors: list[Connector] = field(default_factory=list)
    _apps: list[CourtApp | TaxApp | SamrApp] = field(default_factory=list)
    _members: list[ReceiptingMember] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _driver: asyncio.Task[None] | None = None

    async def start(self) -> None:
        plan = self.plan
        plan.state.mkdir(parents=True, exist_ok=True)
        # The court's debtors are mostly parties the departments' books hold, so answers find
        # registrations, arrears and equity; the same seed makes the same parties every start.
        parties = known_parties(random.Random(plan.seed))  # noqa: S311 - demo data
        debtors = [(party.name, str(party.id_type), party.id_no) for party in parties]

        async def seed_tax(engine: AsyncEngine, rng: random.Random) -> None:
            await seed_tax_demo(engine, rng, debtors=debtors)

        async def seed_samr(engine: AsyncEngine, rng: random.Random) -> None:
            await seed_samr_demo(engine, rng, debtors=debtors)

        court_db = await self._database("court", create_court_schema, seed=None)
        tax_db = await self._database("tax", create_tax_schema, seed=seed_tax)
        samr_db = await self._database("samr", create_samr_schema, seed=seed_samr)
        court, tax, samr = (self._connector(f"{dept}.{plan.region}") for dept in DEPARTMENTS)
        others = sorted(set(plan.keys) - {c.unit for c in (court, tax, samr)})
        self._members = [ReceiptingMember(self._connector(unit)) for unit in others]
        self._apps = [
            CourtApp(court, court_db),
            TaxApp(tax, tax_db, late_every=plan.late_every, late_by_s=plan.late_by_s),
            SamrApp(samr, samr_db, late_every=plan.late_every, late_by_s=plan.late_by_s),
        ]
        for connector in self._connectors:
            await connector.start()
        for app in self._apps:
            await app.start()
        driver = ScenarioDriver(
            court_db,
            random.Random(plan.seed),  # noqa: S311 - demo data, not secrets
            region=plan.region,
            rate_per_s=plan.rate_per_s,
            bad_record_every=plan.bad_record_every,
            raw_producer_bootstrap=plan.bootstrap,
            raw_producer_security=plan.unit_security(court.unit),
            known_parties=parties,
        )
        self._driver = asyncio.create_task(driver.run(self._stop), name="fyhub-demo-scenario")

    async def stop(self) -> None:
        self._stop.set()
        if self._driver is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver
            self._driver = None
        for app in reversed(self._apps):
            await app.stop()
        for connector in reversed(self._connectors):
            await connector.stop()
        for engine in self._engines:
            await engine.dispose()

    async def _database(
        self,
        dept: str,
        create: Callable[[AsyncEngine], Awaitable[None]],
        *,
        seed: Callable[[AsyncEngine, random.Random], Awaitable[None]] | None,
    ) -> AsyncEngine:
        path = self.plan.state / f"{dept}.db"
        fresh = not path.exists()
        engine = unit_database(path)
        self._engines.append(engine)
        await create(engine)
        if fresh and seed is not None:
            await seed(engine, random.Random(self.plan.seed))  # noqa: S311 - demo data
        return engine

    def _connector(self, unit: str) -> Connector:
        plan = self.plan
        connector = Connector(
            unit,
            bootstrap=plan.bootstrap,
            signing_key=plan.keys[unit],
            key_id=plan.key_id,
            hub_keys=plan.hub_keys,
            state_dir=plan.state / unit,
            options=ConnectorOptions(security=plan.unit_security(unit)),
        )
        self._connectors.append(connector)
        return connector
