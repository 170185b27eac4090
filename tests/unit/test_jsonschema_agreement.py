"""The generated JSON Schemas, read by the independent `jsonschema` package (Draft 2020-12 with
format assertion), agree with the hub's models on the corpus: they accept every valid sample and
refuse exactly the invalid samples labelled `"jsonschema": "rejects"`; the others are the rules
only the models enforce (listed in tests/fixtures/corpus/README.md)."""

from __future__ import annotations

import json
from functools import cache

import pytest
from jsonschema import Draft202012Validator

from schemas.catalogue import CATALOGUE
from schemas.generate import event_schema
from tests.fixtures.corpus.loader import Sample, invalid_samples, valid_samples


@cache
def _validator(event_type: str) -> Draft202012Validator:
    schema = event_schema(CATALOGUE[event_type])
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _schema_errors(sample: Sample) -> list[str]:
    errors = _validator(sample.event_type).iter_errors(json.loads(sample.raw))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_schema_is_a_valid_draft_2020_12_schema(event_type: str):
    schema = event_schema(CATALOGUE[event_type])
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["type"] == {"const": event_type}


@pytest.mark.parametrize("sample", valid_samples(), ids=str)
def test_schema_accepts_valid_sample(sample: Sample):
    assert _schema_errors(sample) == []


@pytest.mark.parametrize(
    "sample",
    [s for s in invalid_samples() if s.expect and s.expect["code"] == "schema_invalid"],
    ids=str,
)
def test_schema_verdict_on_invalid_sample_matches_label(sample: Sample):
    assert sample.expect is not None
    verdict = "rejects" if _schema_errors(sample) else "accepts"
    assert verdict == sample.expect["jsonschema"], _schema_errors(sample)


def test_structural_rules_are_in_the_schemas():
    labels = [s.expect["jsonschema"] for s in invalid_samples() if s.expect]
    # Most of the contract is expressible in JSON Schema; the rest is the documented list.
    assert labels.count("rejects") > 2 * labels.count("accepts")


@pytest.mark.parametrize(
    "event_type", sorted(name for name, entry in CATALOGUE.items() if entry.personal_data)
)
def test_personal_data_types_require_a_permitted_purpose(event_type: str):
    schema = event_schema(CATALOGUE[event_type])
    assert "purpose" in schema["required"]
    assert set(schema["properties"]["purpose"]["enum"]) == set(CATALOGUE[event_type].purposes)


@pytest.mark.parametrize(
    "event_type", sorted(name for name, entry in CATALOGUE.items() if entry.needs_correlation)
)
def test_replies_and_receipts_require_correlationid(event_type: str):
    assert "correlationid" in event_schema(CATALOGUE[event_type])["required"]
