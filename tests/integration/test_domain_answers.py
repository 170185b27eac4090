"""Answers the domain allows, end to end on the real broker and a real store: a unit with no
measure to apply answers a listing on time; a unit announces its own liaison change and the
office lists it (`fyhub units liaisons`), while one naming another unit is refused; a task
reported in progress stays open and overdue until it is reported done."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.kafka.access import KafkaAccess
from hub.routing.deadlines import CHINA_TZ
from hub.store.tables import DeliveryRow, LiaisonChangeRow, RejectionRow
from hub.supervision import reads
from hub.supervision.text import trace_lines
from schemas.units import inbox_topic, outbox_topic, source_uri
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import Rig, bodies, read_matching, running_rig, wait_for_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.kafka]


@pytest.fixture
async def rig(
    kafka_access: KafkaAccess, tmp_path: Path, store_engine: AsyncEngine
) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access, store=store_engine) as running:
        yield running


def published(rig: Rig, dept: str, event_type: str, sample: str = "valid-basic") -> dict[str, Any]:
    return as_region(fresh_id(corpus_event(event_type, sample)), rig.region)


def answering(
    rig: Rig, dept: str, event_type: str, copy: dict[str, Any], sample: str = "valid-basic"
) -> dict[str, Any]:
    unit = rig.unit(dept)
    body = published(rig, dept, event_type, sample) | {
        "source": source_uri(unit),
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    return signed_by(body, unit)


def _any(_record: object) -> bool:
    return True


async def delivery(store: AsyncEngine, event_id: str, recipient: str) -> Any:
    async with store.connect() as connection:
        query = select(DeliveryRow).where(
            DeliveryRow.event_id == event_id, DeliveryRow.recipient == recipient
        )
        return (await connection.execute(query)).one()


async def test_a_listing_answered_with_no_measure_is_replied_on_time(rig: Rig) -> None:
    court, tax = rig.unit("court"), rig.unit("tax")
    listing = signed_by(published(rig, "court", "debtor.listed.v1"), court)
    await rig.send_event(outbox_topic(court), listing)
    (copy,) = bodies(await read_matching(rig.kafka, inbox_topic(tax), _any))

    none_applies = answering(rig, "tax", "debtor.sanction.reported.v1", copy, "valid-no-measure")
    await rig.send_event(outbox_topic(tax), none_applies)
    # The court may never publish a sanction report: not_permitted, not unknown_correlation.
    from_court = published(rig, "court", "debtor.sanction.reported.v1")
    from_court = signed_by(from_court | {"source": source_uri(court)}, court)
    await rig.send_event(outbox_topic(court), from_court)

    (at_court,) = bodies(
        await read_matching(
            rig.kafka, inbox_topic(court), lambda r: b"no_measure" in (r.value or b"")
        )
    )
    assert at_court["data"]["no_measure"]["reason"] == "not_in_registers"
    store = rig.store
    assert store is not None
    await wait_for_rows(store, select(DeliveryRow).where(DeliveryRow.replied_at.is_not(None)), 1)
    await wait_for_rows(store, select(RejectionRow), 1)
    row = await delivery(store, listing["id"], tax)
    assert (row.status, row.reply_event_id) == ("replied", none_applies["id"])
    assert row.replied_at <= row.reply_due
    async with store.connect() as connection:
        (refused,) = (await connection.execute(select(RejectionRow))).all()
    assert (refused.code, refused.event_id) == ("not_permitted", from_court["id"])


def liaison_change(rig: Rig, publisher: str, about: str) -> dict[str, Any]:
    change = published(rig, publisher, "unit.liaison.changed.v1")
    unit = rig.unit(about)
    change |= {"source": source_uri(rig.unit(publisher)), "subject": unit}
    change["data"] = change["data"] | {"unit": unit}
    return signed_by(change, rig.unit(publisher))


@pytest.mark.parametrize("store_engine", ["sqlite"], indirect=True)
async def test_a_liaison_change_is_applied_and_listed_by_fyhub_units_liaisons(
    rig: Rig, tmp_path: Path
) -> None:
    tax = rig.unit("tax")
    own = liaison_change(rig, "tax", "tax")
    for_police = liaison_change(rig, "tax", "police")
    await rig.send_event(outbox_topic(tax), for_police)
    await rig.send_event(outbox_topic(tax), own)
    (notice,) = bodies(
        await read_matching(rig.kafka, inbox_topic(tax), lambda r: b"not_permitted" in r.value)
    )
    assert notice["data"]["rejected_id"] == for_police["id"]
    police_inbox = bodies(await read_matching(rig.kafka, inbox_topic(rig.unit("police")), _any))
    assert [body["id"] for body in police_inbox] == [own["id"]]

    assert rig.store is not None
    await wait_for_rows(rig.store, select(LiaisonChangeRow), 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env |= {"FYHUB_DB__URL": str(rig.store.url), "FYHUB_REGISTRY": str(rig.settings.registry)}
    fyhub = Path(sys.executable).parent / "fyhub"
    shown = await asyncio.create_subprocess_exec(
        fyhub,
        "units",
        "liaisons",
        "--unit",
        tax,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (text.decode() for text in await asyncio.wait_for(shown.communicate(), 60))
    assert shown.returncode == 0, err
    listed, history = out.split("changes received:")
    assert "孙丽  法制股副股长  0395-7235326  since 2026-09-01" in listed
    assert f"(change {own['id']}," in listed
    assert "许文" not in listed  # replaced by the change
    assert "许文 (法制股股长, 0395-7235325) -> 孙丽" in history
    assert own["id"] in history
    assert for_police["id"] not in out


async def test_a_task_in_progress_stays_open_and_overdue_until_reported_done(rig: Rig) -> None:
    justice, tax = rig.unit("justice"), rig.unit("tax")
    today = dt.datetime.now(CHINA_TZ).date()
    task = published(rig, "justice", "linkage.task.assigned.v1")
    task["data"] = task["data"] | {
        "owner": task["data"]["owner"] | {"unit": tax},
        "assigned_on": (today - dt.timedelta(days=20)).isoformat(),
        "due": (today - dt.timedelta(days=2)).isoformat(),
    }
    task = signed_by(task, justice)
    await rig.send_event(outbox_topic(justice), task)
    (copy,) = bodies(await read_matching(rig.kafka, inbox_topic(tax), _any))
    store = rig.store
    assert store is not None

    progress = answering(rig, "tax", "linkage.task.reported.v1", copy, "valid-progress")
    await rig.send_event(outbox_topic(tax), progress)
    await wait_for_rows(store, select(DeliveryRow).where(DeliveryRow.event_id == progress["id"]), 1)
    in_progress = await delivery(store, task["id"], tax)
    assert (in_progress.status, in_progress.replied_at) == ("received", None)
    assert in_progress.receipt_at is not None
    overdue = await _overdue(store, tax)
    assert [(item.event_id, item.stage) for item in overdue] == [(task["id"], "reply")]

    done = answering(rig, "tax", "linkage.task.reported.v1", copy, "valid-done")
    await rig.send_event(outbox_topic(tax), done)
    await wait_for_rows(store, select(DeliveryRow).where(DeliveryRow.replied_at.is_not(None)), 1)
    replied = await delivery(store, task["id"], tax)
    assert (replied.status, replied.reply_event_id) == ("replied", done["id"])
    assert replied.replied_at > replied.reply_due  # done, but late
    assert await _overdue(store, tax) == []

    async with async_sessionmaker(store)() as session:
        found = await reads.trace(session, task["id"])
    assert found is not None
    text = "\n".join(trace_lines(found))
    assert "(progress)" in text
    assert progress["id"] in text


async def _overdue(store: AsyncEngine, unit: str) -> list[reads.OverdueDelivery]:
    async with async_sessionmaker(store)() as session:
        return await reads.overdue(session, now=dt.datetime.now(dt.UTC), unit=unit)
