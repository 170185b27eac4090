"""The documents a demo control request carries: a ruling and an assistance notice whose bytes
are a small text standing in for the PDF, so their digests are real. Pure."""

from __future__ import annotations

import hashlib

from schemas.documents import AttachmentKind, DocumentRef, MediaType


def demo_document_bytes(kind: AttachmentKind, number: str) -> bytes:
    """The stand-in bytes of the demo document of `kind` numbered `number`."""
    return f"%PDF-1.7\n% fyhub demo {kind} {number}\n%%EOF\n".encode()


def demo_reference(kind: AttachmentKind, number: str) -> DocumentRef:
    content = demo_document_bytes(kind, number)
    return DocumentRef(
        kind=kind,
        number=number,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type=MediaType.PDF,
    )


def control_documents(ruling_no: str) -> tuple[DocumentRef, ...]:
    """The ruling (裁定书) `ruling_no` and its assistance notice (协助执行通知书)."""
    return (
        demo_reference(AttachmentKind.RULING, ruling_no),
        demo_reference(AttachmentKind.ASSISTANCE_NOTICE, f"{ruling_no}协助执行通知书"),
    )
