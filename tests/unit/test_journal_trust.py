"""The hub's seal on journal records, and the checks the auditor makes before applying one: sealed
by a hub key valid at the record's time, over this topic, key and value; its event signed by its
unit with a key valid when the router decided."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.service import read_consumer_record, write_batch
from hub.journal.reading import JournalRecord, UnreadableRecord, read_record
from hub.journal.seal import (
    KEY_ID_HEADER,
    PATH_HEADER,
    SEAL_HEADER,
    HubSigner,
    journal_record,
    seal_tree,
    sealed_bytes,
    unsealed_journal_record,
)
from hub.journal.trust import JournalTrust, Refusal, Refused, event_refusal, trusted_record
from hub.kafka.topics import planned_topics
from hub.security.keyring import Keyring, ValidKey
from hub.settings import KafkaSettings
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, EventRow, UnreadableEntryRow
from schemas.signing import generate_keypair
from schemas.units import JOURNAL_TOPIC
from tests.fixtures.journal import (
    CASE,
    HUB_KEY_ID,
    HUB_SIGNER,
    T0,
    Journal,
    event_id,
    journal_trust,
    sealed,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.journal.entries import AnswerRouted, EventRouted, RecordRejected
    from hub.kafka.records import Outbound

AT = T0 + timedelta(minutes=1)


def refusal_of(refused: Refused | None) -> Refusal | None:
    return None if refused is None else refused.refusal


def hub_keyring(*keys: ValidKey) -> Keyring:
    return Keyring({key.key_id: key for key in keys})


def hub_key(
    signer: HubSigner, since: datetime | None = None, until: datetime | None = None
) -> ValidKey:
    return ValidKey(signer.key_id, signer.private_key.public_key(), since, until)


def check(
    record_headers: tuple[tuple[str, bytes], ...], value: bytes, keys: Keyring
) -> Refusal | None:
    refused = trusted_record(
        JOURNAL_TOPIC, CASE.encode(), value, record_headers, at=AT, hub_keys=keys
    )
    return None if refused is None else refused.refusal


def test_a_sealed_record_is_trusted_and_names_its_key() -> None:
    out = sealed(Journal().routed(event_id(1)))
    assert dict(out.headers)[KEY_ID_HEADER] == HUB_KEY_ID.encode()
    assert check(out.headers, out.value, hub_keyring(hub_key(HUB_SIGNER))) is None


def test_the_seal_covers_the_value_the_key_and_the_topic() -> None:
    out = sealed(Journal().routed(event_id(1)))
    keys = hub_keyring(hub_key(HUB_SIGNER))
    changed_value = out.value.replace(b"tax.411121", b"nr.411121")
    assert check(out.headers, changed_value, keys) is Refusal.BAD_SEAL
    other_key = trusted_record(
        JOURNAL_TOPIC, b"other", out.value, out.headers, at=AT, hub_keys=keys
    )
    other_topic = trusted_record(
        "fy.hub.other", out.key, out.value, out.headers, at=AT, hub_keys=keys
    )
    assert refusal_of(other_key) is Refusal.BAD_SEAL
    assert refusal_of(other_topic) is Refusal.BAD_SEAL


# --- a batch sealed at once (the router's) ------------------------------------------------------


def batch_sealed(n: int = 3) -> list[Outbound]:
    entries = [Journal().routed(event_id(i)) for i in range(1, n + 1)]
    return seal_tree([unsealed_journal_record(e, CASE.encode()) for e in entries], HUB_SIGNER)


def trusted(out: Outbound, headers: tuple[tuple[str, bytes], ...] | None = None) -> Refused | None:
    keys = hub_keyring(hub_key(HUB_SIGNER))
    given = out.headers if headers is None else headers
    return trusted_record(out.topic, out.key, out.value, given, at=AT, hub_keys=keys)


def without_path(out: Outbound) -> tuple[tuple[str, bytes], ...]:
    return tuple((name, value) for name, value in out.headers if name != PATH_HEADER)


def test_a_batch_is_sealed_with_one_signature_and_each_record_is_trusted_alone() -> None:
    records = batch_sealed()
    assert len({dict(r.headers)[SEAL_HEADER] for r in records}) == 1
    for r in records:
        assert dict(r.headers)[KEY_ID_HEADER] == HUB_KEY_ID.encode()
        assert trusted(r) is None


def test_a_record_sealed_with_its_batch_covers_its_value_key_topic_and_path() -> None:
    first, second, _ = batch_sealed()
    changed = replace(first, value=first.value.replace(b"tax.411121", b"nr.411121"))
    assert refusal_of(trusted(changed)) is Refusal.BAD_SEAL
    assert refusal_of(trusted(replace(first, key=b"other"))) is Refusal.BAD_SEAL
    assert refusal_of(trusted(replace(first, topic="fy.hub.other"))) is Refusal.BAD_SEAL
    others_path = (*without_path(first), (PATH_HEADER, dict(second.headers)[PATH_HEADER]))
    assert refusal_of(trusted(first, others_path)) is Refusal.BAD_SEAL


def test_a_batch_whose_seal_verified_still_refuses_a_changed_record_and_another_hub_key() -> None:
    # The root's seal is verified once and remembered; what is remembered must vouch for no
    # record whose path leads to another root, nor for the same root under another key.
    first, second, third = batch_sealed()
    assert trusted(first) is None
    assert trusted(second) is None
    changed = replace(third, value=third.value.replace(b"tax.411121", b"nr.411121"))
    assert refusal_of(trusted(changed)) is Refusal.BAD_SEAL
    assert trusted(third) is None
    forger = HubSigner(HUB_KEY_ID, generate_keypair()[0])
    under_forger = trusted_record(
        third.topic,
        third.key,
        third.value,
        third.headers,
        at=AT,
        hub_keys=hub_keyring(hub_key(forger)),
    )
    assert refusal_of(under_forger) is Refusal.BAD_SEAL


def test_a_roots_signature_is_no_seal_of_one_record_nor_the_other_way_round() -> None:
    (alone,) = batch_sealed(1)  # a tree of one: its root is its leaf, signed after another tag
    assert trusted(alone) is None
    assert refusal_of(trusted(alone, without_path(alone))) is Refusal.BAD_SEAL
    single = sealed(Journal().routed(event_id(1)))
    assert refusal_of(trusted(single, (*single.headers, (PATH_HEADER, b"v1")))) is Refusal.BAD_SEAL


@pytest.mark.parametrize(
    ("path", "refusal", "detail"),
    [
        ((b"v1", b"v1"), Refusal.UNSEALED, "2 fy-hub-seal-path"),
        ((b"v2",), Refusal.BAD_SEAL, "fy-hub-seal-path: hubproof is malformed"),
        ((b"v1 L:short",), Refusal.BAD_SEAL, "fy-hub-seal-path: hubproof is malformed"),
        ((b"\xff",), Refusal.BAD_SEAL, "fy-hub-seal-path"),
    ],
)
def test_a_malformed_or_repeated_path_is_refused(
    path: tuple[bytes, ...], refusal: Refusal, detail: str
) -> None:
    (first, *_) = batch_sealed()
    headers = (*without_path(first), *((PATH_HEADER, p) for p in path))
    refused = trusted(first, headers)
    assert refused is not None
    assert refused.refusal is refusal
    assert detail in refused.detail


def test_the_framing_keeps_key_and_value_apart() -> None:
    assert sealed_bytes("t", b"ab", b"c") != sealed_bytes("t", b"a", b"bc")


@pytest.mark.parametrize(
    ("headers", "refusal"),
    [
        ((), Refusal.UNSEALED),
        (((KEY_ID_HEADER, HUB_KEY_ID.encode()),), Refusal.UNSEALED),
        (((SEAL_HEADER, b"AAAA"),), Refusal.UNSEALED),
        (((SEAL_HEADER, b"not base64!"), (KEY_ID_HEADER, HUB_KEY_ID.encode())), Refusal.BAD_SEAL),
        (((SEAL_HEADER, b"AAAA"), (KEY_ID_HEADER, b"hub-9")), Refusal.UNKNOWN_KEY),
        (((SEAL_HEADER, b"AAAA"), (KEY_ID_HEADER, b"\xff")), Refusal.UNKNOWN_KEY),
    ],
    ids=["none", "key-id-only", "seal-only", "not-base64", "unknown-key", "key-id-not-text"],
)
def test_a_record_without_a_proper_seal_is_refused(
    headers: tuple[tuple[str, bytes], ...], refusal: Refusal
) -> None:
    out = sealed(Journal().routed(event_id(1)))
    assert check(headers, out.value, hub_keyring(hub_key(HUB_SIGNER))) is refusal


def test_a_seal_made_with_another_key_under_the_hubs_key_id_is_refused() -> None:
    forger = HubSigner(HUB_KEY_ID, generate_keypair()[0])
    entry = Journal().routed(event_id(1))
    forged = sealed(entry)  # sealed right, then re-sealed by the forger:
    value = forged.value
    seal = base64.b64encode(forger.sign(sealed_bytes(JOURNAL_TOPIC, forged.key, value)))
    headers = ((SEAL_HEADER, seal), (KEY_ID_HEADER, HUB_KEY_ID.encode()))
    assert check(headers, value, hub_keyring(hub_key(HUB_SIGNER))) is Refusal.BAD_SEAL


def test_a_seal_twice_is_refused() -> None:
    out = sealed(Journal().routed(event_id(1)))
    twice = (*out.headers, out.headers[0])
    assert check(twice, out.value, hub_keyring(hub_key(HUB_SIGNER))) is Refusal.UNSEALED


# --- rotation -------------------------------------------------------------------------------------


def test_overlapping_hub_keys_are_both_accepted_and_a_retired_one_refused_after_until() -> None:
    new = HubSigner("hub-2", generate_keypair()[0])
    handover = AT
    keys = hub_keyring(
        hub_key(HUB_SIGNER, until=handover + timedelta(days=1)),
        hub_key(new, since=handover - timedelta(days=1)),
    )
    old_record = sealed(Journal().routed(event_id(1)))
    new_record = sealed_with(new, Journal().routed(event_id(2)))
    for record in (old_record, new_record):
        refused = trusted_record(
            JOURNAL_TOPIC, record.key, record.value, record.headers, at=handover, hub_keys=keys
        )
        assert refused is None

    later = handover + timedelta(days=2)
    retired = trusted_record(
        JOURNAL_TOPIC, old_record.key, old_record.value, old_record.headers, at=later, hub_keys=keys
    )
    too_early = trusted_record(
        JOURNAL_TOPIC,
        new_record.key,
        new_record.value,
        new_record.headers,
        at=handover - timedelta(days=2),
        hub_keys=keys,
    )
    assert refusal_of(retired) is Refusal.KEY_OUT_OF_TIME
    assert "valid from the start until" in str(retired)
    assert refusal_of(too_early) is Refusal.KEY_OUT_OF_TIME


def sealed_with(signer: HubSigner, entry: EventRouted) -> Outbound:
    return journal_record(entry, CASE.encode(), signer)


# --- the event inside -----------------------------------------------------------------------------


def readable(entry: EventRouted | AnswerRouted | RecordRejected) -> JournalRecord:
    record = read_record(0, 0, 0, entry.model_dump_json().encode())
    assert isinstance(record, JournalRecord)
    return record


def test_an_event_signed_by_its_unit_passes_and_a_rejection_has_no_event_to_check() -> None:
    trust = journal_trust()
    journal = Journal()
    assert trust.event_refusal(readable(journal.routed(event_id(1)))) is None
    assert trust.event_refusal(readable(journal.answer(event_id(2), event_id(1)))) is None
    assert trust.event_refusal(readable(journal.rejected())) is None


def test_an_event_its_unit_did_not_sign_is_refused_even_under_a_valid_seal() -> None:
    trust = journal_trust()
    entry = Journal().routed(event_id(1))
    altered = entry.model_copy(update={"event": entry.event | {"purpose": "other"}})
    refused = trust.event_refusal(readable(altered))
    assert refused is not None
    assert refused.refusal is Refusal.BAD_EVENT_SIGNATURE
    assert "does not verify" in refused.detail


def test_an_unsigned_event_passes_only_when_the_hub_does_not_require_signatures() -> None:
    entry = Journal().routed(event_id(1))
    unsigned = entry.model_copy(
        update={"event": {k: v for k, v in entry.event.items() if k not in ("sig", "sigkey")}}
    )
    strict = journal_trust()
    lenient = JournalTrust(strict.hub_keys, strict.unit_keys, require_signatures=False)
    refused = strict.event_refusal(readable(unsigned))
    assert refusal_of(refused) is Refusal.BAD_EVENT_SIGNATURE
    assert lenient.event_refusal(readable(unsigned)) is None


def test_a_unit_key_retired_before_the_routing_is_refused() -> None:
    entry = Journal().routed(event_id(1), at=T0)
    units = journal_trust().unit_keys
    court = units["court.411121"].keys["k1"]
    hour = timedelta(hours=1)
    retired = {"court.411121": Keyring({"k1": ValidKey("k1", court.public, until=T0 - hour)})}
    refused = event_refusal(readable(entry), retired)
    assert refusal_of(refused) is Refusal.BAD_EVENT_SIGNATURE
    assert "valid from the start until" in str(refused)
    overlapping = {"court.411121": Keyring({"k1": ValidKey("k1", court.public, until=T0 + hour)})}
    assert event_refusal(readable(entry), overlapping) is None


def test_a_keyring_lists_only_the_keys_valid_then() -> None:
    old, new = generate_keypair()[1], generate_keypair()[1]
    switch = datetime(2026, 6, 1, tzinfo=UTC)
    keys = Keyring(
        {
            "a": ValidKey("a", old, until=switch + timedelta(days=7)),
            "b": ValidKey("b", new, since=switch),
        }
    )
    assert set(keys.valid_at(switch - timedelta(days=1))) == {"a"}
    assert set(keys.valid_at(switch + timedelta(days=1))) == {"a", "b"}
    assert set(keys.valid_at(switch + timedelta(days=8))) == {"b"}


def test_the_journal_is_timed_by_the_broker_not_by_whoever_writes_to_it() -> None:
    (journal,) = [
        spec for spec in planned_topics([], KafkaSettings()) if spec.name == JOURNAL_TOPIC
    ]
    assert ("message.timestamp.type", "LogAppendTime") in journal.config


# --- the auditor's way in -------------------------------------------------------------------------


def consumed(
    out: Outbound, offset: int, *, headers: tuple[tuple[str, bytes], ...] | None = None
) -> ConsumerRecord[bytes, bytes]:
    shown = out.headers if headers is None else headers
    at_ms = int(AT.timestamp() * 1000)
    return ConsumerRecord(
        out.topic, 0, offset, at_ms, 1, out.key, out.value, None, 0, len(out.value), shown
    )


async def test_a_refused_record_is_stored_and_audited_as_refused_and_never_applied(
    sqlite_engine: AsyncEngine,
) -> None:
    await upgrade_engine(sqlite_engine)
    journal, trust = Journal(), journal_trust()
    genuine = sealed(journal.routed(event_id(1)))
    forged = sealed(journal.routed(event_id(2)))
    records = [
        read_consumer_record(consumed(genuine, 0), trust),
        read_consumer_record(consumed(forged, 1, headers=()), trust),
    ]
    assert isinstance(records[0], JournalRecord)
    assert isinstance(records[1], UnreadableRecord)
    assert records[1].refusal == "unsealed"

    outcome = await write_batch(async_sessionmaker(sqlite_engine), records)

    assert (outcome.applied, outcome.refused, outcome.unreadable) == (1, 1, 0)
    async with sqlite_engine.connect() as connection:
        events = (await connection.execute(select(EventRow.event_id))).scalars().all()
        refused = (await connection.execute(select(UnreadableEntryRow))).one()
        audited = (
            await connection.execute(
                select(AuditLogRow.detail).where(AuditLogRow.kind == "journal.refused")
            )
        ).scalar_one()
    assert events == [event_id(1)]
    assert (refused.journal_offset, refused.refusal) == (1, "unsealed")
    assert (audited["offset"], audited["refusal"]) == (1, "unsealed")
    assert audited["sha256"] == refused.sha256


def test_a_journal_from_before_the_seal_passes_unsealed_only_before_the_cut_over() -> None:
    out = sealed(Journal().routed(event_id(1)))
    keys = hub_keyring(hub_key(HUB_SIGNER))
    cut_over = AT + timedelta(days=1)

    def unsealed_at(at: datetime) -> Refused | None:
        return trusted_record(
            JOURNAL_TOPIC, out.key, out.value, (), at=at, hub_keys=keys, unsealed_before=cut_over
        )

    assert unsealed_at(AT) is None
    assert refusal_of(unsealed_at(cut_over)) is Refusal.UNSEALED
    # a seal present is checked whatever the time
    forged = ((SEAL_HEADER, b"AAAA"), (KEY_ID_HEADER, HUB_KEY_ID.encode()))
    old_forgery = trusted_record(
        JOURNAL_TOPIC, out.key, out.value, forged, at=AT, hub_keys=keys, unsealed_before=cut_over
    )
    assert refusal_of(old_forgery) is Refusal.BAD_SEAL
