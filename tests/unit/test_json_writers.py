"""The fast JSON writers write what the slow ones they stand in for write: `encode_json` what
`json.dumps` writes, a journal entry what pydantic's `model_dump_json` writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.journal.entries import AnswerRouted, Delivered, EventRouted, Position
from hub.journal.seal import entry_json
from hub.kafka.records import encode_json

_TEXT = st.text(max_size=8) | st.sampled_from(["案号", "\x00", "\x1f\x7f", "\u2028", "😀", '"\\'])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_EVENTS = st.dictionaries(_TEXT, _VALUES, max_size=6)
AT = datetime(2026, 11, 20, 2, 30, 0, 123456, tzinfo=UTC)


def slow(value: Any) -> bytes | type[BaseException]:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    except Exception as error:  # which refusal, is compared
        return type(error)


def fast(value: Any) -> bytes | type[BaseException]:
    try:
        return encode_json(value)
    except Exception as error:  # which refusal, is compared
        return type(error)


@settings(max_examples=150, deadline=None)
@given(value=_VALUES)
def test_encode_json_writes_what_json_dumps_writes(value: Any) -> None:
    assert fast(value) == slow(value)


@pytest.mark.parametrize(
    "value",
    [{"a": "\ud800"}, {1: "x"}, {"n": float("nan")}, (1, 2), {"big": 2**64}, {"e": 1e16}],
)
def test_encode_json_leaves_what_orjson_writes_otherwise_to_json_dumps(value: Any) -> None:
    assert fast(value) == slow(value)


def routed(event: dict[str, Any]) -> EventRouted:
    delivered = Delivered(recipient="tax.411121", fields=["a.b", "c"], receipt_by=AT, reply_by=None)
    position = Position(topic="fy.unit.court.411121.out", partition=2, offset=9)
    return EventRouted(at=AT, position=position, event=event, deliveries=[delivered])


@settings(max_examples=150, deadline=None)
@given(event=_EVENTS)
def test_a_routing_entry_is_written_as_pydantic_writes_it(event: dict[str, Any]) -> None:
    entry = routed(event)
    try:
        expected = entry.model_dump_json().encode()
    except Exception as error:
        with pytest.raises(type(error)):
            entry_json(entry)
        return
    assert entry_json(entry) == expected


def test_an_answer_entry_is_written_as_pydantic_writes_it() -> None:
    entry = AnswerRouted(
        at=AT,
        position=Position(topic="fy.unit.tax.411121.out", partition=0, offset=1),
        event={"id": "x", "data": {"event": {}, "n": [1, "二"]}, "note": '"event":{}'},
        answers="y",
        answered_by="tax.411121",
        original_sender="court.411121",
        receipt=True,
        deliveries=[],
    )
    assert entry_json(entry) == entry.model_dump_json().encode()
