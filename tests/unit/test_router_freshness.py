"""An event's `time` against the router's clock: too old or too far ahead is `stale`, with a
notice and a dead letter like any refusal; the window's edges are inside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from hub.bootstrap import build_freshness_window, load_settings
from hub.journal.entries import EventRouted, RecordRejected, entry_adapter
from hub.kafka.records import InboundRecord
from hub.router.decide import decide
from hub.router.freshness import FreshnessWindow, staleness
from hub.settings import SettingsError
from schemas.errors import ErrorCode
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
WEEK = FreshnessWindow()
COURT = "court.411121"


def test_the_default_window_is_seven_days_back_and_fifteen_minutes_ahead() -> None:
    assert (WEEK.max_age, WEEK.max_ahead) == (timedelta(days=7), timedelta(minutes=15))
    assert WEEK.oldest(NOW) == NOW - timedelta(days=7)
    assert WEEK.latest(NOW) == NOW + timedelta(minutes=15)


@pytest.mark.parametrize(
    "offset",
    [timedelta(days=-7), timedelta(days=-1), timedelta(0), timedelta(minutes=15)],
    ids=["oldest", "yesterday", "now", "latest"],
)
def test_a_time_within_the_window_is_fresh(offset: timedelta) -> None:
    assert staleness(NOW + offset, WEEK, NOW) is None


def test_a_time_older_than_the_window_is_stale() -> None:
    refusal = staleness(NOW - timedelta(days=7, seconds=1), WEEK, NOW)
    assert refusal is not None
    assert refusal.code is ErrorCode.STALE
    assert "more than 7 days before" in refusal.detail


def test_a_time_too_far_ahead_is_stale() -> None:
    refusal = staleness(NOW + timedelta(minutes=15, seconds=1), WEEK, NOW)
    assert refusal is not None
    assert refusal.code is ErrorCode.STALE
    assert "more than 900 s after" in refusal.detail


def test_the_offset_of_the_time_does_not_matter() -> None:
    china = datetime(2026, 3, 9, 9, 0, tzinfo=UTC).astimezone(timezone(timedelta(hours=8)))
    assert staleness(china, WEEK, NOW) is None  # 2026-03-09T09:00Z: 6 days 16 h before
    assert staleness(china - timedelta(days=1), WEEK, NOW) is not None


def listing_at(time: datetime) -> dict[str, Any]:
    event = fresh_id(corpus_event("debtor.listed.v1")) | {"time": time.isoformat()}
    return signed_by(event, COURT)


def decided(event: dict[str, Any]) -> dict[str, list[Any]]:
    ctx = router_context(freshness=WEEK)
    value = json.dumps(event, ensure_ascii=False).encode()
    out = decide(InboundRecord(outbox_topic(COURT), 0, 3, b"k", value), ctx, NOW)
    topics: dict[str, list[Any]] = {}
    for record in out:
        topics.setdefault(record.topic, []).append(record)
    return topics


@pytest.mark.parametrize(
    "time", [NOW - timedelta(days=8), NOW + timedelta(hours=1)], ids=["old", "ahead"]
)
def test_the_router_refuses_a_stale_event_with_a_notice_and_its_bytes_dead_lettered(
    time: datetime,
) -> None:
    event = listing_at(time)
    topics = decided(event)
    assert set(topics) == {DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic(COURT)}
    (dead,) = topics[DLQ_TOPIC]
    assert dead.value == json.dumps(event, ensure_ascii=False).encode()
    assert dict(dead.headers)["fy-error-code"] == b"stale"
    (notice,) = topics[inbox_topic(COURT)]
    body = json.loads(notice.value)
    assert (body["data"]["code"], body["data"]["rejected_id"]) == ("stale", event["id"])
    assert body["correlationid"] == event["id"]
    (journal,) = topics[JOURNAL_TOPIC]
    entry = entry_adapter().validate_json(journal.value)
    assert isinstance(entry, RecordRejected)
    assert (entry.code, entry.event_id) == (ErrorCode.STALE, event["id"])


def test_a_fresh_event_is_routed() -> None:
    topics = decided(listing_at(NOW - timedelta(days=6)))
    (journal,) = topics[JOURNAL_TOPIC]
    assert isinstance(entry_adapter().validate_json(journal.value), EventRouted)
    assert inbox_topic("tax.411121") in topics


def test_a_bad_signature_is_named_before_staleness() -> None:
    event = listing_at(NOW - timedelta(days=30))
    event["data"]["listing_id"] = "SX0000"  # after signing
    (dead,) = decided(event)[DLQ_TOPIC]
    assert dict(dead.headers)["fy-error-code"] == b"bad_signature"


def test_the_router_settings_ship_the_default_window(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_freshness_window(load_settings()) == WEEK
    monkeypatch.setenv("FYHUB_ROUTER__MAX_AGE_S", "3600")
    monkeypatch.setenv("FYHUB_ROUTER__MAX_AHEAD_S", "0")
    window = build_freshness_window(load_settings())
    assert (window.max_age, window.max_ahead) == (timedelta(hours=1), timedelta(0))


@pytest.mark.parametrize(("name", "value"), [("MAX_AGE_S", "0"), ("MAX_AHEAD_S", "-1")])
def test_a_window_without_room_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"FYHUB_ROUTER__{name}", value)
    with pytest.raises(SettingsError, match=f"FYHUB_ROUTER__{name}"):
        load_settings()
