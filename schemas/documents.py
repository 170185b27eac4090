"""Legal documents attached to events by reference (文书附件): the kind, the document's number,
its SHA-256, size and media type. The bytes never travel in a Kafka record; they go through the
hub's document store (`hub.documents`), which hands them only to the event's entitled recipients.

Legal rules: 民诉法 art. 253 and 民诉法解释 (the registry acts on the 裁定书 and the 协助执行通知书
the court serves with a control request); 行政诉讼法 art. 67 (the defendant agency receives the
起诉状副本); 法释〔2023〕11号 (a suggestion is a written 司法建议书).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import Field, StringConstraints

from schemas.common import Record, Text

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_DOCUMENT_BYTES: Final = 50 * 1024 * 1024
"""The largest document the store takes (50 MiB)."""
SHA256_RE: Final = r"^[0-9a-f]{64}$"


class AttachmentKind(StrEnum):
    RULING = "ruling"
    """裁定书."""
    ASSISTANCE_NOTICE = "assistance_notice"
    """协助执行通知书."""
    COMPLAINT_COPY = "complaint_copy"
    """起诉状副本."""
    JUDICIAL_SUGGESTION = "judicial_suggestion"
    """司法建议书."""
    JUDGMENT = "judgment"
    """判决书."""
    OTHER = "other"


class MediaType(StrEnum):
    PDF = "application/pdf"
    OFD = "application/ofd"
    """版式文件 (GB/T 33190), the format of many court documents."""
    JPEG = "image/jpeg"
    PNG = "image/png"


Sha256 = Annotated[str, StringConstraints(pattern=SHA256_RE)]
"""A SHA-256 digest as 64 lowercase hexadecimal digits."""


class DocumentRef(Record):
    """One attached document, named by its digest; the store serves its bytes."""

    kind: AttachmentKind
    number: Text
    """The document's number (文号), e.g. （2026）豫1121执356号之一."""
    sha256: Sha256
    size: int = Field(ge=1, le=MAX_DOCUMENT_BYTES, strict=True)
    """Size in bytes, at most 50 MiB."""
    media_type: MediaType


Attachments = tuple[DocumentRef, ...]


def has_kind(kind: AttachmentKind) -> dict[str, Any]:
    """JSON Schema: the `attachments` array contains a document of `kind`."""
    return {"contains": {"properties": {"kind": {"const": str(kind)}}, "required": ["kind"]}}


def required_documents(
    attachments: Iterable[DocumentRef] | None, ruling_no: str, *, rule: str
) -> None:
    """Raise unless `attachments` hold the ruling numbered `ruling_no` and an assistance notice."""
    kinds: dict[AttachmentKind, list[str]] = {}
    for document in attachments or ():
        kinds.setdefault(document.kind, []).append(document.number)
    rulings = kinds.get(AttachmentKind.RULING, [])
    if not rulings:
        raise ValueError(f"{rule}: attach the ruling (裁定书) {ruling_no}")
    if ruling_no not in rulings:
        raise ValueError(f"{rule}: the attached ruling must be {ruling_no}, not {rulings[0]}")
    if AttachmentKind.ASSISTANCE_NOTICE not in kinds:
        raise ValueError(f"{rule}: attach the assistance notice (协助执行通知书)")


def digests(attachments: Iterable[Any]) -> list[str]:
    """The sorted, distinct SHA-256 digests of attachments given as dicts (a payload's JSON)."""
    found = {
        str(item["sha256"])
        for item in attachments
        if isinstance(item, dict) and isinstance(item.get("sha256"), str)
    }
    return sorted(found)
