"""The demo's bad records: each is refused by the hub for the reason it was made to show."""

import datetime as dt
import json
import random

import pytest

from connectors.demo.bad_records import BadRecord, bad_record
from connectors.demo.court import CourtDemo
from schemas.dates import CHINA_TIME
from schemas.errors import ErrorCode, Rejection
from schemas.parsing import ParsedEvent, parse_record
from schemas.signing import SignatureError, check_signature, generate_keypair

NOW = dt.datetime(2026, 5, 11, 10, 0, tzinfo=CHINA_TIME)


def record(kind: BadRecord, seed: int = 4) -> bytes:
    rng = random.Random(seed)
    demo = CourtDemo(rng, NOW.date())
    request = demo.query(demo.enforcement_case(), ("tax",))
    return bad_record(kind, request, unit="court.411121", to=("tax.411121",), rng=rng, now=NOW)


def test_a_truncated_document_is_malformed() -> None:
    refused = parse_record(record(BadRecord.MALFORMED_JSON))
    assert isinstance(refused, Rejection)
    assert refused.code is ErrorCode.MALFORMED


@pytest.mark.parametrize("seed", range(10))
def test_a_wrong_check_digit_is_schema_invalid_at_the_subjects_id(seed: int) -> None:
    refused = parse_record(record(BadRecord.BAD_CHECK_DIGIT, seed))
    assert isinstance(refused, Rejection)
    assert refused.code is ErrorCode.SCHEMA_INVALID
    (problem,) = refused.fields
    assert problem.path.startswith("data.subjects[")
    assert problem.path.endswith("].id_no")
    assert "check digit" in problem.message


def test_an_unsigned_event_is_otherwise_valid_but_fails_the_signature_check() -> None:
    raw = record(BadRecord.UNSIGNED)
    parsed = parse_record(raw)
    assert isinstance(parsed, ParsedEvent)
    assert parsed.envelope.source == "fy:unit:court.411121"
    _, public = generate_keypair()
    with pytest.raises(SignatureError):
        check_signature(json.loads(raw), {"k1": public})


def test_each_bad_record_has_its_own_event_id() -> None:
    ids = {json.loads(record(BadRecord.UNSIGNED, seed))["id"] for seed in range(20)}
    assert len(ids) == 20
