"""Canonical JSON is RFC 8785's: the RFC's own vectors, and the fast path byte for byte the
reference implementation's (`rfc8785`) on any JSON value."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.canonical import CanonicalizationError, canonical_json, writes_as_jcs

# RFC 8785 §3.2.2: the sample input (a JSON text, parsed as any JSON reader would) and its
# canonical form, from the RFC text (escapes as in the RFC; the output is UTF-8).
RFC_3_2_2_INPUT = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC_3_2_2_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

# RFC 8785 §3.2.3: member names sorted by their UTF-16 code units.
RFC_3_2_3_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC_3_2_3_ORDER = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]

# RFC 8785 Appendix B: IEEE 754 doubles (as hex) and their JSON serialisation.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]
APPENDIX_B_INVALID = ["7fffffffffffffff", "7ff0000000000000"]  # NaN, Infinity


def double(hex_bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(hex_bits))[0]
    return value


def test_the_rfc_sample_is_canonicalised_as_the_rfc_prints_it() -> None:
    assert canonical_json(json.loads(RFC_3_2_2_INPUT)) == RFC_3_2_2_OUTPUT.encode()


def test_members_are_sorted_by_utf16_code_units_as_in_the_rfc() -> None:
    written = canonical_json(json.loads(RFC_3_2_3_INPUT)).decode()
    assert list(json.loads(written, object_pairs_hook=lambda pairs: [k for k, _ in pairs])) == (
        RFC_3_2_3_ORDER
    )


@pytest.mark.parametrize(("hex_bits", "expected"), APPENDIX_B)
def test_numbers_are_written_as_appendix_b_writes_them(hex_bits: str, expected: str) -> None:
    assert canonical_json(double(hex_bits)) == expected.encode()
    assert canonical_json([double(hex_bits)]) == f"[{expected}]".encode()


@pytest.mark.parametrize("hex_bits", APPENDIX_B_INVALID)
def test_nan_and_infinity_have_no_canonical_form(hex_bits: str) -> None:
    assert not math.isfinite(double(hex_bits))
    with pytest.raises(CanonicalizationError):
        canonical_json({"n": double(hex_bits)})


@pytest.mark.parametrize("value", [2**53, -(2**53), 2**64, {"a": [2**70]}])
def test_integers_beyond_the_safe_range_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json(value)


def test_a_lone_surrogate_is_refused_as_the_reference_refuses_it() -> None:
    for value in ("\ud800", {"\udc00": 1}, ["a\ud83d"]):
        with pytest.raises(Exception) as ours:
            canonical_json(value)
        with pytest.raises(Exception) as reference:
            rfc8785.dumps(value)
        assert type(ours.value) is type(reference.value)


def test_the_safe_integers_at_the_edges_are_written_as_integers() -> None:
    edge = 2**53 - 1
    assert canonical_json([edge, -edge, 0, True]) == f"[{edge},{-edge},0,true]".encode()


# --- any JSON value: the fast path and the reference write the same bytes ------------------------

_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8)
_TEXT = (
    _ANY_TEXT
    | st.sampled_from(
        ["\u20ac", "\ufb33", "\U0001f600", "\ue000", "\x7f", "\u2028", "\x00", "\x1f"]
    )
    | st.text(st.characters(max_codepoint=0x7F), max_size=6)
)
_NUMBERS = (
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
)
_SCALARS = st.none() | st.booleans() | _NUMBERS | _TEXT
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=20,
)


def reference(value: Any) -> bytes | type[BaseException]:
    try:
        written: bytes = rfc8785.dumps(value)
    except Exception as error:  # which refusal it is, is compared
        return type(error)
    return written


def ours(value: Any) -> bytes | type[BaseException]:
    try:
        return canonical_json(value)
    except Exception as error:  # which refusal it is, is compared
        return type(error)


@settings(max_examples=120, deadline=None)
@given(value=_VALUES)
def test_any_value_is_written_as_the_reference_writes_it(value: Any) -> None:
    assert ours(value) == reference(value)


@settings(max_examples=100, deadline=None)
@given(value=st.dictionaries(_TEXT, _VALUES, max_size=8))
def test_any_object_is_written_as_the_reference_writes_it(value: dict[str, Any]) -> None:
    assert ours(value) == reference(value)


_FAST_SCALARS = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | _TEXT
_FAST_VALUES = st.recursive(
    _FAST_SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=120, deadline=None)
@given(value=st.dictionaries(_TEXT, _FAST_VALUES, max_size=8))
def test_values_without_floats_are_mostly_written_by_orjson_and_alike(value: Any) -> None:
    assert ours(value) == reference(value)


def test_a_value_vouched_for_is_written_as_without_the_walk() -> None:
    value = {"b": [1, "二", None, True], "a": {"z": "x", "y": -(2**53 - 1)}}
    assert writes_as_jcs(value)
    assert canonical_json(value, vouched=True) == canonical_json(value) == rfc8785.dumps(value)
    # a caller that vouched wrongly for a big integer still gets the reference's verdict
    with pytest.raises(CanonicalizationError):
        canonical_json({"n": 2**60}, vouched=True)
