"""Who may fetch a document, and what the store answers an upload or a fetch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hub.documents.blobs import BlobStore, CorruptedBlobError
from hub.documents.entitlement import AttachingEvent, entitled_units, keeps_attachments
from hub.documents.grants import check_fetch, check_upload, checked_digest
from hub.documents.requests import RequestRefusedError

CONTENT = b"%PDF-1.7 assistance notice"
DIGEST = hashlib.sha256(CONTENT).hexdigest()
COURT, TAX, SAMR, PBOC, JUSTICE = (
    f"{dept}.411121" for dept in ("court", "tax", "samr", "pboc", "justice")
)


@pytest.mark.parametrize(
    ("fields", "kept"),
    [
        ("all", True),
        (["case_no", "attachments"], True),
        (["attachments.sha256"], True),
        (["case_no", "ruling_no"], False),
        (["attachments_note"], False),
        ([], False),
    ],
)
def test_a_copy_carries_the_attachments_only_if_its_fields_keep_them(
    fields: list[str], kept: bool
) -> None:
    assert keeps_attachments(fields) is kept


def test_the_sender_and_the_recipients_whose_copies_keep_the_attachments_are_entitled() -> None:
    events = [
        AttachingEvent(COURT, {SAMR: ["case_no", "attachments"], JUSTICE: ["case_no"]}),
        AttachingEvent(COURT, {TAX: "all"}),
    ]
    assert entitled_units(events) == {COURT, SAMR, TAX}


def test_the_uploader_is_entitled_before_any_event_attaches_it() -> None:
    assert entitled_units([], [COURT]) == {COURT}
    assert entitled_units([]) == frozenset()


def test_a_hub_event_has_no_sender_to_entitle() -> None:
    assert entitled_units([AttachingEvent(None, {TAX: "all"})]) == {TAX}


def _refusal(call: object, *args: object, **kwargs: object) -> tuple[int, str]:
    with pytest.raises(RequestRefusedError) as refused:
        call(*args, **kwargs)  # type: ignore[operator]
    return refused.value.status, refused.value.code


def test_an_upload_must_be_the_document_its_path_names() -> None:
    check_upload(DIGEST, DIGEST, len(CONTENT), limit=100)
    other = hashlib.sha256(b"other").hexdigest()
    assert _refusal(check_upload, DIGEST, other, 5, limit=100) == (
        409,
        "document_digest_mismatch",
    )


def test_an_upload_over_the_limit_is_refused_413() -> None:
    assert _refusal(check_upload, DIGEST, DIGEST, 101, limit=100) == (413, "document_too_large")


def test_an_empty_upload_is_refused() -> None:
    empty = hashlib.sha256(b"").hexdigest()
    assert _refusal(check_upload, empty, empty, 0, limit=100) == (400, "document_empty")


@pytest.mark.parametrize("text", [DIGEST.upper(), DIGEST[:-1], "../" + DIGEST[3:], ""])
def test_a_path_names_a_lowercase_sha256(text: str) -> None:
    assert _refusal(checked_digest, text) == (400, "document_digest_invalid")
    assert checked_digest(DIGEST) == DIGEST


def test_a_unit_not_entitled_gets_403_whether_or_not_the_document_is_stored() -> None:
    for stored in (True, False):
        assert _refusal(check_fetch, PBOC, {TAX, SAMR}, stored=stored) == (
            403,
            "document_not_entitled",
        )


def test_an_entitled_unit_gets_404_until_the_document_is_uploaded() -> None:
    assert _refusal(check_fetch, TAX, {TAX}, stored=False) == (404, "document_unknown")
    check_fetch(TAX, {TAX}, stored=True)


def test_blobs_are_kept_by_digest_and_verified_on_read(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "documents")
    assert not blobs.has(DIGEST)
    blobs.write(DIGEST, CONTENT, COURT)
    blobs.write(DIGEST, CONTENT, TAX)
    assert blobs.read(DIGEST) == CONTENT
    assert blobs.uploaders(DIGEST) == {COURT, TAX}
    assert blobs.path(DIGEST) == tmp_path / "documents" / DIGEST[:2] / DIGEST
    assert not [p for p in blobs.path(DIGEST).parent.iterdir() if p.name.startswith(".tmp")]


def test_a_blob_changed_on_disk_is_never_read_back(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    blobs.write(DIGEST, CONTENT, COURT)
    blobs.path(DIGEST).write_bytes(CONTENT.replace(b"notice", b"NOTICE"))
    with pytest.raises(CorruptedBlobError):
        blobs.read(DIGEST)
