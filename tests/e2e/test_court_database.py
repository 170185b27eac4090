"""The court's end of the path on both databases it runs on (SQLite, PostgreSQL): filings drained
into the SDK outbox once even when drained again after a crash, a bad row refused without
holding up the rest, and an answer delivered twice written back once."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.court import filing
from connectors.court.app import CourtApp, create_court_schema
from connectors.court.export import ExportDrainer
from connectors.court.store import (
    answers,
    enforcement_answers,
    exports,
    hub_notices,
    listings,
    sanction_measures,
)
from connectors.demo.court import CourtDemo
from connectors.demo.scenario import UNIT_NAMES, ScenarioDriver
from connectors.sdk import Backoff, Connector, ConnectorOptions, DeliveredEvent
from connectors.sdk.outgoing import Composer
from schemas.catalogue import CATALOGUE
from schemas.common import UnitRef
from schemas.envelope import Envelope
from schemas.identifiers import china_today
from schemas.signing import generate_keypair
from tests.e2e.harness import count, rows
from tests.hubkit import corpus_event, unit_key

COURT = "court.411121"


@pytest.fixture
async def court_db(store_engine: AsyncEngine) -> AsyncEngine:
    await create_court_schema(store_engine)
    return store_engine


@pytest.fixture
async def offline_court(tmp_path: Path) -> AsyncIterator[Connector]:
    """A started court connector whose broker is unreachable: its outbox still takes events."""
    _, hub_public = generate_keypair()
    connector = Connector(
        COURT,
        bootstrap="127.0.0.1:9",
        signing_key=unit_key(COURT),
        key_id="k1",
        hub_keys={"hub-test": hub_public},
        state_dir=tmp_path / "court-state",
        options=ConnectorOptions(reconnect=Backoff(first_s=5.0, max_s=5.0)),
    )
    async with connector:
        yield connector


async def file_one_of_each(engine: AsyncEngine) -> list[str]:
    court = CourtDemo(random.Random(21), china_today())
    case = court.enforcement_case()
    listing = court.listing(case)
    accepted = court.bankruptcy()
    filed = court.admin_case(UnitRef(unit="samr.411121", name=UNIT_NAMES["samr"]))
    tax = UnitRef(unit="tax.411121", name=UNIT_NAMES["tax"])
    return [
        await filing.file_enforcement_query(
            engine, court.query(case, ("tax", "samr")), to=("tax.411121", "samr.411121")
        ),
        await filing.file_control_request(engine, court.equity_freeze(case), to="samr.411121"),
        await filing.list_debtor(engine, listing),
        await filing.correct_listing(engine, court.correction(listing)),
        await filing.delist_debtor(engine, court.delisting(listing)),
        await filing.accept_bankruptcy(engine, accepted),
        await filing.rule_in_bankruptcy(engine, court.declaration(accepted)),
        await filing.rule_in_bankruptcy(engine, court.termination(accepted)),
        await filing.file_admin_case(engine, filed),
        await filing.schedule_hearing(engine, court.hearing(filed)),
        await filing.judge_admin_case(engine, court.judgment(filed, head_appeared=True)),
        await filing.issue_judicial_suggestion(engine, court.suggestion(tax, filed.case_no)),
    ]


def outbox_ids(connector: Connector) -> list[str]:
    with sqlite3.connect(connector.outbox.path) as state:
        return [row[0] for row in state.execute("SELECT event_id FROM outbox ORDER BY seq")]


async def test_every_filing_reaches_the_sdk_outbox_once_even_when_drained_again(
    court_db: AsyncEngine, offline_court: Connector
) -> None:
    event_ids = await file_one_of_each(court_db)
    drainer = ExportDrainer(offline_court, court_db, poll_s=0.1)
    assert await drainer.drain() == len(event_ids)
    assert outbox_ids(offline_court) == event_ids

    # A crash after publishing but before marking: the rows are pending again.
    async with court_db.begin() as connection:
        await connection.execute(update(exports).values(status="pending", exported_at=None))
    assert await drainer.drain() == len(event_ids)
    assert outbox_ids(offline_court) == event_ids
    assert await offline_court.unsent() == len(event_ids)
    assert await count(court_db, exports, exports.c.status == "exported") == len(event_ids)


async def test_a_row_the_hub_would_refuse_is_marked_refused_and_the_rest_still_go(
    court_db: AsyncEngine, offline_court: Connector
) -> None:
    court = CourtDemo(random.Random(22), china_today())
    case = court.enforcement_case()
    listing = court.listing(case)
    await filing.list_debtor(court_db, listing)
    # The court's own system stretches the listing period beyond the legal maximum.
    async with court_db.begin() as connection:
        await connection.execute(
            update(listings).values(period_end=listing.listed_on.replace(year=2099))
        )
    later = await filing.file_enforcement_query(
        court_db, court.query(case, ("tax",)), to="tax.411121"
    )
    await ExportDrainer(offline_court, court_db, poll_s=0.1).drain()

    refused, exported = await rows(court_db, select(exports).order_by(exports.c.id))
    assert refused["status"] == "refused"
    assert refused["problem"].startswith("schema_invalid: period_end")
    assert (exported["status"], exported["event_id"]) == ("exported", later)
    assert outbox_ids(offline_court) == [later]


def delivered(event_type: str, sample: str = "valid-basic", **data: Any) -> DeliveredEvent[Any]:
    event = corpus_event(event_type, sample)
    event["data"] |= data
    envelope = Envelope.model_validate(event)
    payload = CATALOGUE[event_type].validate_payload(envelope.data)
    return DeliveredEvent(envelope, payload, event, Composer(COURT, unit_key(COURT), "k1"))


async def test_an_answer_delivered_twice_is_written_back_once(
    court_db: AsyncEngine, offline_court: Connector
) -> None:
    app = CourtApp(offline_court, court_db)
    sanction = delivered("debtor.sanction.reported.v1")
    inquiry = delivered("enforcement.query.answered.v1")
    for event in (sanction, inquiry, sanction, inquiry):
        await app.record_answer(event)
    receipt = delivered("hub.receipt.v1")
    await app.record_notice(receipt)
    await app.record_notice(receipt)

    ledger = await rows(court_db, select(answers))
    assert sorted(row["answer_event_id"] for row in ledger) == sorted([sanction.id, inquiry.id])
    measures = await count(court_db, sanction_measures)
    assert measures == len(sanction.payload.measures)
    assert await count(court_db, enforcement_answers) == 1
    assert await count(court_db, hub_notices) == 1
    (row,) = [row for row in ledger if row["answer_event_id"] == sanction.id]
    assert (row["sender"], row["correlationid"]) == ("hrss.411121", sanction.correlationid)


async def test_a_restarted_scenario_numbers_on_after_what_the_court_database_holds(
    court_db: AsyncEngine,
) -> None:
    async def run_steps(seed: int) -> ScenarioDriver:
        driver = ScenarioDriver(court_db, random.Random(seed), bad_record_every=0)
        await driver.resume()
        for _ in range(40):
            await driver.step()
        return driver

    first, again = await run_steps(31), await run_steps(31)  # the same seed: the same choices

    assert sum(first.done.values()) == sum(again.done.values()) == 40  # no step skipped
    assert first.done == again.done
    assert await count(court_db, exports) == 80  # one export per step
