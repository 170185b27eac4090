"""The document store over HTTP: `PUT /documents/<sha256>` uploads a document, `GET` fetches
one, `GET /healthz` answers `ok`.

Every request is signed by a registered unit (`hub.documents.requests`); what it is answered is
`hub.documents.grants`, who may fetch is `hub.documents.entitlement` over the store's record of
the events attaching the document (`hub.documents.lookup`). Refusals are JSON
`{"code": ..., "detail": ...}` with the status the code implies; the bytes of a document go out
with `fy-sha256` naming their digest. A stored file that no longer matches its digest is never
served: 500 `document_corrupted`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hub.documents import grants, lookup
from hub.documents.blobs import CorruptedBlobError
from hub.documents.entitlement import entitled_units
from hub.documents.requests import DEFAULT_SKEW, RequestRefusedError, authenticate
from schemas.document_requests import document_path
from schemas.documents import MAX_DOCUMENT_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime, timedelta

    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.requests import Request

    from hub.documents.blobs import BlobStore
    from hub.security.keyring import Keyring

_log = logging.getLogger(__name__)
DIGEST_HEADER = "fy-sha256"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True, slots=True)
class DocumentsContext:
    engine: AsyncEngine
    keyrings: Mapping[str, Keyring]
    blobs: BlobStore
    clock: Callable[[], datetime]
    max_bytes: int = MAX_DOCUMENT_BYTES
    skew: timedelta = DEFAULT_SKEW


def create_documents_app(context: DocumentsContext) -> Starlette:
    sessions = async_sessionmaker(context.engine, expire_on_commit=False)

    async def upload(request: Request) -> Response:
        try:
            sha256 = grants.checked_digest(request.path_params["sha256"])
            body = await _body(request, context.max_bytes)
            body_sha256 = hashlib.sha256(body).hexdigest()
            unit = _signer(request, sha256, body_sha256, context)
            grants.check_upload(sha256, body_sha256, len(body), limit=context.max_bytes)
        except RequestRefusedError as refusal:
            return _refused(refusal)
        await asyncio.to_thread(context.blobs.write, sha256, body, unit)
        _log.info("document uploaded", extra={"unit": unit, "sha256": sha256, "size": len(body)})
        return JSONResponse({"sha256": sha256, "size": len(body)}, status_code=201)

    async def fetch(request: Request) -> Response:
        try:
            sha256 = grants.checked_digest(request.path_params["sha256"])
            unit = _signer(request, sha256, _EMPTY_SHA256, context)
            async with sessions() as session:
                events = await lookup.attaching_events(session, sha256)
            uploaders = await asyncio.to_thread(context.blobs.uploaders, sha256)
            stored = await asyncio.to_thread(context.blobs.has, sha256)
            grants.check_fetch(unit, entitled_units(events, uploaders), stored=stored)
            content = await asyncio.to_thread(context.blobs.read, sha256)
        except RequestRefusedError as refusal:
            return _refused(refusal)
        except CorruptedBlobError:
            _log.error("stored document does not match its digest", extra={"sha256": sha256})
            detail = "the stored copy no longer matches its digest; it is not served"
            return _refused(RequestRefusedError(500, "document_corrupted", detail))
        return Response(
            content, media_type="application/octet-stream", headers={DIGEST_HEADER: sha256}
        )

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/documents/{sha256}", upload, methods=["PUT"]),
            Route("/documents/{sha256}", fetch, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _signer(request: Request, sha256: str, body_sha256: str, context: DocumentsContext) -> str:
    return authenticate(
        request.headers,
        method=request.method,
        path=document_path(sha256),
        body_sha256=body_sha256,
        keyrings=context.keyrings,
        now=context.clock(),
        skew=context.skew,
    )


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise grants.too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise grants.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(refusal: RequestRefusedError) -> Response:
    return JSONResponse({"code": refusal.code, "detail": refusal.detail}, refusal.status)
