"""The document store as the composition root builds it from settings (`fyhub run documents`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from hub import bootstrap
from hub.cli.run import ServiceName, build_service
from hub.documents import DEFAULT_PORT, DocumentsServer
from hub.settings import Settings
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_the_store_listens_on_8471_and_keeps_documents_under_the_state_dir() -> None:
    documents = Settings().documents
    assert (documents.port, DEFAULT_PORT) == (8471, 8471)
    assert documents.blob_dir.as_posix() == ".fyhub/documents"
    assert documents.max_bytes == 50 * 1024 * 1024


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FYHUB_DOCUMENTS__PORT", "18471")
    monkeypatch.setenv("FYHUB_DOCUMENTS__CLOCK_SKEW_S", "60")
    documents = bootstrap.load_settings().documents
    assert (documents.port, documents.clock_skew_s) == (18471, 60)


async def test_fyhub_run_documents_serves_the_store(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/store.db"
    engine = build_engine(url)
    await upgrade_engine(engine)
    await engine.dispose()
    settings = bootstrap.load_settings(
        registry=TEST_REGISTRY,
        db={"url": url},
        documents={"port": 0, "blob_dir": tmp_path / "documents"},
    )
    server = build_service(ServiceName.DOCUMENTS, settings)
    assert isinstance(server, DocumentsServer)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/healthz")).text == "ok"
            unsigned = await client.get("/documents/" + "a" * 64)
        assert (unsigned.status_code, unsigned.json()["code"]) == (401, "request_unsigned")
    finally:
        await server.stop()
