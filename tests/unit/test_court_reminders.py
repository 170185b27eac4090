"""The court keeps the hub's reminders that a seal or freeze lapses soon (`measure_reminders`),
once per reminder id."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from connectors.court.app import CourtApp
from connectors.court.store import CHINA_TIME, create_court_schema, measure_reminders
from connectors.court.writeback import reminder_row
from hub.store.engine import build_engine
from schemas.catalogue import CATALOGUE
from schemas.hubevents import EnforcementControlExpiring
from tests.fixtures.corpus import samples

if TYPE_CHECKING:
    from pathlib import Path

PAYLOAD = CATALOGUE[samples.CONTROL_EXPIRING["type"]].validate_payload(
    samples.CONTROL_EXPIRING["data"]
)
RECEIVED = dt.datetime(2029, 2, 10, 9, 1, tzinfo=CHINA_TIME)


def test_the_row_keeps_what_the_reminder_says() -> None:
    assert isinstance(PAYLOAD, EnforcementControlExpiring)
    assert reminder_row("n-1", PAYLOAD, received_at=RECEIVED) == {
        "notice_event_id": "n-1",
        "request_event_id": samples.SEAL["id"],
        "request_no": "KZ4111212026030300004",
        "case_no": samples.ENF_CASE,
        "unit": "nr.411121",
        "action": "seal",
        "asset_kind": "real_estate",
        "ends_on": dt.date(2029, 3, 3),
        "days_left": 21,
        "received_at": RECEIVED,
    }


class _Delivered:
    def __init__(self, event_id: str, payload: Any) -> None:
        self.id, self.payload = event_id, payload


class _Connector:
    """Takes the app's registrations; nothing is delivered through it here."""

    def handles(self, _event_type: object) -> Any:
        return lambda handler: handler

    def on_receipt(self, callback: Any) -> Any:
        return callback

    on_rejected = on_overdue = on_receipt


async def test_a_reminder_delivered_twice_is_kept_once(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'court.db'}")
    try:
        await create_court_schema(engine)
        app = CourtApp(_Connector(), engine)  # type: ignore[arg-type]
        for _ in range(2):
            await app.record_reminder(_Delivered("n-1", PAYLOAD))  # type: ignore[arg-type]
        async with engine.connect() as connection:
            counted = await connection.scalar(select(func.count()).select_from(measure_reminders))
        assert counted == 1
    finally:
        await engine.dispose()
