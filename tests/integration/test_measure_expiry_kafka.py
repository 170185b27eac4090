"""The measure-expiry watch on the real broker and a real store, with shortened deadlines: the
court freezes equity at samr, samr answers it was frozen until a few working days from today,
and the tracker (built by the composition root with `tracker.measure_reminder_working_days`
longer than that) reminds the court once however often it sweeps; the court continues the
freeze, and the old end is never reminded again while the new end is, once, when its day comes.

The court's and samr's requests and answers are written by plain Kafka clients; the court's
connector (`connectors.court`) reads its inbox into its case database, where each reminder is
one `measure_reminders` row. The router and the auditor run in this process, and the tracker is
`fyhub run tracker`'s (its first sweep when it starts, more by hand).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from connectors.court.store import measure_reminders
from hub import bootstrap
from hub.measures.reminders import reminder_day
from hub.routing.deadlines import CHINA_TZ
from hub.store.tables import MeasureRow
from schemas.hub_proof import check_hub_signature
from schemas.units import inbox_topic, outbox_topic, source_uri
from tests.e2e.harness import count, court_database, eventually, rows, running_court
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by
from tests.integration.rig import Rig, bodies, read_matching, running_rig, wait_for_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess
    from hub.tracker.service import Tracker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

LEAD = 5
"""Working days of notice: more than the freeze has left, so its reminder is due today."""
EXPIRING = "enforcement.control.expiring.v1"


@pytest.fixture
async def rig(
    kafka_access: KafkaAccess, tmp_path: Path, sqlite_engine: AsyncEngine, sqlite_url: str
) -> AsyncIterator[Rig]:
    tracker = {"interval_s": 3600, "measure_reminder_working_days": LEAD, "max_attempts": 1}
    async with running_rig(
        tmp_path, kafka_access, store=sqlite_engine, db={"url": sqlite_url}, tracker=tracker
    ) as running:
        yield running


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def control_request(
    rig: Rig, request_no: str, action: str, end: date, **data: Any
) -> dict[str, Any]:
    event = as_region(
        fresh_id(corpus_event("enforcement.control.requested.v1", "valid-equity-freeze")),
        rig.region,
    )
    event["data"] = event["data"] | {
        "request_no": request_no,
        "action": action,
        "start": today().isoformat(),
        "end": end.isoformat(),
        **data,
    }
    return signed_by(event, rig.unit("court"))


def controlled(rig: Rig, copy: dict[str, Any], end: date) -> dict[str, Any]:
    samr = rig.unit("samr")
    answer = fresh_id(corpus_event("enforcement.control.answered.v1", "valid-controlled"))
    answer |= {
        "source": source_uri(samr),
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    answer["data"] = answer["data"] | {
        "request_no": copy["data"]["request_no"],
        "answered_on": today().isoformat(),
        "start": today().isoformat(),
        "end": end.isoformat(),
    }
    return signed_by(answer, samr)


async def frozen(rig: Rig, request: dict[str, Any], end: date) -> None:
    """The court sends `request`; samr answers it took effect until `end`."""
    await rig.send_event(outbox_topic(rig.unit("court")), request)
    (copy,) = bodies(
        await read_matching(
            rig.kafka, inbox_topic(rig.unit("samr")), lambda r: request["id"].encode() in r.value
        )
    )
    await rig.send_event(outbox_topic(rig.unit("samr")), controlled(rig, copy, end))


async def reminders(rig: Rig, count: int, hub_keys: Any) -> list[dict[str, Any]]:
    """The expiry reminders in the court's inbox, read to its end once `count` are there."""
    found = bodies(
        await read_matching(
            rig.kafka,
            inbox_topic(rig.unit("court")),
            lambda r: json.loads(r.value).get("type") == EXPIRING,
            count,
        )
    )
    for event in found:
        check_hub_signature(event, hub_keys)
    return found


async def wait_until(store: AsyncEngine, *where: Any) -> None:
    await wait_for_rows(store, select(MeasureRow).where(*where), 1)


async def test_the_court_is_reminded_once_before_a_freeze_lapses_and_once_for_its_new_end(
    rig: Rig, tmp_path: Path
) -> None:
    court_db = await court_database(tmp_path / "court.db")
    try:
        async with running_court(rig, court_db, tmp_path / "court-connector"):
            end, new_end = await reminded_twice(rig)
            await eventually(
                lambda: _counted(court_db, 2), what="both reminders in the court database"
            )
        kept = await rows(court_db, select(measure_reminders).order_by(measure_reminders.c.ends_on))
    finally:
        await court_db.dispose()
    assert [(r["request_no"], r["ends_on"], r["unit"]) for r in kept] == [
        ("KZ-EXPIRY-1", end, rig.unit("samr")),
        ("KZ-EXPIRY-1", new_end, rig.unit("samr")),
    ]


async def _counted(engine: AsyncEngine, expected: int) -> bool:
    return await count(engine, measure_reminders) >= expected


async def reminded_twice(rig: Rig) -> tuple[date, date]:
    """The freeze, reminded once; continued, and reminded once for its new end. Returns the
    two ends."""
    store = rig.store
    assert store is not None
    calendar = bootstrap.build_calendar(rig.settings)
    end = calendar.add_working_days(today(), 3)
    freeze = control_request(rig, "KZ-EXPIRY-1", "freeze", end)
    await frozen(rig, freeze, end)
    await wait_until(store, MeasureRow.event_id == freeze["id"], MeasureRow.state == "in_force")

    tracker: Tracker = bootstrap.build_tracker(rig.settings)
    ctx = bootstrap.build_router_context(rig.settings, bootstrap.load_contracts(rig.settings))
    hub_keys = {ctx.hub_key_id: ctx.hub_key.public_key()}
    await tracker.start()  # its first sweep
    try:
        (first,) = await reminders(rig, 1, hub_keys)
        assert first["data"] == {
            "event_id": freeze["id"],
            "request_no": "KZ-EXPIRY-1",
            "case_no": freeze["data"]["case_no"],
            "unit": rig.unit("samr"),
            "action": "freeze",
            "asset_kind": "equity",
            "end": end.isoformat(),
            "days_left": (end - today()).days,
        }
        assert first["subject"] == freeze["subject"]
        for personal in ("王建军", "411121198503152315", "91411121MA45R8Q2XR"):
            assert personal not in json.dumps(first, ensure_ascii=False)
        await wait_until(
            store, MeasureRow.event_id == freeze["id"], MeasureRow.reminded_for_end == end
        )
        for _ in range(2):
            assert (await tracker.sweep(datetime.now(UTC))).reminded == ()
        assert len(await reminders(rig, 1, hub_keys)) == 1

        # Continued for 40 more working days: the old end is inside the notice period today, and
        # is not reminded again; the new end is not due yet.
        new_end = calendar.add_working_days(today(), 40)
        continuation = control_request(
            rig, "KZ-EXPIRY-2", "continue_freeze", new_end, previous_request_no="KZ-EXPIRY-1"
        )
        await frozen(rig, continuation, new_end)
        await wait_until(store, MeasureRow.event_id == freeze["id"], MeasureRow.ends_on == new_end)
        assert (await tracker.sweep(datetime.now(UTC))).reminded == ()

        due = reminder_day(new_end, LEAD, calendar)
        on_the_day = datetime(due.year, due.month, due.day, 9, tzinfo=CHINA_TZ)
        assert (await tracker.sweep(on_the_day - timedelta(days=1))).reminded == ()
        swept = await tracker.sweep(on_the_day)
        assert [(r.measure.event_id, r.end) for r in swept.reminded] == [(freeze["id"], new_end)]
        await wait_until(
            store, MeasureRow.event_id == freeze["id"], MeasureRow.reminded_for_end == new_end
        )
        assert (await tracker.sweep(on_the_day + timedelta(hours=2))).reminded == ()
    finally:
        await tracker.stop()

    old, new = await reminders(rig, 2, hub_keys)
    assert (old["data"]["end"], new["data"]["end"]) == (end.isoformat(), new_end.isoformat())
    assert old["id"] != new["id"]
    out = await fyhub_trace(rig, freeze["data"]["case_no"])
    lines = [line for line in out.splitlines() if "measure.reminded" in line]
    assert len(lines) == 2
    assert f"lapses {end.isoformat()}" in lines[0]
    assert f"lapses {new_end.isoformat()}" in lines[1]
    assert rig.unit("court") in lines[1]
    return end, new_end


async def fyhub_trace(rig: Rig, case_no: str) -> str:
    assert rig.store is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env |= {"FYHUB_DB__URL": str(rig.store.url), "FYHUB_REGISTRY": str(rig.settings.registry)}
    shown = await asyncio.create_subprocess_exec(
        Path(sys.executable).parent / "fyhub",
        "trace",
        case_no,
        env=env,
        cwd=rig.settings.registry.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (text.decode() for text in await asyncio.wait_for(shown.communicate(), 60))
    assert shown.returncode == 0, err
    return out
