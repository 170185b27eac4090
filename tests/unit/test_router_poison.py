"""Records that once blocked the hub (issue 9): each is refused with its most specific code, its
dead letter is one the router can send, its notice is a valid hub.rejected.v1, and its journal
entry is one the auditor can read. The fuzz corpus checks the same of a few thousand mutations."""

from __future__ import annotations

import collections
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.journal.entries import RecordRejected, entry_adapter
from hub.journal.reading import JournalRecord, read_record
from hub.kafka.records import InboundRecord, Outbound
from hub.observability.health import stuck_partitions_probe
from hub.router.decide import decide
from hub.router.progress import PartitionProgress
from hub.router.rejections import (
    DIGEST_HEADER,
    LENGTH_HEADER,
    OVERSIZED_HEAD_BYTES,
    TRUNCATED_HEADER,
)
from hub.router.service import decide_or_dead_letter
from schemas.errors import ErrorCode, FieldError, Rejection
from schemas.hubevents import BLANK_PATH, HubRejected
from schemas.parsing import ParsedEvent, parse_record
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.fixtures.corpus.fuzz import fuzz_cases
from tests.hubkit import TOKEN_SECRET, corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT, TAX = "court.411121", "tax.411121"
GENERIC = "the hub failed on this record"
FUZZ_RECORDS = 3000


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def record(value: bytes | dict[str, Any], *, unit: str = COURT, offset: int = 7) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return InboundRecord(outbox_topic(unit), 0, offset, b"key", raw)


def listing(**changes: Any) -> dict[str, Any]:
    return signed_by(fresh_id(corpus_event("debtor.listed.v1")) | changes, COURT)


def padded(size: int) -> dict[str, Any]:
    """A signed listing with `size` characters more in its payload (refused: unknown field)."""
    event = fresh_id(corpus_event("debtor.listed.v1"))
    event["data"]["padding"] = "x" * size
    return signed_by(event, COURT)


def refused(out: list[Outbound], sender: str = COURT) -> tuple[RecordRejected, Outbound, Any]:
    """The journal entry, the dead letter and the notice's payload, each checked for what the
    router and the auditor need of them."""
    topics: dict[str, list[Outbound]] = collections.defaultdict(list)
    for item in out:
        topics[item.topic].append(item)
    (entry_record,) = topics[JOURNAL_TOPIC]
    entry = entry_adapter().validate_json(entry_record.value)
    assert isinstance(entry, RecordRejected)
    assert isinstance(read_record(0, 0, 0, entry_record.value), JournalRecord)
    (dead,) = topics[DLQ_TOPIC]
    (notice,) = topics[inbox_topic(sender)]
    body = json.loads(notice.value)
    assert body["data"]["code"] == entry.code
    HubRejected.model_validate(body["data"])
    return entry, dead, body["data"]


def test_an_oversized_record_is_dead_lettered_as_its_head_with_its_length_and_digest(
    ctx: Any,
) -> None:
    raw = json.dumps(padded(4_194_000)).encode()
    assert len(raw) > 4_194_154 - 1_000  # the size that blocked the router

    entry, dead, notice = refused(decide(record(raw), ctx, NOW))

    assert entry.code is ErrorCode.TOO_LARGE
    assert notice["code"] == "too_large"
    headers = dict(dead.headers)
    assert headers[TRUNCATED_HEADER] == b"head"
    assert headers[LENGTH_HEADER] == str(len(raw)).encode()
    assert headers[DIGEST_HEADER] == hashlib.sha256(raw).hexdigest().encode()
    assert raw.startswith(dead.value)
    assert 0 < len(dead.value) <= OVERSIZED_HEAD_BYTES
    assert dead.shrunk is None


def test_no_dead_letter_is_larger_than_the_router_can_write() -> None:
    small = router_context(max_write_bytes=20_000, max_record_bytes=1_048_576)
    raw = json.dumps(padded(50_000)).encode()  # under the record limit
    _, dead, _ = refused(decide(record(raw), small, NOW))
    size = len(dead.value) + len(dead.key or b"") + sum(len(n) + len(v) for n, v in dead.headers)
    assert size <= 20_000
    assert dict(dead.headers)[LENGTH_HEADER] == str(len(raw)).encode()


def test_a_dead_letter_and_a_notice_carry_a_smaller_stand_in(ctx: Any) -> None:
    raw = json.dumps(listing(subject="a\x00b")).encode()
    out = decide(record(raw), ctx, NOW)
    for item in out:
        if item.topic == JOURNAL_TOPIC:
            assert item.shrunk is None
            continue
        assert item.shrunk is not None
        assert len(item.shrunk.value) <= len(item.value)
    (dead,) = [item for item in out if item.topic == DLQ_TOPIC]
    assert dead.value == raw  # whole while it fits


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"subject": "（2026）豫1121执356号\x00"}, "subject"),
        ({"subject": "\ud800"}, "subject"),
        ({"data": {"note": "\udfff"}}, "data.note"),
        ({"extra\x00": "v"}, "'extra\\x00'"),
    ],
)
def test_text_the_store_cannot_hold_is_schema_invalid_with_its_path(
    ctx: Any, changes: dict[str, Any], path: str
) -> None:
    # Unsigned: no signature can cover a lone surrogate, and the text is refused before.
    event = fresh_id(corpus_event("debtor.listed.v1")) | changes
    entry, _, notice = refused(decide(record(event), ctx, NOW))
    assert entry.code is ErrorCode.SCHEMA_INVALID
    assert [f.path for f in entry.fields] == [path]
    assert "\x00" not in json.dumps(notice, ensure_ascii=False)
    assert "\x00" not in (entry.subject or "")


@pytest.mark.parametrize(
    "time",
    [
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59Z",
        "1926-03-01T00:00:00+08:00",  # just over 100 years before NOW
        "2026-03-17T10:00:00+08:00",  # more than a day after NOW
    ],
)
def test_an_event_time_outside_its_window_is_schema_invalid(ctx: Any, time: str) -> None:
    entry, _, notice = refused(decide(record(listing(time=time)), ctx, NOW))
    assert entry.code is ErrorCode.SCHEMA_INVALID
    assert [f.path for f in entry.fields] == ["time"]
    assert notice["fields"][0]["path"] == "time"


def test_the_window_follows_the_routers_now_not_the_wall_clock(ctx: Any) -> None:
    event = listing(time="1990-01-01T00:00:00+08:00")
    raw = json.dumps(event).encode()
    assert isinstance(parse_record(raw, now=datetime(2040, 1, 1, tzinfo=UTC)), ParsedEvent)
    assert isinstance(parse_record(raw, now=datetime(2095, 1, 1, tzinfo=UTC)), Rejection)
    assert isinstance(parse_record(raw), ParsedEvent)  # no now: no window


def test_the_edges_of_the_window_are_accepted(ctx: Any) -> None:
    for time in (NOW + timedelta(hours=23), NOW - timedelta(days=36_500)):
        parsed = parse_record(json.dumps(listing(time=time.isoformat())).encode(), now=NOW)
        assert isinstance(parsed, ParsedEvent), parsed


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2127-01-01"])
def test_a_payload_date_beyond_a_hundred_years_is_schema_invalid(ctx: Any, day: str) -> None:
    event = fresh_id(corpus_event("debtor.listed.v1"))
    event["data"]["period_end"] = day
    entry, _, _ = refused(decide(record(signed_by(event, COURT)), ctx, NOW))
    assert entry.code is ErrorCode.SCHEMA_INVALID
    assert "data.period_end" in [f.path for f in entry.fields]


def test_a_non_ascii_sig_is_a_bad_signature(ctx: Any) -> None:
    event = listing() | {"sig": "签名签名"}
    entry, _, _ = refused(decide(record(event), ctx, NOW))
    assert entry.code is ErrorCode.BAD_SIGNATURE


def test_a_non_ascii_hubdelivery_is_an_unknown_correlation(ctx: Any) -> None:
    receipt = fresh_id(corpus_event("hub.receipt.v1"))
    receipt |= {"source": f"fy:unit:{TAX}", "hubdelivery": "令牌.令牌"}
    entry, _, _ = refused(decide(record(signed_by(receipt, TAX), unit=TAX), ctx, NOW), TAX)
    assert entry.code is ErrorCode.UNKNOWN_CORRELATION


@pytest.mark.parametrize(
    "rejection",
    [
        Rejection(ErrorCode.SCHEMA_INVALID, "x" * 6000, (FieldError("", "y" * 6000),)),
        Rejection(ErrorCode.SCHEMA_INVALID, " ", (FieldError(" ", " "),), event_id="\t"),
        Rejection(ErrorCode.MALFORMED, "", type="", event_id="a" * 600),
        Rejection(ErrorCode.SCHEMA_INVALID, "\x00\ud800", (FieldError("p" * 600, "\x00"),)),
    ],
)
def test_the_notice_builder_accepts_any_rejection(rejection: Rejection) -> None:
    notice = HubRejected.from_rejection(rejection)
    assert len(notice.detail) <= 5000
    for field in notice.fields:
        assert field.path.strip()
        assert len(field.path) <= 500
        assert len(field.message) <= 5000
    assert notice.rejected_id is None or notice.rejected_id.strip()
    assert "\x00" not in notice.model_dump_json()
    HubRejected.model_validate(notice.model_dump(mode="json"))


def test_a_blank_path_is_named_in_the_notice() -> None:
    notice = HubRejected.from_rejection(
        Rejection(ErrorCode.SCHEMA_INVALID, "bad", (FieldError("", "unknown field"),))
    )
    assert notice.fields[0].path == BLANK_PATH


def test_the_fuzz_corpus_gets_a_specific_code_for_every_record(ctx: Any) -> None:
    sent = 0
    outcomes: collections.Counter[str] = collections.Counter()
    generic = 0
    for offset, case in enumerate(fuzz_cases(FUZZ_RECORDS, seed=9, token_secret=TOKEN_SECRET)):
        sent += 1
        inbound = InboundRecord(case.topic, 0, offset, b"k", case.value)
        out = decide_or_dead_letter(inbound, ctx, NOW).records
        (journal,) = [item for item in out if item.topic == JOURNAL_TOPIC]
        entry = entry_adapter().validate_json(journal.value)
        assert isinstance(read_record(0, offset, 0, journal.value), JournalRecord), case.kind
        for item in out:
            assert len(item.value) <= ctx.max_write_bytes, (case.kind, item.topic)
        if isinstance(entry, RecordRejected):
            outcomes[entry.code.value] += 1
            generic += entry.detail.startswith(GENERIC)
        else:
            outcomes[entry.kind] += 1
    print(f"\nfuzz: {sent} sent; {dict(outcomes.most_common())}; generic malformed: {generic}")
    assert generic == 0
    assert sum(outcomes.values()) == sent
    assert outcomes["too_large"] == 3
    assert outcomes["event.routed"] + outcomes["answer.routed"] > 0


def test_the_fuzz_corpus_is_the_same_for_the_same_seed() -> None:
    first = [c.value for c in fuzz_cases(50, seed=3, token_secret=TOKEN_SECRET, oversized=0)]
    again = [c.value for c in fuzz_cases(50, seed=3, token_secret=TOKEN_SECRET, oversized=0)]
    assert first == again


# --- a partition the router cannot get past --------------------------------------------------


async def test_a_partition_failing_longer_than_the_bound_makes_the_router_unhealthy() -> None:
    progress = PartitionProgress()
    clock = [NOW]
    probe = stuck_partitions_probe(progress, lambda: clock[0], limit=timedelta(seconds=60))
    batch = [record(b"{}", offset=1), record(b"{}", offset=2)]

    progress.failed(batch, NOW)
    clock[0] = NOW + timedelta(seconds=59)
    assert await probe() is None
    progress.failed(batch, clock[0])  # retried: still stuck since the first failure
    clock[0] = NOW + timedelta(seconds=61)
    problem = await probe()
    assert problem is not None
    assert f"{outbox_topic(COURT)}/0" in problem

    progress.written(batch)
    assert await probe() is None
