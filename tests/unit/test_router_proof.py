"""The router signs once per batch (`hub.router.proof.seal_batch`): every copy and notice of the
batch under one root, every journal record under another, each verifiable alone; dead letters
untouched; and nothing leaves unsigned."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.journal.seal import KEY_ID_HEADER, PATH_HEADER, SEAL_HEADER
from hub.journal.trust import JournalTrust
from hub.kafka.records import InboundRecord, Outbound, refuse_unsealed
from hub.router.decide import decide
from hub.router.proof import seal_batch
from hub.security.keyring import Keyring, ValidKey
from schemas.hub_proof import HUBPROOF, check_hub_signature, copy_bytes
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, outbox_topic
from tests.hubkit import corpus_event, fresh_id, router_context, signed_by

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT = "court.411121"


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def record(value: dict[str, Any] | bytes, offset: int) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return InboundRecord(outbox_topic(COURT), 0, offset, b"key", raw)


def batch(ctx: Any) -> list[Outbound]:
    """Two listings broadcast to the joint-punishment units and one refused record."""
    listings = [signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT) for _ in range(2)]
    records = [record(listings[0], 1), record(b"not json", 2), record(listings[1], 3)]
    return [out for r in records for out in decide(r, ctx, NOW)]


def for_units(records: list[Outbound]) -> list[Outbound]:
    return [out for out in records if out.topic.endswith(".in")]


def test_decide_leaves_its_copies_and_notices_to_be_signed(ctx: Any) -> None:
    out = batch(ctx)
    assert all(r.awaits_hub_proof for r in for_units(out))
    assert not any(r.awaits_hub_proof for r in out if not r.topic.endswith(".in"))
    for copy in for_units(out):
        assert json.loads(copy.value).keys().isdisjoint({"sig", "sigkey", HUBPROOF})


def test_one_signature_signs_every_copy_and_notice_of_a_batch(ctx: Any) -> None:
    out = batch(ctx)
    sealed = seal_batch(out, ctx.signer)
    copies = for_units(sealed)
    assert len(copies) > 2  # two broadcasts and a notice
    events = [json.loads(copy.value) for copy in copies]
    assert len({event["sig"] for event in events}) == 1
    notices = [copy for copy in copies if copy.shrunk is not None]
    assert len(notices) == 1
    stand_in = notices[0].shrunk
    assert stand_in is not None
    assert json.loads(stand_in.value)["sig"] == events[0]["sig"]  # in the same tree
    keys = {ctx.hub_key_id: ctx.hub_key.public_key()}
    for event in [*events, json.loads(stand_in.value)]:
        check_hub_signature(event, keys)
        assert event["sigkey"] == ctx.hub_key_id


def test_sealing_keeps_the_order_the_copies_and_everything_else(ctx: Any) -> None:
    out = batch(ctx)
    sealed = seal_batch(out, ctx.signer)
    assert [(r.topic, r.key) for r in sealed] == [(r.topic, r.key) for r in out]
    assert not any(r.awaits_hub_proof or r.awaits_journal_seal for r in sealed)
    for before, after in zip(out, sealed, strict=True):
        if before.awaits_hub_proof:
            # What the golden corpus compares: the copy less sig, sigkey and hubproof.
            assert copy_bytes(json.loads(after.value)) == before.value
        elif before.awaits_journal_seal:
            assert after.value == before.value
            assert [name for name, _ in after.headers] == [SEAL_HEADER, KEY_ID_HEADER, PATH_HEADER]
        else:
            assert after is before  # the dead letter
    assert {r.topic for r in sealed} >= {JOURNAL_TOPIC, DLQ_TOPIC}


def test_a_batchs_journal_records_are_sealed_once_and_each_verifies_alone(ctx: Any) -> None:
    sealed = seal_batch(batch(ctx), ctx.signer)
    journal = [r for r in sealed if r.topic == JOURNAL_TOPIC]
    assert len(journal) == 3
    assert len({dict(r.headers)[SEAL_HEADER] for r in journal}) == 1
    public = ctx.hub_key.public_key()
    trust = JournalTrust(Keyring({ctx.hub_key_id: ValidKey(ctx.hub_key_id, public)}))
    for r in journal:
        assert trust.seal_refusal(r.topic, r.key, r.value, r.headers, NOW) is None


def test_a_batch_of_dead_letters_alone_is_not_signed(ctx: Any) -> None:
    letters = [out for out in batch(ctx) if out.topic == DLQ_TOPIC]
    assert letters
    assert seal_batch(letters, ctx.signer) == letters
    assert seal_batch([], ctx.signer) == []


def test_no_writer_sends_a_copy_or_journal_record_the_hub_has_not_signed(ctx: Any) -> None:
    out = batch(ctx)
    copy = for_units(out)[0]
    entry = next(r for r in out if r.topic == JOURNAL_TOPIC)
    for unsigned in (copy, entry):
        with pytest.raises(RuntimeError, match="not signed by the hub"):
            refuse_unsealed(unsigned)
        refuse_unsealed(seal_batch([unsigned], ctx.signer)[0])
