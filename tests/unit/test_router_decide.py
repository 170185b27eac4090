"""The router's decision on one record: who gets which fields, and how each refusal is recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.journal.entries import AnswerRouted, EventRouted, RecordRejected, entry_adapter
from hub.journal.trust import JournalTrust
from hub.kafka.records import InboundRecord, Outbound
from hub.router.decide import decide
from hub.router.proof import seal_batch
from hub.router.token import read_token
from hub.security.keyring import Keyring, ValidKey
from schemas.hub_proof import check_hub_signature
from schemas.signing import dump_public_key, generate_keypair, sign_event
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import (
    TEST_REGISTRY,
    TOKEN_SECRET,
    corpus_event,
    fresh_id,
    router_context,
    signed_by,
)

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
COURT, TAX, SAMR = "court.411121", "tax.411121", "samr.411121"
JOINT_PUNISHMENT = {
    "tax.411121",
    "samr.411121",
    "nr.411121",
    "pboc.411121",
    "police.411121",
    "justice.411121",
}


@pytest.fixture(scope="module")
def ctx() -> Any:
    return router_context()


def record(value: bytes | dict[str, Any], *, unit: str = COURT, offset: int = 7) -> InboundRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
    return InboundRecord(outbox_topic(unit), 0, offset, b"key", raw)


def by_topic(out: list[Outbound]) -> dict[str, list[Outbound]]:
    grouped: dict[str, list[Outbound]] = {}
    for item in out:
        grouped.setdefault(item.topic, []).append(item)
    return grouped


def journal_of(out: list[Outbound]) -> Any:
    (entry,) = by_topic(out)[JOURNAL_TOPIC]
    return entry_adapter().validate_json(entry.value)


def listing() -> dict[str, Any]:
    return signed_by(fresh_id(corpus_event("debtor.listed.v1")), COURT)


def test_a_listing_reaches_every_joint_punishment_unit_with_its_entitled_fields(ctx: Any) -> None:
    event = listing()
    out = seal_batch(decide(record(event), ctx, NOW), ctx.signer)
    inboxes = {topic for topic in by_topic(out) if topic != JOURNAL_TOPIC}
    assert inboxes == {inbox_topic(unit) for unit in JOINT_PUNISHMENT}
    entry = journal_of(out)
    assert isinstance(entry, EventRouted)
    assert entry.event == event  # the original, with the court's signature, for the store
    for delivered in entry.deliveries:
        (copy,) = by_topic(out)[inbox_topic(delivered.recipient)]
        body = json.loads(copy.value)
        fields = ctx.table.route("debtor.listed.v1").projection_for(
            delivered.recipient.split(".")[0]
        )
        assert delivered.fields == sorted(fields.fields)
        assert set(body["data"]) == {path.split(".")[0] for path in fields.fields} & set(
            event["data"]
        )
        check_hub_signature(body, {"hub-test": ctx.hub_key.public_key()})
        token = read_token(body["hubdelivery"], TOKEN_SECRET)
        assert (token.event_id, token.source, token.recipient) == (
            event["id"],
            COURT,
            delivered.recipient,
        )


def test_only_entitled_depts_get_the_debtors_id_number(ctx: Any) -> None:
    out = decide(record(listing()), ctx, NOW)
    entitled = {
        unit
        for unit in JOINT_PUNISHMENT
        if "debtor.id_no"
        in (ctx.table.route("debtor.listed.v1").projection_for(unit.split(".")[0]).fields)
        or "debtor" in ctx.table.route("debtor.listed.v1").projection_for(unit.split(".")[0]).fields
    }
    for unit in JOINT_PUNISHMENT:
        (copy,) = by_topic(out)[inbox_topic(unit)]
        has_id = "id_no" in json.loads(copy.value)["data"].get("debtor", {})
        assert has_id == (unit in entitled)


def test_copies_are_keyed_by_case_number_so_a_case_stays_in_order(ctx: Any) -> None:
    event = listing()
    out = decide(record(event), ctx, NOW)
    assert {item.key for item in out} == {event["subject"].encode()}


def rejected(out: list[Outbound], code: str, *, sender: str) -> RecordRejected:
    topics = by_topic(out)
    (dead,) = topics[DLQ_TOPIC]
    headers = dict(dead.headers)
    assert headers["fy-error-code"] == code.encode()
    assert headers["fy-original-topic"] == outbox_topic(sender).encode()
    (notice,) = topics[inbox_topic(sender)]
    body = json.loads(notice.value)
    assert body["type"] == "hub.rejected.v1"
    assert body["data"]["code"] == code
    entry = journal_of(out)
    assert isinstance(entry, RecordRejected)
    assert entry.code == code
    assert entry.sender == sender
    return entry


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff\xfe not json", "malformed"),
        (b'{"specversion": "1.0"}', "malformed"),
    ],
)
def test_unreadable_records_are_dead_lettered_raw_and_the_sender_told(
    ctx: Any, raw: bytes, code: str
) -> None:
    out = decide(record(raw), ctx, NOW)
    rejected(out, code, sender=COURT)
    (dead,) = by_topic(out)[DLQ_TOPIC]
    assert dead.value == raw  # oversized records keep only their head: test_router_poison


def test_unknown_type(ctx: Any) -> None:
    event = signed_by({**listing(), "type": "debtor.listed.v9"}, COURT)
    rejected(decide(record(event), ctx, NOW), "unknown_type", sender=COURT)


def test_schema_invalid_names_the_field(ctx: Any) -> None:
    event = listing()
    event["data"]["debtor"]["id_no"] = "411121198503152316"  # wrong check digit
    entry = rejected(
        decide(record(signed_by(event, COURT)), ctx, NOW), "schema_invalid", sender=COURT
    )
    assert [f.path for f in entry.fields] == ["data.debtor.id_no"]


def test_spoofed_source_is_refused_and_the_real_sender_told(ctx: Any) -> None:
    out = decide(record(listing(), unit=TAX), ctx, NOW)  # court's event on tax's outbox
    rejected(out, "source_mismatch", sender=TAX)


def test_altered_event_fails_its_signature(ctx: Any) -> None:
    event = listing()
    event["data"]["duty"] = "已变更"
    rejected(decide(record(event), ctx, NOW), "bad_signature", sender=COURT)


def test_unsigned_event_is_refused(ctx: Any) -> None:
    event = {k: v for k, v in listing().items() if k not in ("sig", "sigkey")}
    rejected(decide(record(event), ctx, NOW), "bad_signature", sender=COURT)


def rotating_court(tmp_path: Path, new_public: str) -> Any:
    """A registry where the court's k1 is retired an hour after NOW and k2 valid from an hour
    before: the overlap of a rotation."""
    text = TEST_REGISTRY.read_text(encoding="utf-8")
    old = "      k1: WnGGZ7QP+afZr+ItsheZvS7+inl7+MNLU+lIs5FksAM=\n"
    listed = (
        "      - {key_id: k1, public: WnGGZ7QP+afZr+ItsheZvS7+inl7+MNLU+lIs5FksAM=,"
        " until: 2026-03-16T02:00:00Z}\n"
        f"      - {{key_id: k2, public: {new_public}, since: 2026-03-16T00:00:00Z}}\n"
    )
    assert old in text
    registry = tmp_path / "units.yaml"
    registry.write_text(text.replace(old, listed, 1), encoding="utf-8")
    return router_context(registry)


def test_overlapping_unit_keys_both_verify_and_a_retired_one_is_refused(tmp_path: Path) -> None:
    new_key, new_public = generate_keypair()
    ctx = rotating_court(tmp_path, dump_public_key(new_public))
    unsigned = {k: v for k, v in listing().items() if k not in ("sig", "sigkey")}
    by_old, by_new = listing(), sign_event(unsigned, new_key, "k2")
    for event in (by_old, by_new):
        assert isinstance(journal_of(decide(record(event), ctx, NOW)), EventRouted)
    later = NOW + timedelta(hours=2)
    entry = rejected(decide(record(by_old), ctx, later), "bad_signature", sender=COURT)
    assert "'k1' is valid from the start until 2026-03-16T02:00:00+00:00" in entry.detail
    assert isinstance(journal_of(decide(record(by_new), ctx, later)), EventRouted)


def test_the_journal_entry_is_sealed_by_the_hub_with_its_batch(ctx: Any) -> None:
    routed, refused = decide(record(listing()), ctx, NOW), decide(record(b"not json"), ctx, NOW)
    assert all(r.awaits_journal_seal for r in routed + refused if r.topic == JOURNAL_TOPIC)
    sealed = seal_batch(routed + refused, ctx.signer)
    (entry, rejection) = by_topic(sealed)[JOURNAL_TOPIC]
    public = ctx.hub_key.public_key()
    trust = JournalTrust(Keyring({ctx.hub_key_id: ValidKey(ctx.hub_key_id, public)}))
    assert trust.seal_refusal(JOURNAL_TOPIC, entry.key, entry.value, entry.headers, NOW) is None
    assert (
        trust.seal_refusal(JOURNAL_TOPIC, rejection.key, rejection.value, rejection.headers, NOW)
        is None
    )


def test_a_unit_may_not_publish_the_courts_types(ctx: Any) -> None:
    event = signed_by({**listing(), "source": f"fy:unit:{TAX}"}, TAX)
    rejected(decide(record(event, unit=TAX), ctx, NOW), "not_permitted", sender=TAX)


def query(to: str) -> dict[str, Any]:
    event = fresh_id(corpus_event("enforcement.query.requested.v1"))
    return signed_by({**event, "to": to}, COURT)


def test_targeted_query_goes_only_to_the_units_in_to(ctx: Any) -> None:
    out = decide(record(query(f"{TAX} {SAMR}")), ctx, NOW)
    assert set(by_topic(out)) == {inbox_topic(TAX), inbox_topic(SAMR), JOURNAL_TOPIC}


def test_query_to_an_unregistered_unit(ctx: Any) -> None:
    rejected(decide(record(query("tax.411122")), ctx, NOW), "unknown_recipient", sender=COURT)


def test_query_to_a_unit_not_entitled(ctx: Any) -> None:
    rejected(
        decide(record(query("justice.411121")), ctx, NOW), "recipient_not_entitled", sender=COURT
    )


def delivered_copy(ctx: Any, event: dict[str, Any], unit: str) -> dict[str, Any]:
    out = decide(record(event), ctx, NOW)
    (copy,) = by_topic(out)[inbox_topic(unit)]
    body: dict[str, Any] = json.loads(copy.value)
    return body


def receipt_for(copy: dict[str, Any], unit: str, **changes: Any) -> dict[str, Any]:
    receipt = fresh_id(corpus_event("hub.receipt.v1"))
    receipt |= {
        "source": f"fy:unit:{unit}",
        "subject": copy["subject"],
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    } | changes
    return signed_by(receipt, unit)


def test_a_receipt_goes_back_to_the_original_sender(ctx: Any) -> None:
    copy = delivered_copy(ctx, listing(), TAX)
    out = decide(record(receipt_for(copy, TAX), unit=TAX), ctx, NOW)
    assert set(by_topic(out)) == {inbox_topic(COURT), JOURNAL_TOPIC}
    entry = journal_of(out)
    assert isinstance(entry, AnswerRouted)
    assert (entry.answers, entry.answered_by, entry.original_sender, entry.receipt) == (
        copy["id"],
        TAX,
        COURT,
        True,
    )


def test_a_reply_goes_back_to_the_original_sender(ctx: Any) -> None:
    copy = delivered_copy(ctx, listing(), TAX)
    reply = fresh_id(corpus_event("debtor.sanction.reported.v1"))
    reply |= {
        "source": f"fy:unit:{TAX}",
        "time": "2026-03-16T09:00:00+08:00",  # the sample's is days after NOW
        "correlationid": copy["id"],
        "hubdelivery": copy["hubdelivery"],
    }
    out = decide(record(signed_by(reply, TAX), unit=TAX), ctx, NOW)
    entry = journal_of(out)
    assert isinstance(entry, AnswerRouted)
    assert not entry.receipt
    assert set(by_topic(out)) == {inbox_topic(COURT), JOURNAL_TOPIC}


def test_a_forged_token_is_an_unknown_correlation(ctx: Any) -> None:
    copy = delivered_copy(ctx, listing(), TAX)
    forged = copy["hubdelivery"][:-4] + "AAAA"
    out = decide(record(receipt_for(copy, TAX, hubdelivery=forged), unit=TAX), ctx, NOW)
    rejected(out, "unknown_correlation", sender=TAX)


def test_a_token_delivered_to_another_unit_is_an_unknown_correlation(ctx: Any) -> None:
    copy = delivered_copy(ctx, listing(), TAX)
    out = decide(record(receipt_for(copy, SAMR), unit=SAMR), ctx, NOW)
    rejected(out, "unknown_correlation", sender=SAMR)


def test_a_correlation_id_not_matching_the_token_is_refused(ctx: Any) -> None:
    copy = delivered_copy(ctx, listing(), TAX)
    other = "0b8e7f0e-1c8a-4f57-9a57-4c0f8d7d2c11"
    out = decide(record(receipt_for(copy, TAX, correlationid=other), unit=TAX), ctx, NOW)
    rejected(out, "unknown_correlation", sender=TAX)


# --- what a unit may say: permission before correlation -------------------------------------------


def sanction_report(unit: str, **changes: Any) -> dict[str, Any]:
    report = fresh_id(corpus_event("debtor.sanction.reported.v1"))
    # an hour after NOW: inside the router's window of plausible event times
    at = {"time": "2026-03-16T10:00:00+08:00"}
    return signed_by(report | {"source": f"fy:unit:{unit}"} | at | changes, unit)


def test_a_reply_type_the_source_may_never_publish_is_not_permitted_before_correlation(
    ctx: Any,
) -> None:
    # The court answers no listing; its sanction report carries no token at all.
    out = decide(record(sanction_report(COURT), unit=COURT), ctx, NOW)
    entry = rejected(out, "not_permitted", sender=COURT)
    assert "court.411121 may not publish debtor.sanction.reported.v1" in entry.detail


def test_a_reply_type_the_source_may_never_publish_is_not_permitted_even_with_a_real_token(
    ctx: Any,
) -> None:
    # A real token, issued to tax for the listing: still not the court's type to send.
    copy = delivered_copy(ctx, listing(), TAX)
    forged = sanction_report(COURT, correlationid=copy["id"], hubdelivery=copy["hubdelivery"])
    out = decide(record(forged, unit=COURT), ctx, NOW)
    rejected(out, "not_permitted", sender=COURT)


def test_a_permitted_publisher_without_a_delivery_is_still_an_unknown_correlation(
    ctx: Any,
) -> None:
    out = decide(record(sanction_report(TAX), unit=TAX), ctx, NOW)
    rejected(out, "unknown_correlation", sender=TAX)


def liaison_change(publisher: str, about: str) -> dict[str, Any]:
    change = fresh_id(corpus_event("unit.liaison.changed.v1"))
    change |= {"source": f"fy:unit:{publisher}", "subject": about}
    change["time"] = "2026-03-16T10:00:00+08:00"
    change["data"] = change["data"] | {"unit": about}
    return signed_by(change, publisher)


def test_a_unit_announces_its_own_liaison_to_every_member(ctx: Any) -> None:
    out = decide(record(liaison_change(TAX, TAX), unit=TAX), ctx, NOW)
    entry = journal_of(out)
    assert isinstance(entry, EventRouted)
    assert TAX not in {delivered.recipient for delivered in entry.deliveries}
    assert "police.411121" in {delivered.recipient for delivered in entry.deliveries}


@pytest.mark.parametrize(
    ("publisher", "about"),
    [(TAX, "police.411121"), ("justice.411121", TAX), (TAX, "tax.411122")],
    ids=["another-member", "the-office-for-a-member", "an-unregistered-unit"],
)
def test_a_liaison_change_for_another_unit_is_not_permitted(
    ctx: Any, publisher: str, about: str
) -> None:
    out = decide(record(liaison_change(publisher, about), unit=publisher), ctx, NOW)
    entry = rejected(out, "not_permitted", sender=publisher)
    assert entry.detail == (
        f"{publisher} may announce only its own liaison officers, not those of {about}"
    )
    assert [problem.path for problem in entry.fields] == ["data.unit"]
    assert not any(topic.startswith("fy.unit.police") for topic in by_topic(out))
