"""What the store answers one authenticated request. Pure.

Upload (`PUT /documents/<sha256>`): the body is the document; its SHA-256 must be the one in
the path (409 `document_digest_mismatch`), it must have at most `limit` bytes (413
`document_too_large`) and at least one. Fetch (`GET`): a unit the document is not handed to gets
403 `document_not_entitled` whether or not the store holds it, so the answer reveals nothing of
other units' documents; an entitled unit gets 404 `document_unknown` until it is uploaded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from hub.documents.requests import RequestRefusedError
from schemas.documents import SHA256_RE

if TYPE_CHECKING:
    from collections.abc import Collection

_DIGEST: Final = re.compile(SHA256_RE)


def checked_digest(text: str) -> str:
    """`text` if it is a SHA-256 digest in lowercase hex; else 400 `document_digest_invalid`."""
    if not _DIGEST.fullmatch(text):
        raise RequestRefusedError(
            400, "document_digest_invalid", "the path names no lowercase SHA-256"
        )
    return text


def too_large(limit: int) -> RequestRefusedError:
    return RequestRefusedError(413, "document_too_large", f"a document has at most {limit} bytes")


def check_upload(path_sha256: str, body_sha256: str, size: int, *, limit: int) -> None:
    """Raise `RequestRefusedError` unless the body is the document the path names, in limit."""
    if size > limit:
        raise too_large(limit)
    if size == 0:
        raise RequestRefusedError(400, "document_empty", "a document has at least one byte")
    if body_sha256 != path_sha256:
        raise RequestRefusedError(
            409, "document_digest_mismatch", "the body's SHA-256 is not the one in the path"
        )


def check_fetch(unit: str, entitled: Collection[str], *, stored: bool) -> None:
    """Raise `RequestRefusedError` unless `unit` may have the document and the store holds it."""
    if unit not in entitled:
        raise RequestRefusedError(
            403, "document_not_entitled", "no event routed to this unit attaches it"
        )
    if not stored:
        raise RequestRefusedError(404, "document_unknown", "the document has not been uploaded")
