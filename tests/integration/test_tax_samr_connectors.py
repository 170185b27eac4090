"""The tax and market-supervision connectors over their own databases.

First on SQLite and PostgreSQL without a broker, with copies made by the router's own decision
function: each request is handled once per event id, whatever happens to it. Then on the real
broker with the real router in between, a court-side connector asking and the departments
answering: inquiries, equity freezes (and one refused for want of the equity), joint punishment,
tax claims in bankruptcy split into tax and ordinary claims, deregistration, and replies sent
late on purpose without holding up the inbox.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from connectors.demo.samr_books import seed_samr_demo
from connectors.demo.tax_books import seed_tax_demo
from connectors.samr.app import SamrApp
from connectors.samr.store import (
    create_samr_schema,
    deregistrations,
    enterprises,
    equity_freezes,
    equity_holdings,
    restrictions,
)
from connectors.sdk import Backoff, Connector, ConnectorOptions, DeliveredEvent
from connectors.sdk.delivered import read_delivered
from connectors.sdk.documents import DocumentClient
from connectors.sdk.outgoing import Composer
from connectors.tax.app import TaxApp
from connectors.tax.store import (
    arrears,
    bankruptcy_claims,
    create_tax_schema,
    handled_requests,
    punishment_flags,
    refunds_due,
    taxpayers,
)
from hub import bootstrap
from hub.auditor.apply import apply_journal_batch
from hub.documents.app import DocumentsContext, create_documents_app
from hub.documents.blobs import BlobStore
from hub.documents.server import DocumentsServer
from hub.kafka.access import KafkaAccess
from hub.kafka.records import InboundRecord
from hub.registry import load_registry
from hub.router.context import RouterContext, unit_keyrings
from hub.router.decide import decide
from hub.router.proof import seal_batch
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from schemas.bankruptcy import ClaimKind
from schemas.catalogue import CATALOGUE
from schemas.common import Payload
from schemas.control import ControlResult
from schemas.debtor import SanctionAction
from schemas.documents import DocumentRef
from schemas.units import inbox_topic, outbox_topic
from tests.fixtures.journal import Journal, event_id
from tests.hubkit import TEST_REGISTRY, corpus_event, router_context, sdk_security, unit_key
from tests.integration.rig import Rig, bodies, read_matching, running_rig

COURT, TAX, SAMR = "court.411121", "tax.411121", "samr.411121"
WANG = ("王建军", "resident_id", "411121198503152315")
LI = ("李秀英", "resident_id", "411121199007080425")
XINGDA = ("舞阳县兴达建材有限公司", "uscc", "91411121MA45R8Q2XR")
HENGCHANG = ("舞阳县恒昌机械制造有限公司", "uscc", "91411121MA9F3K7L4C")
FAST = ConnectorOptions(reconnect=Backoff(first_s=0.1, max_s=1.0), poll_s=0.2)


# --- the departments' records --------------------------------------------------------------------


async def tax_books(engine: AsyncEngine) -> None:
    """兴达建材 owes VAT and is due a refund; 恒昌机械 (bankrupt, accepted 2026-02-10) owes two
    taxes of 2025 Q4 and one of a later period; 王建军 is a registered natural person."""
    await create_tax_schema(engine)
    day = dt.date.fromisoformat
    async with engine.begin() as connection:
        await connection.execute(
            insert(taxpayers),
            [
                taxpayer(XINGDA, "enterprise", "normal"),
                taxpayer(HENGCHANG, "enterprise", "non_filing"),
                taxpayer(WANG, "individual", "normal"),
            ],
        )
        await connection.execute(
            insert(arrears),
            [
                arrear(
                    "QS1", XINGDA, "增值税", "2025-07-01", "2025-09-30", "2025-10-15", 1_860_000
                ),
                arrear(
                    "QS2", HENGCHANG, "增值税", "2025-10-01", "2025-12-31", "2026-01-15", 1_860_000
                ),
                arrear(
                    "QS3",
                    HENGCHANG,
                    "城市维护建设税",
                    "2025-10-01",
                    "2025-12-31",
                    "2026-01-15",
                    93_000,
                ),
                arrear(
                    "QS4", HENGCHANG, "增值税", "2026-01-01", "2026-03-31", "2026-04-15", 400_000
                ),
            ],
        )
        await connection.execute(
            insert(refunds_due).values(
                refund_no="TS1",
                taxpayer_no=XINGDA[2],
                tax_type="增值税留抵退税",
                period="2025年度",
                amount=250_000,
                approved_on=day("2026-02-01"),
                status="due",
            )
        )


def taxpayer(party: tuple[str, str, str], kind: str, status: str) -> dict[str, Any]:
    name, id_type, id_no = party
    return {
        "taxpayer_no": id_no,
        "id_type": id_type,
        "name": name,
        "kind": kind,
        "status": status,
        "tax_office": "国家税务总局舞阳县税务局第一税务分局",
        "registered_on": dt.date(2016, 3, 5),
        "legal_rep": "周志刚" if kind == "enterprise" else None,
    }


def arrear(
    number: str, party: tuple[str, str, str], tax: str, start: str, end: str, due: str, fen: int
) -> dict[str, Any]:
    day = dt.date.fromisoformat
    return {
        "arrear_no": number,
        "taxpayer_no": party[2],
        "tax_type": tax,
        "period_start": day(start),
        "period_end": day(end),
        "due_on": day(due),
        "amount": fen,
    }


async def samr_books(engine: AsyncEngine) -> None:
    """王建军 holds 60 % of 兴达建材 and represents it; 恒昌机械 is registered here."""
    await create_samr_schema(engine)
    async with engine.begin() as connection:
        await connection.execute(
            insert(enterprises),
            [enterprise(XINGDA, WANG, 500_000_000), enterprise(HENGCHANG, LI, 200_000_000)],
        )
        await connection.execute(
            insert(equity_holdings),
            [
                holding(XINGDA, WANG, 6000, 300_000_000),
                holding(XINGDA, ("周志刚", "resident_id", "411121197512319493"), 4000, 200_000_000),
                holding(HENGCHANG, LI, 10000, 200_000_000),
            ],
        )


def enterprise(
    party: tuple[str, str, str], rep: tuple[str, str, str], capital: int
) -> dict[str, Any]:
    return {
        "uscc": party[2],
        "name": party[0],
        "kind": "有限责任公司（自然人投资或控股）",
        "legal_rep_name": rep[0],
        "legal_rep_id_type": rep[1],
        "legal_rep_id_no": rep[2],
        "status": "active",
        "registered_capital": capital,
        "established_on": dt.date(2016, 3, 5),
        "address": "舞阳县舞泉镇人民路1号",
        "authority": "舞阳县市场监督管理局",
    }


def holding(
    company: tuple[str, str, str], holder: tuple[str, str, str], bp: int, fen: int
) -> dict[str, Any]:
    return {
        "enterprise_uscc": company[2],
        "holder_name": holder[0],
        "holder_id_type": holder[1],
        "holder_id_no": holder[2],
        "share_bp": bp,
        "amount": fen,
    }


async def count(engine: AsyncEngine, table: Any, *where: Any) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).select_from(table).where(*where)
        return int((await connection.execute(query)).scalar_one())


def sample(event_type: str, variant: str = "valid-basic", **changes: Any) -> Payload:
    data = corpus_event(event_type, variant)["data"] | changes
    return CATALOGUE[event_type].validate_payload(data)


# --- without a broker: copies from the router's decision, handled on each database ---------------


@pytest.fixture(scope="module")
def ctx() -> RouterContext:
    return router_context()


class Desk:
    """Copies the router would deliver to a unit, as `DeliveredEvent`s of that unit."""

    def __init__(self, ctx: RouterContext) -> None:
        self.ctx = ctx
        self.court = Composer(COURT, unit_key(COURT), "k1")

    def copy(self, payload: Payload, unit: str, *, to: str | None = None) -> bytes:
        record = self.court.event(payload, to=to)
        inbound = InboundRecord(outbox_topic(COURT), 0, 1, record.subject.encode(), record.value)
        now = dt.datetime.now(dt.UTC)
        written = seal_batch(decide(inbound, self.ctx, now), self.ctx.signer)
        copies = {out.topic: out.value for out in written}
        return copies[inbox_topic(unit)]

    def delivered(self, copy: bytes, unit: str) -> DeliveredEvent[Any]:
        hub_keys = {self.ctx.hub_key_id: self.ctx.hub_key.public_key()}
        event = read_delivered(copy, hub_keys, Composer(unit, unit_key(unit), "k1"))
        assert isinstance(event, DeliveredEvent)
        return event


def idle_connector(unit: str, ctx: RouterContext, state_dir: Path) -> Connector:
    """A connector never started: the apps register on it; replies stay on the events."""
    return Connector(
        unit,
        bootstrap="127.0.0.1:9",
        signing_key=unit_key(unit),
        key_id="k1",
        hub_keys={ctx.hub_key_id: ctx.hub_key.public_key()},
        state_dir=state_dir,
    )


async def test_the_schemas_and_demo_records_load_on_both_databases_and_seed_once(
    store_engine: AsyncEngine,
) -> None:
    parties = [WANG, LI, XINGDA, HENGCHANG]
    for create, seed in ((create_tax_schema, seed_tax_demo), (create_samr_schema, seed_samr_demo)):
        await create(store_engine)
        await create(store_engine)  # creating again leaves the tables as they are
        await seed(store_engine, random.Random(11), debtors=parties, count=25)
    before = [await count(store_engine, table) for table in (taxpayers, arrears, enterprises)]
    await seed_tax_demo(store_engine, random.Random(11), debtors=parties, count=25)
    await seed_samr_demo(store_engine, random.Random(11), debtors=parties, count=25)

    assert before[0] == 29
    assert before[2] == 27
    assert [
        await count(store_engine, table) for table in (taxpayers, arrears, enterprises)
    ] == before
    assert (
        await count(store_engine, equity_holdings, equity_holdings.c.holder_id_no == WANG[2]) >= 1
    )


async def test_tax_claims_are_filed_once_per_event_and_split_tax_from_late_fees(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    await tax_books(store_engine)
    app = TaxApp(idle_connector(TAX, ctx, tmp_path), store_engine)
    desk = Desk(ctx)
    copy = desk.copy(sample("bankruptcy.accepted.v1"), TAX)

    first, again = desk.delivered(copy, TAX), desk.delivered(copy, TAX)
    await app.declare_claims(first)
    await app.declare_claims(again)  # the handler run again, e.g. after a crash

    (reply,), (repeated,) = first.replies, again.replies
    assert reply.event_id == repeated.event_id
    assert json.loads(reply.value)["data"] == json.loads(repeated.value)["data"]
    declared = CATALOGUE[reply.type].validate_payload(json.loads(reply.value)["data"])
    kinds = [(item.kind, item.amount) for item in declared.items]  # type: ignore[attr-defined]
    fee_days = (dt.date(2026, 2, 10) - dt.date(2026, 1, 15)).days
    assert kinds == [
        (ClaimKind.TAX, 1_860_000),
        (ClaimKind.TAX, 93_000),
        (ClaimKind.LATE_FEE, 1_860_000 * fee_days * 5 // 10_000),
        (ClaimKind.LATE_FEE, round(93_000 * fee_days * 5 / 10_000)),
    ]
    assert await count(store_engine, bankruptcy_claims) == 4
    assert await count(store_engine, handled_requests) == 1


async def test_listing_correction_and_delisting_apply_move_and_lift_the_measures(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    await samr_books(store_engine)
    app = SamrApp(idle_connector(SAMR, ctx, tmp_path), store_engine)
    desk = Desk(ctx)
    listing_id = "SX4111212026031500003"
    listed = desk.delivered(desk.copy(sample("debtor.listed.v1"), SAMR), SAMR)
    await app.apply_measures(listed)
    corrected_debtor = {"kind": "natural", "name": LI[0], "id_type": LI[1], "id_no": LI[2]}
    correction = sample("debtor.corrected.v1", changes={"debtor": corrected_debtor})
    corrected = desk.delivered(desk.copy(correction, SAMR), SAMR)
    await app.correct_measures(corrected)
    delisted = desk.delivered(desk.copy(sample("debtor.delisted.v1"), SAMR), SAMR)
    await app.lift_measures(delisted)

    def measures(event: DeliveredEvent[Any]) -> list[tuple[str, str]]:
        (reply,) = event.replies
        data = json.loads(reply.value)["data"]
        assert data["listing_id"] == listing_id
        return [(m["action"], m["result"]) for m in data["measures"]]

    ((applied, serving),) = measures(listed)
    assert applied == SanctionAction.APPLIED
    assert "现任1家企业法定代表人（舞阳县兴达建材有限公司）" in serving
    assert [action for action, _ in measures(corrected)] == ["lifted", "applied"]
    assert [action for action, _ in measures(delisted)] == ["lifted"]
    async with store_engine.connect() as connection:
        rows = (await connection.execute(select(restrictions).order_by(restrictions.c.id))).all()
    assert [(row.debtor_id_no, row.lifted_at is not None) for row in rows] == [
        (WANG[2], True),
        (LI[2], True),
    ]


async def test_a_debtor_unknown_to_the_tax_office_is_answered_no_measure_at_every_step(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    await create_tax_schema(store_engine)  # books without the listed debtor
    app = TaxApp(idle_connector(TAX, ctx, tmp_path), store_engine)
    desk = Desk(ctx)
    listed = desk.delivered(desk.copy(sample("debtor.listed.v1"), TAX), TAX)
    corrected = desk.delivered(desk.copy(sample("debtor.corrected.v1"), TAX), TAX)
    delisted = desk.delivered(desk.copy(sample("debtor.delisted.v1"), TAX), TAX)
    await app.apply_measures(listed)
    await app.correct_measures(corrected)
    await app.lift_measures(delisted)

    def why_not(event: DeliveredEvent[Any]) -> str:
        (reply,) = event.replies
        data = json.loads(reply.value)["data"]
        assert "measures" not in data
        return str(data["no_measure"]["reason"])

    assert [why_not(event) for event in (listed, corrected, delisted)] == [
        "not_in_registers",
        "no_applicable_measure",
        "no_applicable_measure",
    ]
    assert await count(store_engine, punishment_flags) == 0


async def test_an_equity_freeze_is_registered_once_whatever_repeats_it(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    await samr_books(store_engine)
    app = SamrApp(idle_connector(SAMR, ctx, tmp_path), store_engine)
    desk = Desk(ctx)
    request = sample("enforcement.control.requested.v1", "valid-equity-freeze")
    copy = desk.copy(request, SAMR, to=SAMR)
    events = [desk.delivered(copy, SAMR), desk.delivered(copy, SAMR)]
    # The court sending the same request again, as a new event.
    events.append(desk.delivered(desk.copy(request, SAMR, to=SAMR), SAMR))
    for event in events:
        await app.control_equity(event)

    answers = [json.loads(event.replies[0].value)["data"] for event in events]
    assert {answer["result"] for answer in answers} == {"controlled"}
    assert len({answer["registration_no"] for answer in answers}) == 1
    assert events[0].replies[0].event_id == events[1].replies[0].event_id
    assert await count(store_engine, equity_freezes) == 1


async def test_the_defendant_agency_answers_from_any_department(
    store_engine: AsyncEngine, ctx: RouterContext, tmp_path: Path
) -> None:
    await create_samr_schema(store_engine)
    app = SamrApp(idle_connector(SAMR, ctx, tmp_path), store_engine)
    desk = Desk(ctx)
    to = SAMR  # the defendant; justice gets its copy by the routing table
    filed = desk.delivered(desk.copy(sample("admincase.filed.v1"), SAMR, to=to), SAMR)
    hearing = desk.delivered(
        desk.copy(sample("admincase.hearing.scheduled.v1"), SAMR, to=SAMR), SAMR
    )
    suggestion = desk.delivered(
        desk.copy(sample("judicial.suggestion.issued.v1"), SAMR, to=to), SAMR
    )
    await app.submit_defence(filed)
    await app.report_appearance(hearing)
    await app.reply_to_suggestion(suggestion)

    assert [event.replies[0].type for event in (filed, hearing, suggestion)] == [
        "admincase.defence.submitted.v1",
        "admincase.appearance.reported.v1",
        "judicial.suggestion.replied.v1",
    ]
    assert await count(store_engine, handled_requests) == 3


# --- documents (文书附件): the office acts only on the documents, verified ----------------------

_RULING = "%PDF-1.7 执行裁定书（2026）豫1121执356号之二 冻结股权".encode()
_NOTICE = "%PDF-1.7 协助执行通知书（2026）豫1121执356号之二".encode()


@pytest.fixture
async def document_store(tmp_path: Path) -> AsyncIterator[tuple[str, Path, list[DocumentRef]]]:
    """A document store whose hub store routed a freeze attaching the ruling and the notice to
    samr, with both uploaded by the court: its URL, its folder and the two references."""
    hub_store = build_engine(f"sqlite+aiosqlite:///{tmp_path}/hub.db")
    await upgrade_engine(hub_store)
    blobs = BlobStore(tmp_path / "documents")
    context = DocumentsContext(
        engine=hub_store,
        keyrings=unit_keyrings(load_registry(TEST_REGISTRY)),
        blobs=blobs,
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    server = DocumentsServer(create_documents_app(context), port=0)
    await server.start()
    try:
        court = DocumentClient(server.url, unit=COURT, key_id="k1", private_key=unit_key(COURT))
        ruling_no = "（2026）豫1121执356号之二"
        refs = [
            await court.upload(
                _RULING, kind="ruling", number=ruling_no, media_type="application/pdf"
            ),
            await court.upload(
                _NOTICE,
                kind="assistance_notice",
                number=f"{ruling_no}协助执行通知书",
                media_type="application/pdf",
            ),
        ]
        journal = Journal()
        data = {"attachments": [ref.model_dump(mode="json") for ref in refs]}
        routed = journal.routed(
            event_id(1), type_="enforcement.control.requested.v1", data=data, to=((SAMR, "all"),)
        )
        async with async_sessionmaker(hub_store)() as session, session.begin():
            await apply_journal_batch(session, journal.records(routed))
        yield server.url, blobs.root, refs
    finally:
        await server.stop()
        await hub_store.dispose()


async def test_an_equity_freeze_is_registered_only_on_its_verified_documents(
    sqlite_engine: AsyncEngine,
    ctx: RouterContext,
    tmp_path: Path,
    document_store: tuple[str, Path, list[DocumentRef]],
) -> None:
    url, folder, refs = document_store
    await samr_books(sqlite_engine)
    app = SamrApp(idle_connector(SAMR, ctx, tmp_path), sqlite_engine)
    app.documents = DocumentClient(url, unit=SAMR, key_id="k1", private_key=unit_key(SAMR))
    desk = Desk(ctx)
    attachments = [ref.model_dump(mode="json") for ref in refs]

    def freeze(request_no: str) -> DeliveredEvent[Any]:
        request = sample(
            "enforcement.control.requested.v1",
            "valid-equity-freeze",
            request_no=request_no,
            attachments=attachments,
        )
        return desk.delivered(desk.copy(request, SAMR, to=SAMR), SAMR)

    def answered(event: DeliveredEvent[Any]) -> dict[str, Any]:
        (reply,) = event.replies
        data: dict[str, Any] = json.loads(reply.value)["data"]
        return data

    verified = freeze("KZ4111212026030300005")
    await app.control_equity(verified)
    assert answered(verified)["result"] == "controlled"

    (folder / refs[1].sha256[:2] / refs[1].sha256).write_bytes(_NOTICE + b" altered")
    tampered = freeze("KZ4111212026030300015")
    await app.control_equity(tampered)
    refused = answered(tampered)
    assert refused["result"] == "not_controlled"
    assert "与请求所载摘要不符" in refused["reason"]
    assert await count(sqlite_engine, equity_freezes) == 1


# --- on the real broker --------------------------------------------------------------------------


@pytest.fixture
async def rig(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access) as running:
        yield running


def connector(rig: Rig, dept: str, state_dir: Path) -> Connector:
    unit = rig.unit(dept)
    hub_key = bootstrap.load_hub_signing_key(rig.settings)
    return Connector(
        unit,
        bootstrap=rig.bootstrap,
        signing_key=unit_key(unit),
        key_id="k1",
        hub_keys={rig.settings.security.signing_key_id: hub_key.public_key()},
        state_dir=state_dir,
        options=replace(FAST, security=sdk_security(rig.kafka)),
    )


class Court:
    """The court's side: publishes, and collects the answers by the event they answer."""

    def __init__(self, court: Connector, answer_types: list[str]) -> None:
        self.connector = court
        self.answers: dict[str, list[DeliveredEvent[Any]]] = defaultdict(list)
        self.arrivals: list[str] = []
        for answer_type in answer_types:
            court.handles(answer_type)(self._collect)

    async def _collect(self, event: DeliveredEvent[Any]) -> None:
        assert event.correlationid is not None
        self.answers[event.correlationid].append(event)
        self.arrivals.append(event.correlationid)

    async def answered(self, *event_ids: str, timeout: float = 60.0) -> list[Any]:
        """The payload of the one answer to each of `event_ids`, once all have come."""
        async with asyncio.timeout(timeout):
            while not all(self.answers.get(event_id) for event_id in event_ids):
                await asyncio.sleep(0.05)
        return [self.answers[event_id][0].payload for event_id in event_ids]


def department_db(tmp_path: Path, name: str) -> AsyncEngine:
    return build_engine(f"sqlite+aiosqlite:///{tmp_path / name}.db")


@pytest.mark.kafka
async def test_the_tax_office_answers_inquiries_listings_and_bankruptcies(
    rig: Rig, tmp_path: Path
) -> None:
    engine = department_db(tmp_path, "tax")
    await tax_books(engine)
    court = Court(
        connector(rig, "court", tmp_path / "court"),
        [
            "enforcement.query.answered.v1",
            "debtor.sanction.reported.v1",
            "bankruptcy.claim.declared.v1",
        ],
    )
    tax_connector = connector(rig, "tax", tmp_path / "tax")
    tax = TaxApp(tax_connector, engine)
    publish = court.connector.publish
    async with court.connector, tax_connector:
        await tax.start()
        query = await publish(sample("enforcement.query.requested.v1"), to=rig.unit("tax"))
        listing = await publish(sample("debtor.listed.v1"))
        (inquiry, sanction) = await court.answered(query, listing)
        delisting = await publish(sample("debtor.delisted.v1"))
        accepted = await publish(sample("bankruptcy.accepted.v1"))
        (lifted, claims) = await court.answered(delisting, accepted)
        await tax.stop()
        await tax_connector.flush(10)
    lifted_flags = await count(engine, punishment_flags, punishment_flags.c.lifted_at.is_not(None))
    await engine.dispose()

    assert lifted_flags == 2
    wang, xingda = inquiry.results
    assert (wang.found, xingda.found) == (True, True)
    assert [record.identifier for record in xingda.records] == [XINGDA[2], "TS1", "QS1"]
    assert [record.value for record in xingda.records[1:]] == [250_000, 1_860_000]
    assert {m.action for m in sanction.measures} == {SanctionAction.APPLIED}
    assert [m.memo_article for m in sanction.measures] == [11, 12]
    assert {m.action for m in lifted.measures} == {SanctionAction.LIFTED}
    assert claims.computed_to == dt.date(2026, 2, 10)
    by_kind = defaultdict(int)
    for item in claims.items:
        by_kind[item.kind] += item.amount
    fee_days = (dt.date(2026, 2, 10) - dt.date(2026, 1, 15)).days
    assert by_kind[ClaimKind.TAX] == 1_860_000 + 93_000  # 2026 Q1 is after the acceptance
    assert by_kind[ClaimKind.LATE_FEE] == 1_860_000 * fee_days * 5 // 10_000 + round(
        93_000 * fee_days * 5 / 10_000
    )
    assert claims.total == by_kind[ClaimKind.TAX] + by_kind[ClaimKind.LATE_FEE]
    for answered in (query, listing, delisting, accepted):
        assert len(court.answers[answered]) == 1


@pytest.mark.kafka
async def test_market_supervision_freezes_equity_restricts_debtors_and_deregisters(
    rig: Rig, tmp_path: Path
) -> None:
    engine = department_db(tmp_path, "samr")
    await samr_books(engine)
    court = Court(
        connector(rig, "court", tmp_path / "court"),
        [
            "enforcement.query.answered.v1",
            "enforcement.control.answered.v1",
            "debtor.sanction.reported.v1",
            "bankruptcy.deregistration.reported.v1",
        ],
    )
    samr_connector = connector(rig, "samr", tmp_path / "samr")
    samr = SamrApp(samr_connector, engine)
    samr_unit = rig.unit("samr")
    freeze = sample("enforcement.control.requested.v1", "valid-equity-freeze")
    li_owner = {"name": LI[0], "id_type": LI[1], "id_no": LI[2]}
    missing = sample(
        "enforcement.control.requested.v1",
        "valid-equity-freeze",
        request_no="KZ4111212026030300009",
        asset=corpus_event("enforcement.control.requested.v1", "valid-equity-freeze")["data"][
            "asset"
        ]
        | {"owner": li_owner},
    )
    query = sample("enforcement.query.requested.v1", categories=["equity", "business_registration"])
    publish = court.connector.publish
    async with court.connector, samr_connector:
        await samr.start()
        frozen_id = await publish(freeze, to=samr_unit)
        missing_id = await publish(missing, to=samr_unit)
        (frozen, refused) = await court.answered(frozen_id, missing_id)
        query_id = await publish(query, to=samr_unit)
        listing_id = await publish(sample("debtor.listed.v1"))
        ended_id = await publish(sample("bankruptcy.terminated.v1"))
        (inquiry, sanction, deregistered) = await court.answered(query_id, listing_id, ended_id)
        await samr.stop()
        await samr_connector.flush(10)

    assert frozen.result is ControlResult.CONTROLLED
    assert frozen.start == frozen.answered_on  # the day it was publicised
    assert frozen.end == dt.date(2029, 3, 2)
    assert frozen.amount == 300_000_000
    assert "国家企业信用信息公示系统公示" in frozen.note
    assert refused.result is ControlResult.NOT_CONTROLLED
    assert "李秀英未持有舞阳县兴达建材有限公司的股权" in refused.reason
    assert (refused.start, refused.end, refused.registration_no) == (None, None, None)
    wang, xingda = inquiry.results
    equity = [r for r in wang.records if r.category == "equity"]
    assert [(r.identifier, r.value) for r in equity] == [(XINGDA[2], 300_000_000)]
    assert frozen.registration_no is not None
    assert "（2026）豫1121执356号" in (equity[0].encumbrances or "")
    assert [r.identifier for r in xingda.records] == [XINGDA[2]]  # its own registration
    ((measure),) = sanction.measures
    assert "法定代表人" in measure.measure
    assert deregistered.debtor.uscc == HENGCHANG[2]
    assert deregistered.terminated_on == dt.date(2026, 10, 12)
    assert await count(engine, deregistrations) == 1
    assert await count(engine, enterprises, enterprises.c.status == "deregistered") == 1
    await engine.dispose()


@pytest.mark.kafka
async def test_a_late_reply_goes_after_its_deadline_while_later_requests_are_answered(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    async with running_rig(tmp_path, kafka_access, deadlines={"reply_override_s": 3.0}) as rig:
        engine = department_db(tmp_path, "tax")
        await tax_books(engine)
        court = Court(
            connector(rig, "court", tmp_path / "court"), ["enforcement.query.answered.v1"]
        )
        tax_connector = connector(rig, "tax", tmp_path / "tax")
        tax = TaxApp(tax_connector, engine, late_every=2, late_by_s=2.0)
        async with court.connector, tax_connector:
            await tax.start()
            asked = []
            for n in (356, 357, 358):
                query = sample("enforcement.query.requested.v1", case_no=f"（2026）豫1121执{n}号")
                asked.append(await court.connector.publish(query, to=rig.unit("tax")))
            await court.answered(*asked)
            await tax.stop()
            await tax_connector.flush(10)

        async with engine.connect() as connection:
            rows = {row.event_id: row for row in await connection.execute(select(handled_requests))}
        await engine.dispose()
        # The second request handled is the late one (the two partitions may reorder them).
        on_time, late, answered_meanwhile = sorted(asked, key=lambda event: rows[event].handled_at)
        tax_in, tax_out = inbox_topic(rig.unit("tax")), outbox_topic(rig.unit("tax"))
        (copy,) = bodies(await read_matching(rig.kafka, tax_in, mentions(late)))
        receipts = [
            event
            for event in bodies(await read_matching(rig.kafka, tax_out, mentions(late), 2))
            if event["type"] == "hub.receipt.v1"
        ]

        reply_by = dt.datetime.fromisoformat(copy["hubreplyby"])
        late_reply = court.answers[late][0].envelope
        assert late_reply.time > reply_by
        # The handler returned (and the copy was receipted) before the reply was composed, and the
        # next request was answered while the late reply waited.
        assert dt.datetime.fromisoformat(receipts[0]["time"]) < late_reply.time
        assert court.answers[answered_meanwhile][0].envelope.time < late_reply.time
        assert [rows[event].reply_after for event in (on_time, answered_meanwhile)] == [None, None]
        assert rows[late].reply_after > reply_by
        assert rows[late].replied_at >= rows[late].reply_after
        assert rows[late].reply_state == "queued"


def mentions(event_id: str) -> Callable[[Any], bool]:
    return lambda record: event_id.encode() in record.value


@pytest.mark.kafka
async def test_a_deferred_reply_waiting_when_the_connector_stops_is_sent_after_restart(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    async with running_rig(tmp_path, kafka_access, deadlines={"reply_override_s": 2.0}) as rig:
        engine = department_db(tmp_path, "tax")
        await tax_books(engine)
        court = Court(
            connector(rig, "court", tmp_path / "court"), ["enforcement.query.answered.v1"]
        )
        async with court.connector:
            first_run = connector(rig, "tax", tmp_path / "tax")
            tax = TaxApp(first_run, engine, late_every=1, late_by_s=4.0)
            async with first_run:
                await tax.start()
                query = sample("enforcement.query.requested.v1", case_no="（2026）豫1121执356号")
                asked = await court.connector.publish(query, to=rig.unit("tax"))
                async with asyncio.timeout(60):
                    while tax.desk.waiting == 0:
                        await asyncio.sleep(0.05)
                await tax.stop()  # the reply is due in seconds; this run never sends it
            assert not court.answers

            second_run = connector(rig, "tax", tmp_path / "tax")
            restarted = TaxApp(second_run, engine)
            async with second_run:
                await restarted.start()
                (answer,) = await court.answered(asked)
                await second_run.flush(10)
                await restarted.stop()

        async with engine.connect() as connection:
            (row,) = (await connection.execute(select(handled_requests))).all()
        await engine.dispose()
    assert answer.request_no == query.request_no
    assert len(court.answers[asked]) == 1
    assert (row.reply_state, row.delivered) == ("queued", None)
    # event times are written to the millisecond
    sent_at = court.answers[asked][0].envelope.time
    assert sent_at >= row.reply_after.replace(
        microsecond=row.reply_after.microsecond // 1000 * 1000
    )
