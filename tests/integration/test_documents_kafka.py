"""Documents attached to events, through the real broker, router and auditor and the document
store on a loopback port: the court uploads an equity-freeze ruling and its assistance notice
and attaches them to the freeze it sends samr, the ruling freezing a tax refund to the freeze it
sends tax, uploads a complaint copy and attaches it to the
administrative case it files against tax, and lists the debtor with every joint-punishment unit.
samr and tax fetch and verify their documents; units that received only the listing (pboc,
police), or a copy stripped of the attachments (the justice bureau's copy of the case), are
refused; an upload that is not its digest's document is refused; a file changed on disk raises
`DocumentTamperedError`; the audit chain holds the digests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import select

from connectors.sdk.documents import DocumentClient, DocumentStoreError, DocumentTamperedError
from hub import bootstrap
from hub.store.tables import AuditLogRow, DeliveryRow, EventAttachmentRow
from schemas.document_requests import document_path, signed_headers
from schemas.units import inbox_topic, outbox_topic
from tests.hubkit import as_region, corpus_event, fresh_id, signed_by, unit_key
from tests.integration.rig import bodies, read_matching, running_rig, wait_for_rows

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.kafka.access import KafkaAccess
    from schemas.documents import DocumentRef

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

RULING_NO = "（2026）豫1121执356号之二"
RULING = f"%PDF-1.7\n执行裁定书 {RULING_NO}：冻结被执行人王建军持有的股权\n%%EOF\n".encode()
NOTICE = f"%PDF-1.7\n协助执行通知书 {RULING_NO}\n%%EOF\n".encode()
REFUND_RULING_NO = "（2026）豫1121执356号之三"
REFUND_RULING = (
    f"%PDF-1.7\n执行裁定书 {REFUND_RULING_NO}：冻结被执行人王建军的应退税款\n%%EOF\n".encode()
)
COMPLAINT = "%PDF-1.7\n行政起诉状：请求撤销行政处罚决定\n%%EOF\n".encode()


def _client(url: str, unit: str) -> DocumentClient:
    return DocumentClient(url, unit=unit, key_id="k1", private_key=unit_key(unit))


def _event(region: str, event_type: str, sample: str, **data: Any) -> dict[str, Any]:
    event = as_region(fresh_id(corpus_event(event_type, sample)), region)
    return event | {"data": event["data"] | data}


async def _forged_upload(url: str, unit: str, sha256: str, body: bytes) -> httpx.Response:
    path = document_path(sha256)
    headers = signed_headers(
        unit=unit,
        key_id="k1",
        private_key=unit_key(unit),
        method="PUT",
        path=path,
        body=body,
        at=datetime.now(UTC),
    )
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.put(path, content=body, headers=headers)


async def _refused(client: DocumentClient, ref: DocumentRef) -> tuple[int, str]:
    with pytest.raises(DocumentStoreError) as refused:
        await client.fetch(ref)
    return refused.value.status, refused.value.code


async def test_documents_reach_the_entitled_recipients_only(  # noqa: PLR0915 - one story, in order
    kafka_access: KafkaAccess, tmp_path: Path, sqlite_engine: AsyncEngine
) -> None:
    blob_dir = tmp_path / "documents"
    async with running_rig(
        tmp_path, kafka_access, store=sqlite_engine, documents={"port": 0, "blob_dir": blob_dir}
    ) as rig:
        court, samr, tax = rig.unit("court"), rig.unit("samr"), rig.unit("tax")
        pboc, police, justice = rig.unit("pboc"), rig.unit("police"), rig.unit("justice")
        documents = bootstrap.build_documents(rig.settings, engine=sqlite_engine)
        await documents.start()
        try:
            url = documents.url
            uploader = _client(url, court)
            ruling = await uploader.upload(
                RULING, kind="ruling", number=RULING_NO, media_type="application/pdf"
            )
            notice = await uploader.upload(
                NOTICE,
                kind="assistance_notice",
                number=f"{RULING_NO}协助执行通知书",
                media_type="application/pdf",
            )
            refund_ruling = await uploader.upload(
                REFUND_RULING, kind="ruling", number=REFUND_RULING_NO, media_type="application/pdf"
            )
            complaint = await uploader.upload(
                COMPLAINT, kind="complaint_copy", number="行政起诉状", media_type="application/pdf"
            )
            forged = await _forged_upload(url, court, ruling.sha256, RULING + b"forged")
            assert (forged.status_code, forged.json()["code"]) == (409, "document_digest_mismatch")

            refs = [ruling.model_dump(mode="json"), notice.model_dump(mode="json")]
            freeze = _event(
                rig.region,
                "enforcement.control.requested.v1",
                "valid-equity-freeze",
                attachments=refs,
            )
            # the same assistance-notice form, its own ruling: tax freezes the refund it owes
            refund_refs = [refund_ruling.model_dump(mode="json"), refs[1]]
            refund = _event(
                rig.region,
                "enforcement.control.requested.v1",
                "valid-refund-freeze",
                attachments=refund_refs,
            )
            case = _event(
                rig.region,
                "admincase.filed.v1",
                "valid-basic",
                defendant={"unit": tax, "name": "舞阳县税务局"},
                attachments=[complaint.model_dump(mode="json")],
            ) | {"to": tax}
            listing = _event(rig.region, "debtor.listed.v1", "valid-basic")
            for event in (freeze, refund, case, listing):
                await rig.send_event(outbox_topic(court), signed_by(event, court))

            ids = [freeze["id"], refund["id"], case["id"], listing["id"]]
            routed = select(DeliveryRow).where(DeliveryRow.event_id.in_(ids))
            listed = select(DeliveryRow).where(DeliveryRow.event_id == listing["id"])
            await wait_for_rows(
                sqlite_engine, routed.where(DeliveryRow.event_id != listing["id"]), 4
            )
            await wait_for_rows(sqlite_engine, listed.where(DeliveryRow.recipient == police), 1)
            await wait_for_rows(sqlite_engine, listed.where(DeliveryRow.recipient == pboc), 1)

            # the copy samr receives names the documents; the listing names none
            (samr_copy,) = bodies(
                await read_matching(
                    rig.kafka, inbox_topic(samr), lambda r: freeze["id"].encode() in r.value
                )
            )
            assert [a["sha256"] for a in samr_copy["data"]["attachments"]] == [
                ruling.sha256,
                notice.sha256,
            ]

            registry = _client(url, samr)
            assert await registry.fetch(ruling) == RULING
            assert await registry.fetch(notice) == NOTICE
            assert await _client(url, tax).fetch(complaint) == COMPLAINT
            # tax acts on the refund freeze's ruling and notice, as samr on the equity freeze's
            assert await _client(url, tax).fetch(refund_ruling) == REFUND_RULING
            assert await _client(url, tax).fetch(notice) == NOTICE
            assert await _refused(registry, refund_ruling) == (403, "document_not_entitled")
            for unit in (pboc, police):
                for ref in (ruling, notice, refund_ruling):
                    assert await _refused(_client(url, unit), ref) == (403, "document_not_entitled")
            assert await _refused(_client(url, tax), ruling) == (403, "document_not_entitled")
            assert await _refused(_client(url, justice), complaint) == (
                403,
                "document_not_entitled",
            )
            assert await _refused(registry, complaint) == (403, "document_not_entitled")

            stored = blob_dir / ruling.sha256[:2] / ruling.sha256
            stored.write_bytes(RULING.replace("股权".encode(), "房产".encode()))
            with pytest.raises(DocumentTamperedError):
                await registry.fetch(ruling)
        finally:
            await documents.stop()

    async with sqlite_engine.connect() as connection:
        received = {
            row.event_id: row.detail
            for row in await connection.execute(
                select(AuditLogRow.event_id, AuditLogRow.detail).where(
                    AuditLogRow.kind == "event.received", AuditLogRow.event_id.in_(ids)
                )
            )
        }
        attached = sorted(
            (await connection.execute(select(EventAttachmentRow.sha256))).scalars().all()
        )
    assert received[freeze["id"]]["attachments"] == sorted([ruling.sha256, notice.sha256])
    assert received[case["id"]]["attachments"] == [complaint.sha256]
    assert "attachments" not in received[listing["id"]]
    expected = {ruling.sha256, notice.sha256, complaint.sha256}
    assert expected <= set(attached)
    assert hashlib.sha256(RULING).hexdigest() == ruling.sha256
