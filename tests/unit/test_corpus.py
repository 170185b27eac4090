"""The conformance corpus: every valid sample accepted, every invalid one refused with its label."""

from __future__ import annotations

import pytest

from schemas.catalogue import CATALOGUE
from schemas.errors import Rejection
from schemas.parsing import ParsedEvent, parse_record
from tests.fixtures.corpus.loader import (
    Sample,
    invalid_samples,
    raw_samples,
    type_dirs,
    valid_samples,
)


def test_every_catalogue_type_has_valid_and_invalid_samples():
    folders = {folder.name for folder in type_dirs()}
    assert folders == set(CATALOGUE)
    valid = {sample.event_type for sample in valid_samples()}
    invalid = {sample.event_type for sample in invalid_samples()}
    assert valid == invalid == set(CATALOGUE)


def test_every_invalid_sample_is_labelled():
    for folder in type_dirs():
        files = {path.name for path in folder.glob("invalid-*.json")}
        labels = (folder / "expect.json").read_text(encoding="utf-8")
        assert all(name in labels for name in files), folder.name


@pytest.mark.parametrize("sample", valid_samples(), ids=str)
def test_valid_sample_is_accepted(sample: Sample):
    result = parse_record(sample.raw)
    assert isinstance(result, ParsedEvent), str(result)
    assert result.event_type.name == sample.event_type
    assert result.raw == sample.event


@pytest.mark.parametrize("sample", invalid_samples(), ids=str)
def test_invalid_sample_is_refused_naming_its_field(sample: Sample):
    assert sample.expect is not None
    result = parse_record(sample.raw)
    assert isinstance(result, Rejection), f"{sample} was accepted"
    assert result.code == sample.expect["code"]
    # Each invalid sample breaks one field, and the hub names that one field only.
    assert [error.path for error in result.fields] == [sample.expect["path"]], str(result)
    assert all(error.message for error in result.fields)
    assert result.type == sample.event_type


@pytest.mark.parametrize("sample", raw_samples(), ids=str)
def test_raw_sample_is_refused_before_any_schema(sample: Sample):
    assert sample.expect is not None
    result = parse_record(sample.raw)
    assert isinstance(result, Rejection)
    assert result.code == sample.expect["code"]
    assert result.detail
    if sample.expect["path"] is not None:
        assert sample.expect["path"] in [error.path for error in result.fields]
