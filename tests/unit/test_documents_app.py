"""The document store over HTTP, on a real (temp-file SQLite) hub store the auditor wrote: a
document attached to an event routed to samr is handed to samr and its sender, not to a unit
that received only another event of the case; uploads are checked against their digest; a file
changed on disk is not served. The audit chain records the digests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.documents.app import DIGEST_HEADER, DocumentsContext, create_documents_app
from hub.documents.blobs import BlobStore
from hub.registry import load_registry
from hub.router.context import unit_keyrings
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, EventAttachmentRow
from hub.supervision import reads
from hub.supervision.text import trace_lines
from schemas.document_requests import document_path, signed_headers
from tests.fixtures.journal import Journal, event_id
from tests.hubkit import TEST_REGISTRY, unit_key

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
COURT, SAMR, PBOC, JUSTICE = (f"{d}.411121" for d in ("court", "samr", "pboc", "justice"))
RULING = b"%PDF-1.7 (2024) ruling freezing the equity"
NOTICE = b"%PDF-1.7 assistance notice"
RULING_SHA, NOTICE_SHA = (hashlib.sha256(c).hexdigest() for c in (RULING, NOTICE))
LIMIT = 1024


def _ref(kind: str, content: bytes) -> dict[str, Any]:
    return {
        "kind": kind,
        "number": f"{kind} 1",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "media_type": "application/pdf",
    }


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    journal = Journal()
    control = {"case_no": "c", "attachments": [_ref("ruling", RULING), _ref("notice", NOTICE)]}
    records = journal.records(
        journal.routed(
            event_id(1),
            type_="enforcement.control.requested.v1",
            data=control,
            to=((SAMR, ["case_no", "attachments"]), (JUSTICE, ["case_no"])),
        ),
        journal.routed(event_id(2), type_="debtor.listed.v1", to=((PBOC, "all"),)),
    )
    async with async_sessionmaker(sqlite_engine)() as session, session.begin():
        await apply_journal_batch(session, records)
    return sqlite_engine


@pytest.fixture
async def client(store: AsyncEngine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    context = DocumentsContext(
        engine=store,
        keyrings=unit_keyrings(load_registry(TEST_REGISTRY)),
        blobs=BlobStore(tmp_path / "documents"),
        clock=lambda: NOW,
        max_bytes=LIMIT,
    )
    transport = httpx.ASGITransport(app=create_documents_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://documents") as client:
        yield client


async def _put(client: httpx.AsyncClient, unit: str, sha256: str, body: bytes) -> httpx.Response:
    path = document_path(sha256)
    headers = signed_headers(
        unit=unit,
        key_id="k1",
        private_key=unit_key(unit),
        method="PUT",
        path=path,
        body=body,
        at=NOW,
    )
    return await client.put(path, content=body, headers=headers)


async def _get(client: httpx.AsyncClient, unit: str, sha256: str) -> httpx.Response:
    path = document_path(sha256)
    headers = signed_headers(
        unit=unit,
        key_id="k1",
        private_key=unit_key(unit),
        method="GET",
        path=path,
        body=b"",
        at=NOW,
    )
    return await client.get(path, headers=headers)


async def test_the_recipient_and_the_sender_fetch_the_document(client: httpx.AsyncClient) -> None:
    assert (await _put(client, COURT, RULING_SHA, RULING)).status_code == 201
    for unit in (SAMR, COURT):
        fetched = await _get(client, unit, RULING_SHA)
        assert fetched.status_code == 200
        assert fetched.content == RULING
        assert fetched.headers[DIGEST_HEADER] == RULING_SHA


async def test_units_whose_copies_lacked_the_document_are_refused(
    client: httpx.AsyncClient,
) -> None:
    await _put(client, COURT, RULING_SHA, RULING)
    for unit in (PBOC, JUSTICE):
        refused = await _get(client, unit, RULING_SHA)
        assert (refused.status_code, refused.json()["code"]) == (403, "document_not_entitled")


async def test_an_entitled_unit_gets_404_before_the_upload(client: httpx.AsyncClient) -> None:
    missing = await _get(client, SAMR, NOTICE_SHA)
    assert (missing.status_code, missing.json()["code"]) == (404, "document_unknown")


async def test_an_upload_that_is_not_its_digests_document_is_refused_409(
    client: httpx.AsyncClient,
) -> None:
    refused = await _put(client, COURT, RULING_SHA, RULING + b" forged")
    assert (refused.status_code, refused.json()["code"]) == (409, "document_digest_mismatch")
    assert (await _get(client, COURT, RULING_SHA)).status_code == 404


async def test_an_upload_over_the_limit_is_refused_413(client: httpx.AsyncClient) -> None:
    body = b"x" * (LIMIT + 1)
    refused = await _put(client, COURT, hashlib.sha256(body).hexdigest(), body)
    assert (refused.status_code, refused.json()["code"]) == (413, "document_too_large")


async def test_an_unsigned_request_is_refused_401(client: httpx.AsyncClient) -> None:
    refused = await client.get(document_path(RULING_SHA))
    assert (refused.status_code, refused.json()["code"]) == (401, "request_unsigned")


async def test_a_file_changed_on_disk_is_not_served(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await _put(client, COURT, RULING_SHA, RULING)
    blob = tmp_path / "documents" / RULING_SHA[:2] / RULING_SHA
    blob.write_bytes(RULING.replace(b"equity", b"EQUITY"))
    refused = await _get(client, SAMR, RULING_SHA)
    assert (refused.status_code, refused.json()["code"]) == (500, "document_corrupted")


async def test_the_uploader_fetches_what_no_event_attaches_yet(client: httpx.AsyncClient) -> None:
    draft = b"%PDF-1.7 draft"
    sha = hashlib.sha256(draft).hexdigest()
    assert (await _put(client, PBOC, sha, draft)).status_code == 201
    assert (await _get(client, PBOC, sha)).content == draft
    assert (await _get(client, SAMR, sha)).status_code == 403


async def test_the_audit_chain_and_the_store_record_the_digests(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        received = (
            await session.scalars(
                select(AuditLogRow.detail).where(AuditLogRow.kind == "event.received")
            )
        ).all()
        attached = (await session.scalars(select(EventAttachmentRow.sha256))).all()
    assert received[0]["attachments"] == sorted([RULING_SHA, NOTICE_SHA])
    assert "attachments" not in received[1]
    assert sorted(attached) == sorted([RULING_SHA, NOTICE_SHA])


async def test_the_trace_names_the_documents_an_event_attaches(store: AsyncEngine) -> None:
    async with async_sessionmaker(store)() as session:
        traced = await reads.trace(session, event_id(1))
    assert traced is not None
    lines = trace_lines(traced)
    assert f"  document ruling ruling 1 sha256 {RULING_SHA}" in lines
    assert f"  document notice notice 1 sha256 {NOTICE_SHA}" in lines
