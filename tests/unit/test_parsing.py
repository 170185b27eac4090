"""parse_record: the order of checks, the codes, and what a rejection tells the sender."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.errors import ErrorCode, Rejection
from schemas.parsing import MAX_FIELD_ERRORS, MAX_RECORD_BYTES, ParsedEvent, parse_record
from tests.fixtures.corpus.loader import sample_event

QUERY = "enforcement.query.requested.v1"


def _bytes(event: Any) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def _reject(raw: bytes, **options: Any) -> Rejection:
    result = parse_record(raw, **options)
    assert isinstance(result, Rejection), result
    return result


def _accept(event: dict[str, Any]) -> ParsedEvent:
    result = parse_record(_bytes(event))
    assert isinstance(result, ParsedEvent), str(result)
    return result


def _paths(rejection: Rejection) -> list[str]:
    return [error.path for error in rejection.fields]


def test_accepted_record_carries_envelope_typed_payload_and_raw_object():
    event = sample_event(QUERY, "ascii-brackets")
    parsed = _accept(event)
    assert parsed.envelope.id == event["id"]
    assert parsed.raw == event
    assert parsed.event_type.name == QUERY
    # the payload is normalised; the raw object stays as signed
    assert parsed.payload.case_no == "（2026）豫1121执恢41号"  # type: ignore[attr-defined]
    assert parsed.raw["data"]["case_no"] == "(2026)豫1121执恢41号"


def test_repr_of_a_parsed_event_reveals_no_personal_data():
    parsed = _accept(sample_event(QUERY))
    text = repr(parsed)
    assert QUERY in text
    assert parsed.envelope.id in text
    assert "王建军" not in text
    assert "411121" not in text.replace("fy:unit:court.411121", "")


def test_size_is_checked_before_anything_else():
    raw = b"\xff" * 11
    assert _reject(raw, max_bytes=10).code is ErrorCode.TOO_LARGE
    assert _reject(raw, max_bytes=11).code is ErrorCode.MALFORMED


def test_a_record_of_exactly_the_limit_is_read():
    raw = _bytes(sample_event(QUERY))
    assert isinstance(parse_record(raw, max_bytes=len(raw)), ParsedEvent)
    rejection = _reject(raw, max_bytes=len(raw) - 1)
    assert rejection.code is ErrorCode.TOO_LARGE
    assert str(len(raw)) in rejection.detail


def test_default_limit_is_one_mebibyte():
    assert MAX_RECORD_BYTES == 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"\xef\xbb\xbf{}", "not JSON"),
        (b"\x80abc", "not UTF-8"),
        (b'{"a": 1,}', "not JSON"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": Infinity}', "Infinity is not JSON"),
        (b"[]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_undecodable_records_are_malformed(raw: bytes, detail: str):
    rejection = _reject(raw)
    assert rejection.code is ErrorCode.MALFORMED
    assert detail in rejection.detail


def test_missing_cloudevents_attributes_are_all_listed():
    event = {key: value for key, value in sample_event(QUERY).items() if key not in {"id", "type"}}
    event["source"] = ""
    rejection = _reject(_bytes(event))
    assert rejection.code is ErrorCode.MALFORMED
    assert _paths(rejection) == ["id", "source", "type"]
    assert rejection.event_id is None
    assert rejection.type is None


def test_wrong_specversion_is_malformed():
    rejection = _reject(_bytes({**sample_event(QUERY), "specversion": "0.3"}))
    assert rejection.code is ErrorCode.MALFORMED
    assert _paths(rejection) == ["specversion"]


def test_unknown_version_names_the_known_types_of_its_family():
    event = {**sample_event(QUERY), "type": "enforcement.query.requested.v2"}
    rejection = _reject(_bytes(event))
    assert rejection.code is ErrorCode.UNKNOWN_TYPE
    assert "enforcement.query.requested.v1" in rejection.detail
    assert rejection.type == "enforcement.query.requested.v2"
    assert rejection.event_id == event["id"]
    assert rejection.source == event["source"]


def test_unknown_family_says_so_without_hints():
    rejection = _reject(_bytes({**sample_event(QUERY), "type": "lottery.drawn.v1"}))
    assert rejection.code is ErrorCode.UNKNOWN_TYPE
    assert "family" not in rejection.detail


def test_schema_rejection_lists_every_bad_field_once_and_keeps_identity():
    event = sample_event(QUERY)
    event["time"] = "2026-03-02T09:30:00"
    event["data"]["subjects"][0]["id_no"] = "411121198503152316"
    event["data"]["categories"] = ["tax", "jewellery"]
    event["data"]["reply_by"] = "2026-02-29"
    del event["purpose"]
    rejection = _reject(_bytes(event))
    assert rejection.code is ErrorCode.SCHEMA_INVALID
    assert _paths(rejection) == [
        "time",
        "data.subjects[0].id_no",
        "data.categories[1]",
        "data.reply_by",
        "purpose",
    ]
    assert rejection.detail.startswith("5 invalid field(s) in enforcement.query.requested.v1")
    assert (rejection.event_id, rejection.source, rejection.type) == (
        event["id"],
        event["source"],
        QUERY,
    )


def test_field_messages_name_the_rule_and_not_the_personal_data():
    event = sample_event(QUERY)
    event["data"]["subjects"][0]["id_no"] = "411121198503152316"
    (error,) = _reject(_bytes(event)).fields
    assert error.message == "resident ID number (GB 11643): check digit should be 5"
    assert "411121198503152316" not in str(_reject(_bytes(event)))


def test_many_bad_fields_are_capped():
    event = sample_event(QUERY)
    subject = {"name": "某", "id_type": "resident_id", "id_no": "411121198503152316"}
    event["data"]["subjects"] = [subject] * (MAX_FIELD_ERRORS + 10)
    rejection = _reject(_bytes(event))
    assert len(rejection.fields) == MAX_FIELD_ERRORS
    assert "(and 10 more)" in rejection.detail


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("value", "38000000"),
        ("value", True),
        ("value", 38000000.0),
    ],
)
def test_payload_types_are_strict(path: str, value: Any):
    event = sample_event("enforcement.query.answered.v1")
    event["data"]["results"][0]["records"][0][path] = value
    assert _paths(_reject(_bytes(event))) == [f"data.results[0].records[0].{path}"]


def test_purpose_is_optional_without_personal_data():
    event = sample_event("bankruptcy.declared.v1")
    del event["purpose"]
    assert _accept(event).envelope.purpose is None


def test_any_purpose_fits_a_type_without_personal_data():
    event = {**sample_event("hub.receipt.v1"), "purpose": "bankruptcy"}
    assert _accept(event).envelope.purpose == "bankruptcy"


def test_purpose_outside_the_types_legal_bases_is_refused():
    event = {**sample_event("debtor.listed.v1"), "purpose": "linkage_supervision"}
    (error,) = _reject(_bytes(event)).fields
    assert error.path == "purpose"
    assert "credit_sanction" in error.message
    assert "enforcement" in error.message


def test_replies_need_a_correlationid():
    event = sample_event("judicial.suggestion.replied.v1")
    del event["correlationid"]
    (error,) = _reject(_bytes(event)).fields
    assert error.path == "correlationid"


def test_subject_must_be_the_case_number_in_either_bracket_style():
    event = sample_event("debtor.delisted.v1")
    event["subject"] = "(2026)豫1121执356号"
    _accept(event)
    event["subject"] = "SX4111212026031500003"
    (error,) = _reject(_bytes(event)).fields
    assert error.path == "subject"
    assert "（2026）豫1121执356号" in error.message


def test_an_optional_case_reference_does_not_bind_the_subject():
    event = sample_event("judicial.suggestion.issued.v1")
    assert event["subject"] != event["data"]["case_no"]
    _accept(event)


def test_hub_types_come_from_the_hub_and_unit_types_from_units():
    overdue = {**sample_event("hub.overdue.v1"), "source": "fy:unit:justice.411121"}
    assert _paths(_reject(_bytes(overdue))) == ["source"]
    listing = {**sample_event("debtor.listed.v1"), "source": "fy:hub"}
    assert _paths(_reject(_bytes(listing))) == ["source"]


def test_rejection_reads_as_one_line():
    event = sample_event(QUERY)
    del event["data"]["court"]
    text = str(_reject(_bytes(event)))
    assert text.startswith("schema_invalid: ")
    assert "data.court: required field is missing" in text


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_ATTRIBUTES = [*sorted(sample_event(QUERY)), "to", "correlationid", "hubdelivery", "x"]


@settings(max_examples=200, deadline=None)
@given(attribute=st.sampled_from(_ATTRIBUTES), value=_JSON, field=st.text(max_size=12))
def test_any_json_in_any_attribute_gives_an_answer_never_an_exception(attribute, value, field):
    event = sample_event(QUERY)
    event["data"][field or "court"] = value
    event[attribute] = value
    result = parse_record(_bytes(event))
    assert isinstance(result, (ParsedEvent, Rejection))
    if isinstance(result, Rejection):
        assert result.code in set(ErrorCode)
        assert result.detail
