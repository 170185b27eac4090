"""Validation takes its `today` from the router's `now`: birth dates and case years are bounded by
the date in China at that instant, never by the wall clock (docs/architecture.md, clocks)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from hub.kafka.records import InboundRecord
from hub.router.decide import decide
from schemas.dates import china_date
from schemas.identifiers import (
    CaseNo,
    ResidentIdNo,
    resident_id_check_char,
    validation_context,
)
from schemas.parsing import ParsedEvent, parse_record
from schemas.units import JOURNAL_TOPIC, outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

COURT = "court.411121"
# 2026-12-31 16:00 UTC is already 2027-01-01 in China.
LAST_UTC_HOUR_OF_2026 = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)
FIRST_CHINA_MINUTE_OF_2027 = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def resident_id(born: str) -> str:
    first17 = f"411121{born}123"
    return first17 + resident_id_check_char(first17)


def listing_of_case(case_no: str) -> dict[str, Any]:
    event = fresh_id(corpus_event("debtor.listed.v1"))
    event["subject"] = case_no
    event["data"]["case_no"] = case_no
    event["time"] = "2026-12-31T23:59:00+08:00"
    return signed_by(event, COURT)


def test_the_date_in_china_turns_at_sixteen_hundred_utc() -> None:
    assert china_date(LAST_UTC_HOUR_OF_2026) == date(2026, 12, 31)
    assert china_date(FIRST_CHINA_MINUTE_OF_2027) == date(2027, 1, 1)


def test_a_birth_date_is_bounded_by_the_context_today() -> None:
    adapter: TypeAdapter[str] = TypeAdapter(ResidentIdNo)
    born_new_year = resident_id("20270101")

    with pytest.raises(ValidationError, match="in the future"):
        adapter.validate_python(born_new_year, context=validation_context(date(2026, 12, 31)))
    assert adapter.validate_python(born_new_year, context=validation_context(date(2027, 1, 1)))


def test_a_case_year_is_bounded_by_the_context_today() -> None:
    adapter: TypeAdapter[str] = TypeAdapter(CaseNo)

    with pytest.raises(ValidationError, match="year 2027 is not plausible"):
        adapter.validate_python(
            "（2027）豫1121执1号", context=validation_context(date(2026, 12, 31))
        )
    assert adapter.validate_python(
        "（2027）豫1121执1号", context=validation_context(date(2027, 1, 1))
    )


def test_without_a_today_only_the_calendar_free_rules_are_checked() -> None:
    adapter: TypeAdapter[str] = TypeAdapter(CaseNo)

    assert adapter.validate_python("（2099）豫1121执1号")
    with pytest.raises(ValidationError, match="not plausible"):
        adapter.validate_python("（1948）豫1121执1号")


def test_the_router_accepts_a_new_years_case_only_once_it_is_new_year_in_china() -> None:
    raw = json.dumps(listing_of_case("（2027）豫1121执1号")).encode()

    assert not isinstance(parse_record(raw, now=LAST_UTC_HOUR_OF_2026), ParsedEvent)
    assert isinstance(parse_record(raw, now=FIRST_CHINA_MINUTE_OF_2027), ParsedEvent)


def test_decide_routes_by_its_now_alone() -> None:
    raw = json.dumps(listing_of_case("（2027）豫1121执2号")).encode()
    record = InboundRecord(outbox_topic(COURT), 0, 1, b"key", raw)
    ctx = router_context()

    before = decide(record, ctx, LAST_UTC_HOUR_OF_2026)
    after = decide(record, ctx, FIRST_CHINA_MINUTE_OF_2027)

    def kind(out: list[Any]) -> str:
        (entry,) = (json.loads(o.value) for o in out if o.topic == JOURNAL_TOPIC)
        return str(entry["kind"])

    assert kind(before) == "record.rejected"
    assert kind(after) == "event.routed"
