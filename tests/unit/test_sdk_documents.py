"""The SDK's document client against the document store served on a loopback port: an upload
returns the reference to attach, a fetch returns the bytes only if they are the document the
reference names."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from connectors.sdk.documents import (
    DocumentClient,
    DocumentStoreError,
    DocumentTamperedError,
    verified,
)
from hub.documents.app import DocumentsContext, create_documents_app
from hub.documents.blobs import BlobStore
from hub.documents.server import DocumentsServer
from hub.registry import load_registry
from hub.router.context import unit_keyrings
from hub.store.migrate import upgrade_engine
from schemas.documents import DocumentRef
from tests.hubkit import TEST_REGISTRY, unit_key

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

COURT, TAX = "court.411121", "tax.411121"
PDF = b"%PDF-1.7 (2026) ruling"


@pytest.fixture
async def store_url(sqlite_engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[str]:
    await upgrade_engine(sqlite_engine)
    context = DocumentsContext(
        engine=sqlite_engine,
        keyrings=unit_keyrings(load_registry(TEST_REGISTRY)),
        blobs=BlobStore(tmp_path / "documents"),
        clock=lambda: datetime.now(UTC),
    )
    server = DocumentsServer(create_documents_app(context), port=0)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


def _client(url: str, unit: str) -> DocumentClient:
    return DocumentClient(url, unit=unit, key_id="k1", private_key=unit_key(unit))


async def test_an_upload_returns_the_reference_and_the_uploader_fetches_it(store_url: str) -> None:
    court = _client(store_url, COURT)
    ref = await court.upload(
        PDF, kind="ruling", number="（2026）豫1121执1号之一", media_type="application/pdf"
    )
    assert (ref.sha256, ref.size) == (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert await court.fetch(ref) == PDF


async def test_a_unit_no_event_entitles_is_refused(store_url: str) -> None:
    ref = await _client(store_url, COURT).upload(
        PDF, kind="ruling", number="1", media_type="application/pdf"
    )
    with pytest.raises(DocumentStoreError) as refused:
        await _client(store_url, TAX).fetch(ref)
    assert (refused.value.status, refused.value.code) == (403, "document_not_entitled")


async def test_a_file_changed_in_the_store_raises_tampered(store_url: str, tmp_path: Path) -> None:
    court = _client(store_url, COURT)
    ref = await court.upload(PDF, kind="ruling", number="1", media_type="application/pdf")
    (tmp_path / "documents" / ref.sha256[:2] / ref.sha256).write_bytes(PDF + b" amended")
    with pytest.raises(DocumentTamperedError):
        await court.fetch(ref)


def test_bytes_that_are_not_the_referenced_document_are_refused() -> None:
    ref = DocumentRef(
        kind="ruling",
        number="1",
        sha256=hashlib.sha256(PDF).hexdigest(),
        size=len(PDF),
        media_type="application/pdf",
    )
    assert verified(ref, PDF) == PDF
    with pytest.raises(DocumentTamperedError):
        verified(ref, PDF[:-1] + b"!")
    with pytest.raises(DocumentTamperedError):
        verified(ref, PDF + b"x")


async def test_an_invalid_reference_is_refused_before_any_upload() -> None:
    unreachable = "http://127.0.0.1:9"
    client = DocumentClient(unreachable, unit=COURT, key_id="k1", private_key=unit_key(COURT))
    with pytest.raises(ValueError, match="MediaType"):
        await client.upload(PDF, kind="ruling", number="1", media_type="text/html")
