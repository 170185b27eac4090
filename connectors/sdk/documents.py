"""Documents attached to events by reference: upload them to the hub's document store before
the event that attaches them, and fetch those of the events the hub delivers.

    client = DocumentClient(store_url, unit="court.411121", key_id="k1", private_key=key)
    ruling = await client.upload(pdf, kind="ruling", number=payload.ruling_no,
                                 media_type="application/pdf")
    ...  # attach `ruling` to the event's `attachments` and publish it
    content = await client.fetch(ref)  # as a recipient: verified against ref.sha256

Requests are signed with the unit's event-signing key (`schemas.document_requests`). `fetch`
checks the bytes against the reference's SHA-256 and size and raises `DocumentTamperedError`
when they differ, or when the store reports that its copy no longer matches; so what a
recipient acts on is always the document the event named, whose digest the hub's audit chain
holds. The HTTP calls use the standard library in a worker thread: nothing to install.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from connectors.sdk.errors import ConnectorError
from schemas.document_requests import document_path, signed_headers
from schemas.documents import AttachmentKind, DocumentRef, MediaType

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_CORRUPTED: Final = "document_corrupted"


class DocumentStoreError(ConnectorError):
    """The store refused the request: `status` and its `code` (e.g. `document_not_entitled`)."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(f"the document store answered {status} {code}: {detail}".rstrip(": "))
        self.status = status
        self.code = code


class DocumentTamperedError(ConnectorError):
    """The bytes are not the document the reference names (its SHA-256 or size differ)."""


class DocumentClient:
    """One unit's access to the hub's document store at `base_url`."""

    def __init__(
        self,
        base_url: str,
        *,
        unit: str,
        key_id: str,
        private_key: Ed25519PrivateKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout_s: float = 30.0,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._unit = unit
        self._key_id = key_id
        self._key = private_key
        self._clock = clock
        self._timeout = timeout_s

    async def upload(
        self,
        content: bytes,
        *,
        kind: AttachmentKind | str,
        number: str,
        media_type: MediaType | str,
    ) -> DocumentRef:
        """Store `content`; the reference to attach to the event (validated before the upload)."""
        ref = DocumentRef(
            kind=AttachmentKind(kind),
            number=number,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            media_type=MediaType(media_type),
        )
        await asyncio.to_thread(self._request, "PUT", ref.sha256, content)
        return ref

    async def fetch(self, ref: DocumentRef) -> bytes:
        """The document's bytes, verified against `ref`; raises `DocumentTamperedError`."""
        try:
            content = await asyncio.to_thread(self._request, "GET", ref.sha256, b"")
        except DocumentStoreError as error:
            if error.code == _CORRUPTED:
                raise DocumentTamperedError(
                    f"the store's copy of {ref.sha256} no longer matches its digest"
                ) from error
            raise
        verified(ref, content)
        return content

    def _request(self, method: str, sha256: str, body: bytes) -> bytes:
        path = document_path(sha256)
        headers = signed_headers(
            unit=self._unit,
            key_id=self._key_id,
            private_key=self._key,
            method=method,
            path=path,
            body=body,
            at=self._clock(),
        )
        request = urllib.request.Request(  # noqa: S310 - the store's URL is configured, http(s)
            self._base + path,
            data=body if method == "PUT" else None,
            headers=headers | {"content-type": "application/octet-stream"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                content: bytes = response.read()
                return content
        except urllib.error.HTTPError as error:
            code, detail = _refusal(error.read())
            raise DocumentStoreError(error.code, code, detail) from None


def verified(ref: DocumentRef, content: bytes) -> bytes:
    """`content` if it is the document `ref` names; else `DocumentTamperedError`."""
    if len(content) != ref.size or hashlib.sha256(content).hexdigest() != ref.sha256:
        raise DocumentTamperedError(
            f"the bytes received are not document {ref.number} ({ref.kind}): "
            "their SHA-256 or size differs from the reference"
        )
    return content


def _refusal(body: bytes) -> tuple[str, str]:
    try:
        answer: Any = json.loads(body)
    except ValueError:
        return "unknown", ""
    if not isinstance(answer, dict):
        return "unknown", ""
    return str(answer.get("code", "unknown")), str(answer.get("detail", ""))
