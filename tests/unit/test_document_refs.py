"""Documents attached by reference: the reference's own rules, and the documents a control
request imposing a measure must carry (民诉法 art. 253: the 裁定书 and the 协助执行通知书)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.catalogue import CATALOGUE
from schemas.documents import MAX_DOCUMENT_BYTES, DocumentRef, digests
from schemas.errors import field_errors
from tests.fixtures.corpus.loader import sample_data

CONTROL = "enforcement.control.requested.v1"
DIGEST = hashlib.sha256(b"%PDF-1.7 ruling").hexdigest()


def _ref(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "ruling",
        "number": "（2026）豫1121执356号之一",
        "sha256": DIGEST,
        "size": 1024,
        "media_type": "application/pdf",
    } | changes


def _problems(event_type: str, data: dict[str, Any]) -> dict[str, str]:
    try:
        CATALOGUE[event_type].validate_payload(data)
    except ValidationError as error:
        return {f.path: f.message for f in field_errors(error)}
    return {}


def test_a_reference_names_its_document_by_digest() -> None:
    ref = DocumentRef.model_validate(_ref())
    assert (ref.kind, ref.sha256, ref.size) == ("ruling", DIGEST, 1024)


@pytest.mark.parametrize(
    "sha256", [DIGEST.upper(), DIGEST[:-1], DIGEST + "0", "g" * 64, ""], ids=str
)
def test_a_digest_is_64_lowercase_hex_digits(sha256: str) -> None:
    with pytest.raises(ValidationError, match="sha256"):
        DocumentRef.model_validate(_ref(sha256=sha256))


@pytest.mark.parametrize(("size", "ok"), [(0, False), (1, True), (MAX_DOCUMENT_BYTES, True)])
def test_a_document_has_between_one_byte_and_50_mib(size: int, ok: bool) -> None:
    if ok:
        assert DocumentRef.model_validate(_ref(size=size)).size == size
    else:
        with pytest.raises(ValidationError, match="size"):
            DocumentRef.model_validate(_ref(size=size))


def test_a_document_over_50_mib_is_refused() -> None:
    with pytest.raises(ValidationError, match="size"):
        DocumentRef.model_validate(_ref(size=MAX_DOCUMENT_BYTES + 1))


@pytest.mark.parametrize("media_type", ["application/ofd", "image/jpeg", "image/png"])
def test_court_formats_are_accepted(media_type: str) -> None:
    assert DocumentRef.model_validate(_ref(media_type=media_type)).media_type == media_type


@pytest.mark.parametrize("media_type", ["application/msword", "text/html", "application/zip"])
def test_other_formats_are_refused(media_type: str) -> None:
    with pytest.raises(ValidationError, match="media_type"):
        DocumentRef.model_validate(_ref(media_type=media_type))


def test_a_freeze_without_its_ruling_is_refused_naming_the_rule() -> None:
    data = sample_data(CONTROL, "equity-freeze")
    data["attachments"] = [a for a in data["attachments"] if a["kind"] != "ruling"]
    problems = _problems(CONTROL, data)
    assert "民诉法 art. 253" in problems["attachments"]
    assert "裁定书" in problems["attachments"]


def test_a_seal_without_documents_is_refused() -> None:
    data = sample_data(CONTROL, "seal-3-years")
    del data["attachments"]
    assert "attachments" in _problems(CONTROL, data)


def test_a_freeze_without_its_assistance_notice_is_refused() -> None:
    data = sample_data(CONTROL, "equity-freeze")
    data["attachments"] = [a for a in data["attachments"] if a["kind"] == "ruling"]
    assert "协助执行通知书" in _problems(CONTROL, data)["attachments"]


def test_the_ruling_attached_must_be_the_one_the_request_names() -> None:
    data = sample_data(CONTROL, "equity-freeze")
    data["attachments"][0]["number"] = "（2026）豫1121执356号之九"
    message = _problems(CONTROL, data)["attachments"]
    assert data["ruling_no"] in message


@pytest.mark.parametrize("action", ["continue_freeze"])
def test_a_continued_freeze_needs_its_documents_too(action: str) -> None:
    data = sample_data(CONTROL, "equity-freeze") | {"action": action}
    del data["attachments"]
    assert "attachments" in _problems(CONTROL, data)


def test_a_release_needs_no_documents() -> None:
    data = sample_data(CONTROL, "release")
    assert "attachments" not in data
    assert _problems(CONTROL, data) == {}


@pytest.mark.parametrize(
    ("event_type", "sample"),
    [("admincase.filed.v1", "basic"), ("judicial.suggestion.issued.v1", "basic")],
)
def test_cases_and_suggestions_may_attach_documents_or_not(event_type: str, sample: str) -> None:
    data = sample_data(event_type, sample)
    assert data["attachments"]
    assert _problems(event_type, data) == {}
    del data["attachments"]
    assert _problems(event_type, data) == {}


def test_digests_are_sorted_and_distinct() -> None:
    refs = [{"sha256": "b" * 64}, {"sha256": "a" * 64}, {"sha256": "b" * 64}, "junk"]
    assert digests(refs) == ["a" * 64, "b" * 64]
