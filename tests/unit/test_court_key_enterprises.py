"""Care with key enterprises in the court connector: which requests wait for the office, the
notice it gets, and the hold released by the office's advice or at the end of the planned day
(on a SQLite court database of the test's own)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court import key_enterprises as ke
from connectors.court import writeback
from connectors.court.export import load_payload
from connectors.court.filing import file_control_request
from connectors.court.store import (
    answers,
    create_court_schema,
    exports,
    held_requests,
    key_enterprise_entries,
)
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from schemas.control import EnforcementControlRequested
from schemas.dates import CHINA_TIME
from schemas.key_enterprise import KeyEnterprise
from tests.fixtures.corpus.samples import HENGCHANG_KEY, HENGCHANG_USCC
from tests.hubkit import corpus_event

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

TODAY = dt.date(2026, 12, 30)
OFFICE = "justice.411121"
ENTERPRISE = KeyEnterprise.model_validate(HENGCHANG_KEY)
OWNER = {"name": ENTERPRISE.name, "id_type": "uscc", "id_no": HENGCHANG_USCC}


def sample(event_type: str, name: str = "valid-basic") -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])


def seal(**changes: Any) -> EnforcementControlRequested:
    data = corpus_event("enforcement.control.requested.v1", "valid-seal-3-years")["data"]
    data["asset"]["owner"] = OWNER
    data = {**data, **changes}
    return EnforcementControlRequested.model_validate(data)


def entry(
    *, listed: bool = True, on: dt.date, until: dt.date | None = None, at: int = 0
) -> ke.Entry:
    return ke.Entry(
        listed=listed,
        uscc=HENGCHANG_USCC,
        office=OFFICE,
        effective_on=on,
        until=until,
        enterprise=ENTERPRISE if listed else None,
        received_at=dt.datetime(2026, 1, 1, tzinfo=CHINA_TIME) + dt.timedelta(minutes=at),
    )


# --- the list on a day -------------------------------------------------------------------------


def test_an_enterprise_is_listed_from_its_listing_day_until_its_period_ends() -> None:
    entries = [entry(on=dt.date(2026, 2, 20), until=dt.date(2027, 2, 19))]
    assert ke.listing_on(entries, HENGCHANG_USCC, dt.date(2026, 2, 19)) is None
    assert ke.listing_on(entries, HENGCHANG_USCC, TODAY) == ke.Listing(ENTERPRISE, OFFICE)
    assert ke.listing_on(entries, HENGCHANG_USCC, dt.date(2027, 2, 19)) is not None
    assert ke.listing_on(entries, HENGCHANG_USCC, dt.date(2027, 2, 20)) is None
    assert ke.listing_on(entries, "91411121MA00000000", TODAY) is None


def test_the_latest_entry_in_force_decides_delisting_and_relisting() -> None:
    listed, delisted = entry(on=dt.date(2026, 2, 20)), entry(listed=False, on=dt.date(2026, 9, 1))
    assert ke.listing_on([listed, delisted], HENGCHANG_USCC, TODAY) is None
    assert ke.listing_on([listed, delisted], HENGCHANG_USCC, dt.date(2026, 8, 31)) is not None
    relisted = entry(on=dt.date(2026, 11, 1), at=5)
    assert ke.listing_on([delisted, relisted, listed], HENGCHANG_USCC, TODAY) is not None
    # the same day: the entry received last wins
    same_day = entry(listed=False, on=dt.date(2026, 11, 1), at=9)
    assert ke.listing_on([relisted, same_day], HENGCHANG_USCC, TODAY) is None


# --- which requests wait ------------------------------------------------------------------------

LISTING = ke.Listing(ENTERPRISE, OFFICE)


def test_a_seal_freeze_or_deduction_of_an_operating_asset_waits_for_the_office() -> None:
    assert ke.needs_prior_notice(seal(), LISTING)
    assert not ke.needs_prior_notice(seal(), None)
    assert not ke.needs_prior_notice(seal(office_notice_no="舞法执通〔2026〕12号"), LISTING)


@pytest.mark.parametrize("sample_name", ["valid-equity-freeze", "valid-release"])
def test_equity_freezes_and_releases_do_not_wait(sample_name: str) -> None:
    data = corpus_event("enforcement.control.requested.v1", sample_name)["data"]
    request = EnforcementControlRequested.model_validate(data)
    assert not ke.needs_prior_notice(request, LISTING)


def test_the_notice_names_the_measure_the_asset_and_the_planned_day() -> None:
    request = seal()
    notice = ke.prior_notice(request, LISTING, today=TODAY, planned_on=dt.date(2027, 1, 4))
    assert notice.notice_no == f"{request.request_no}-涉企通报" == ke.notice_no_for(request)
    assert (notice.case_no, notice.ruling_no) == (request.case_no, request.ruling_no)
    assert (notice.action, notice.asset_kind) == (request.action, request.asset.kind)
    assert request.asset.identifier in notice.asset
    assert notice.enterprise == ENTERPRISE
    assert (notice.notified_on, notice.planned_on) == (TODAY, dt.date(2027, 1, 4))
    end = ke.release_time(dt.date(2027, 1, 4))
    assert end == dt.datetime(2027, 1, 4, 23, 59, 59, tzinfo=CHINA_TIME)


def test_list_events_become_entries_and_other_events_do_not() -> None:
    listed = ke.entry_values("e-1", OFFICE, sample("linkage.key_enterprise.listed.v1"))
    assert (listed["uscc"], listed["effective_on"]) == (HENGCHANG_USCC, dt.date(2026, 2, 20))
    assert listed["until"] == dt.date(2027, 2, 19)
    delisted = ke.entry_values("e-2", OFFICE, sample("linkage.key_enterprise.delisted.v1"))
    assert (delisted["effective_on"], delisted["until"]) == (dt.date(2026, 9, 1), None)
    with pytest.raises(TypeError):
        ke.entry_values("e-3", OFFICE, sample("enforcement.key_enterprise.advised.v1"))


# --- the hold in the court database ------------------------------------------------------------


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'court.db'}")
    await create_court_schema(engine)
    yield engine
    await engine.dispose()


async def list_enterprise(engine: AsyncEngine) -> None:
    # listed without an end: the court files on the real day (its clock is the edge)
    listing = sample("linkage.key_enterprise.listed.v1").model_copy(update={"until": None})
    values = ke.entry_values("listing-1", OFFICE, listing)
    async with engine.begin() as connection:
        await connection.execute(key_enterprise_entries.insert().values(values))


async def export_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(select(exports).order_by(exports.c.id))
        return [dict(row) for row in result.mappings()]


async def release(engine: AsyncEngine, at: dt.datetime) -> int:
    async with engine.begin() as connection:
        return await ke.release_holds(connection, at)


async def test_a_request_on_an_unlisted_owner_is_queued_at_once(court: AsyncEngine) -> None:
    event_id = await file_control_request(court, seal(), to="nr.411121")
    (export,) = await export_rows(court)
    assert (export["event_id"], export["event_type"]) == (
        event_id,
        "enforcement.control.requested.v1",
    )


async def test_the_office_hears_first_and_its_advice_releases_the_request(
    court: AsyncEngine,
) -> None:
    await list_enterprise(court)
    planned = dt.date(2027, 1, 4)
    event_id = await file_control_request(court, seal(), to="nr.411121", planned_on=planned)
    (notice_export,) = await export_rows(court)  # only the notice: the request is held
    assert notice_export["event_type"] == "enforcement.key_enterprise.notified.v1"
    assert notice_export["to_units"] == OFFICE
    async with court.connect() as connection:
        notice = await load_payload(
            connection, notice_export["event_type"], notice_export["ref_id"]
        )
    assert notice.planned_on == planned  # type: ignore[attr-defined]

    before_end = dt.datetime(2027, 1, 4, 12, tzinfo=CHINA_TIME)
    assert await release(court, before_end) == 0
    advice = sample("enforcement.key_enterprise.advised.v1").model_copy(
        update={"notice_no": notice.notice_no}  # type: ignore[attr-defined]
    )
    async with court.begin() as connection:  # as CourtApp.record_answer writes it back
        ledger = writeback.ledger_row(
            "advice-1",
            advice.event_type,
            sender=OFFICE,
            correlationid=notice_export["event_id"],
            subject=advice.case_no,
            received_at=before_end,
        )
        await connection.execute(answers.insert().values(ledger))
        for table, row in writeback.answer_rows("advice-1", advice):
            await connection.execute(table.insert().values(row))
    assert await release(court, before_end) == 1
    assert await release(court, before_end) == 0  # once
    _, request_export = await export_rows(court)
    assert (request_export["event_id"], request_export["to_units"]) == (event_id, "nr.411121")
    async with court.connect() as connection:
        request = await load_payload(
            connection, request_export["event_type"], request_export["ref_id"]
        )
        (held,) = (await connection.execute(select(held_requests))).mappings()
    assert request.office_notice_no == notice.notice_no  # type: ignore[attr-defined]
    assert held["released_by"] == "advice"


async def test_without_advice_the_request_goes_out_when_the_planned_day_ends(
    court: AsyncEngine,
) -> None:
    await list_enterprise(court)
    await file_control_request(court, seal(), to="nr.411121", planned_on=dt.date(2027, 1, 4))
    assert await release(court, dt.datetime(2027, 1, 4, 23, 59, 58, tzinfo=CHINA_TIME)) == 0
    assert await release(court, dt.datetime(2027, 1, 5, 8, tzinfo=CHINA_TIME)) == 1
    async with court.connect() as connection:
        (held,) = (await connection.execute(select(held_requests))).mappings()
    assert held["released_by"] == "deadline"
    assert [row["event_type"] for row in await export_rows(court)] == [
        "enforcement.key_enterprise.notified.v1",
        "enforcement.control.requested.v1",
    ]
