"""The police's demo database: the court's parties are registered with valid plates and VINs, the
same seed gives the same records, and the records module enters and lifts border controls and
numbers the filed cases on a real (SQLite) database."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from connectors.demo.police_books import demo_books, seed_police_demo
from connectors.police import answers, records
from connectors.police.store import create_police_schema, persons
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from schemas.police import ExitOutcome, RefusalOutcome, Vehicle
from tests.e2e.harness import sqlite_url
from tests.fixtures.corpus.loader import sample_data

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

TODAY = dt.date(2026, 12, 4)
PARTIES = [
    ("舞阳县兴达建材有限公司", "uscc", "91411121MA45R8Q2XR"),
    ("王建军", "resident_id", "411121198503152315"),
]


def _sample(event_type: str, sample: str = "basic", **changes: Any) -> Any:
    return CATALOGUE[event_type].validate_payload(sample_data(event_type, sample) | changes)


def test_the_courts_people_are_residents_and_every_vehicle_has_a_valid_plate() -> None:
    books = demo_books(random.Random(7), PARTIES, 60, TODAY)
    assert books.persons[0]["id_no"] == PARTIES[1][2]  # organisations are no residents
    assert PARTIES[0][2] in {row["owner_id_no"] for row in books.vehicles}
    for row in books.vehicles:
        owner = {"name": row["owner_name"], "id_type": "other", "id_no": row["owner_id_no"]}
        vehicle = {"plate_no": row["plate_no"], "vin": row["vin"], "owner": owner}
        assert Vehicle.model_validate(vehicle).plate_no == row["plate_no"]
    for row in books.persons:
        assert (row["seen_at"] is None) == (row["seen_place"] is None)
        if row["seen_at"] is not None:
            assert TODAY - dt.timedelta(days=30) < row["seen_at"].date() <= TODAY
    again = demo_books(random.Random(7), PARTIES, 60, TODAY)
    assert (again.persons, again.vehicles) == (books.persons, books.vehicles)


async def test_controls_are_entered_and_lifted_and_cases_numbered(tmp_path: Path) -> None:
    engine = build_engine(sqlite_url(tmp_path / "police.db"))
    try:
        await create_police_schema(engine)
        await seed_police_demo(engine, random.Random(7), debtors=PARTIES, count=5, today=TODAY)
        await seed_police_demo(engine, random.Random(8), debtors=PARTIES, count=0, today=TODAY)
        restrict = _sample("police.exit_control.requested.v1")
        lift = _sample(
            "police.exit_control.requested.v1",
            request_no="XC4111212026120900002",
            action="lift",
            previous_request_no=restrict.request_no,
        )
        referral = _sample("police.refusal.referred.v1")
        async with engine.begin() as connection:
            assert await records.person(connection, PARTIES[1][2]) is not None
            # the company owns a vehicle in the demo register, found by its USCC
            (owned,) = await records.vehicles_of(connection, PARTIES[0][2])
            assert await records.vehicle(connection, owned.plate_no) == owned
            assert await records.vehicles_of(connection, "411121199001010000") == ()
            entered = answers.exit_answer(restrict, None, None, TODAY)
            assert entered.outcome is ExitOutcome.REFUSED  # 周志刚 is not in the demo register
            entered = entered.model_copy(
                update={"outcome": ExitOutcome.ENTERED, "effective_on": TODAY, "reason": None}
            )
            await records.record_control(connection, restrict, entered)
            active = await records.control(connection, restrict.request_no)
            assert active is not None
            assert active.state == "active"
            lifted = answers.exit_answer(lift, None, active, TODAY)
            await records.record_control(connection, lift, lifted)
            assert (await records.control(connection, restrict.request_no)).state == "lifted"  # type: ignore[union-attr]
            first = await records.next_case_serial(connection, 2026)
            filed = answers.refusal_answer(referral, first, TODAY)
            await records.record_case(connection, referral, filed, TODAY)
            other = _sample("police.refusal.referred.v1", referral_no="舞法移〔2026〕8号")
            second = await records.next_case_serial(connection, 2026)
            await records.record_case(
                connection, other, answers.refusal_answer(other, second, TODAY), TODAY
            )
        assert (first, second, filed.outcome) == (1, 2, RefusalOutcome.FILED)
        assert await _count(engine) == 1
    finally:
        await engine.dispose()


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(persons.c.id_no == PARTIES[1][2])
        return int((await connection.execute(query)).scalar_one())
