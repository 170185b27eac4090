"""The record parser's fast decoder (orjson) reads exactly what the strict decoder reads, and
leaves to it every record the two would read differently, so each verdict stays its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.errors import Rejection
from schemas.parsing import _decode, _fast_decode, parse_record
from tests.fixtures.corpus.loader import raw_samples, sample_event, valid_samples

QUERY = "enforcement.query.requested.v1"


def typed(value: Any) -> str:
    """The value with its types showing (1 and 1.0 and True differ) and its key order."""
    return json.dumps(value, ensure_ascii=True)


def query_with(text: str) -> bytes:
    """A valid query whose `data.note`-free text has `text` spliced in as an extension value."""
    event = json.dumps(sample_event(QUERY), ensure_ascii=False)
    return (event[:-1] + f',"fyextra":{text}}}').encode()


@pytest.mark.parametrize("sample", [*valid_samples(), *raw_samples()], ids=str)
def test_the_fast_decoder_reads_the_corpus_as_the_strict_one_or_not_at_all(sample: Any) -> None:
    fast = _fast_decode(sample.raw)
    if fast is not None:
        assert typed(fast) == typed(_decode(sample.raw))


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "-Infinity",
        "1e400",
        "-1e400",
        '"\\ud800"',
        '"\\udc00 lone"',
        '"\\u0000"',
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        '{"a":1,"a":2}',
        '{"a":{"b":1,"b":1}}',
        '[{"k":1},{"k":2,"k":3}]',
        '{"a":1,"a":2,"b":"\\u003a"}',
        '{"a":1,"a":2,"b":"\\u003A"}',
        '{"a" :1, "a"\n:2}',
        "[" * 390 + "]" * 390,
        "[" * 2000 + "]" * 2000,
        '"tab\there"',
        "01",
        "[1,]",
    ],
)
def test_a_record_the_decoders_might_read_differently_gets_the_strict_verdict(text: str) -> None:
    raw = query_with(text)
    strict = _decode(raw)
    fast = _fast_decode(raw)
    if fast is not None:
        assert typed(fast) == typed(strict)
    if isinstance(strict, Rejection):
        assert parse_record(raw) == strict
        assert fast is None


def test_a_duplicate_key_is_refused_in_the_strict_decoder_s_words() -> None:
    result = parse_record(query_with('{"x":1,"x":1}'))
    assert isinstance(result, Rejection)
    assert result.detail == "not JSON: duplicate key 'x'"


def test_a_record_with_an_escaped_colon_is_read_as_with_the_colon_itself() -> None:
    raw = query_with('{"why":"a\\u003ab"}')
    assert _fast_decode(raw) is None
    assert parse_record(raw) == parse_record(query_with('{"why":"a:b"}'))


# --- any JSON text, duplicate keys and escapes included -------------------------------------------

_KEYS = st.sampled_from(["a", "b", ":", "a:b", "\u6848", "\\", '"', "k\u003a"]) | st.text(
    max_size=4
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)


def _text(value: Any, escape: bool) -> str:
    if isinstance(value, tuple):  # an object, as pairs: keys may repeat
        return "{" + ",".join(f"{_string(k, escape)} : {_text(v, escape)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(item, escape) for item in value) + "]"
    if isinstance(value, str):
        return _string(value, escape)
    return json.dumps(value)


def _string(text: str, escape: bool) -> str:
    return json.dumps(text, ensure_ascii=escape)


_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(st.tuples(_KEYS, inner), max_size=4).map(tuple)
    ),
    max_leaves=20,
)


@settings(max_examples=250, deadline=None)
@given(value=st.lists(st.tuples(_KEYS, _VALUES), max_size=5).map(tuple), escape=st.booleans())
def test_any_text_is_read_by_the_fast_decoder_as_by_the_strict_one_or_left_to_it(
    value: tuple[tuple[str, Any], ...], escape: bool
) -> None:
    raw = _text(value, escape).encode("utf-8", "surrogatepass")
    strict = _decode(raw)
    fast = _fast_decode(raw)
    if fast is not None:
        assert not isinstance(strict, Rejection)
        assert typed(fast) == typed(strict)
    keys = [key for key, _ in value]
    if len(set(keys)) < len(keys):
        assert fast is None
