"""The departments' side of an end-to-end run: the tax office and market supervision, the real
department connectors (`connectors.tax`, `connectors.samr`), each on its own connector and demo
database, answering what the court sends them; the police (`connectors.police`) likewise, on its
own."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.demo.police_books import seed_police_demo
from connectors.demo.samr_books import seed_samr_demo
from connectors.demo.tax_books import seed_tax_demo
from connectors.police.app import PoliceApp
from connectors.police.store import create_police_schema
from connectors.samr.app import SamrApp
from connectors.samr.store import create_samr_schema
from connectors.sdk import Connector
from connectors.tax.app import TaxApp
from connectors.tax.store import create_tax_schema
from hub.store.engine import build_engine
from tests.e2e.harness import connector, sqlite_url
from tests.integration.rig import Rig

DemoParty = tuple[str, str, str]
"""(name, id_type, id_no) of a debtor the departments' books should know."""


@dataclass
class Departments:
    tax: Connector
    samr: Connector
    tax_engine: AsyncEngine
    samr_engine: AsyncEngine


@asynccontextmanager
async def running_departments(
    rig: Rig, tmp_path: Path, *, debtors: Sequence[DemoParty] = (), seed: int = 7
) -> AsyncIterator[Departments]:
    """tax and samr, with `debtors` in their books, answering until the block ends."""
    async with AsyncExitStack() as stack:
        tax_engine = build_engine(sqlite_url(tmp_path / "tax.db"))
        stack.push_async_callback(tax_engine.dispose)
        samr_engine = build_engine(sqlite_url(tmp_path / "samr.db"))
        stack.push_async_callback(samr_engine.dispose)
        await create_tax_schema(tax_engine)
        await seed_tax_demo(tax_engine, random.Random(seed), debtors=debtors, count=20)
        await create_samr_schema(samr_engine)
        await seed_samr_demo(samr_engine, random.Random(seed), debtors=debtors, count=20)
        tax, samr = (
            connector(rig, "tax", tmp_path / "tax"),
            connector(rig, "samr", tmp_path / "samr"),
        )
        apps = (TaxApp(tax, tax_engine), SamrApp(samr, samr_engine))
        for unit in (tax, samr):
            await stack.enter_async_context(unit)
        for app in apps:
            await app.start()
            stack.push_async_callback(app.stop)
        yield Departments(tax, samr, tax_engine, samr_engine)


def debtors_of(*parties: Any) -> list[DemoParty]:
    """The demo parties as the departments' seed functions take them."""
    return [(party.name, str(party.id_type), party.id_no) for party in parties]


# --- police linkage (公安协作) -------------------------------------------------------------------


@dataclass
class Police:
    unit: Connector
    engine: AsyncEngine


@asynccontextmanager
async def running_police(
    rig: Rig,
    tmp_path: Path,
    *,
    debtors: Sequence[DemoParty] = (),
    seed: int = 7,
    watch_poll_s: float = 60.0,
) -> AsyncIterator[Police]:
    """The police connector (`connectors.police`) on its demo database, with `debtors` in its
    registers, answering until the block ends (its watches looked at every `watch_poll_s`)."""
    async with AsyncExitStack() as stack:
        engine = build_engine(sqlite_url(tmp_path / "police.db"))
        stack.push_async_callback(engine.dispose)
        await create_police_schema(engine)
        await seed_police_demo(engine, random.Random(seed), debtors=debtors, count=20)
        unit = connector(rig, "police", tmp_path / "police")
        app = PoliceApp(unit, engine, watch_poll_s=watch_poll_s)
        await stack.enter_async_context(unit)
        await app.start()
        stack.push_async_callback(app.stop)
        yield Police(unit, engine)
