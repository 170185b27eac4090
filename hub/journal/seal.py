"""The hub's seal on every journal record it writes. Pure.

The journal is the system of record: the auditor writes the store from it and `fyhub replay`
rebuilds the store from it. Anyone who can write to `fy.hub.journal` could otherwise forge a
routing decision. So every journal record the hub writes (the router's decisions,
`fyhub calendar apply`'s recomputations) is built here, by `journal_record`, and carries two
headers:

- `fy-hub-seal`: base64 of the hub's Ed25519 signature over `sealed_bytes(topic, key, value)`;
- `fy-hub-key-id`: the id of the hub key that made it (`security.signing_key_id`).

The signed bytes frame the topic, the record key and the value with their lengths, so that no
record can be cut differently into another that verifies; the topic is in them so that a sealed
record copied to another topic does not verify there. The record key `None` is framed as empty
(the hub always writes a key). The reader's side is `hub.journal.trust`.

The router seals a whole batch's journal records with one signature instead (`seal_tree`, called
by `hub.router.proof.seal_batch` on the records `unsealed_journal_record` made): a hash tree
(`schemas.hub_proof`, RFC 6962) whose leaves are `SHA-256(0x00 || sealed_bytes(...))`, its root
signed over `fyhub journal tree v1\n || root`, and each record carries a third header:

- `fy-hub-seal-path`: its leaf's path to that root (`v1`, then `L:<base64>`/`R:<base64>` steps).

`fy-hub-seal` is then the root's signature. A record without the path header is sealed alone,
as above: the tracker's and the calendar's records, and every journal written before.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

import orjson

from hub.journal.entries import AnswerRouted, EventRouted
from hub.kafka.records import Outbound
from schemas import ed25519
from schemas.canonical import plain_json
from schemas.hub_proof import leaf_hash, proof_texts
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hub.journal.entries import JournalEntry, RecordRejected

SEAL_HEADER: Final = "fy-hub-seal"
KEY_ID_HEADER: Final = "fy-hub-key-id"
PATH_HEADER: Final = "fy-hub-seal-path"
TREE_DOMAIN: Final = b"fyhub journal tree v1\n"
"""Prefixes the root of a tree of journal records in what the hub signs: neither a record's
sealed bytes, an event's JCS nor a root of copies (`fyhub copy tree v1\n`)."""
_DOMAIN: Final = b"fyhub journal seal v1\n"
"""Keeps a seal from being a valid signature over anything else the hub signs (its events are
JCS JSON, which cannot start with these bytes; the roots of its copy trees are signed after
`fyhub copy tree v1\n`, `schemas.hub_proof`)."""
_EMPTY_EVENT: Final = b'"event":{}'


@dataclass(frozen=True, slots=True)
class HubSigner:
    """The hub's current signing key and its id."""

    key_id: str
    private_key: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return ed25519.sign(self.private_key, data)  # libsodium: the faster binding here


def sealed_bytes(topic: str, key: bytes | None, value: bytes) -> bytes:
    """What the seal signs: the topic, the key and the value, each framed by its length."""
    parts = (topic.encode(), key or b"", value)
    return _DOMAIN + b"".join(struct.pack(">Q", len(part)) + part for part in parts)


def seal_headers(
    topic: str, key: bytes | None, value: bytes, signer: HubSigner
) -> tuple[tuple[str, bytes], ...]:
    signature = signer.sign(sealed_bytes(topic, key, value))
    return ((SEAL_HEADER, base64.b64encode(signature)), (KEY_ID_HEADER, signer.key_id.encode()))


def tree_signed_bytes(root: bytes) -> bytes:
    return TREE_DOMAIN + root


def seal_tree(records: Sequence[Outbound], signer: HubSigner) -> list[Outbound]:
    """`records` sealed together: one signature over the root of a tree of their sealed bytes,
    each record given its seal, the key id and its path (at least one record)."""
    root, paths = proof_texts([leaf_hash(sealed_bytes(r.topic, r.key, r.value)) for r in records])
    seal = base64.b64encode(signer.sign(tree_signed_bytes(root)))
    key_id = signer.key_id.encode()
    return [
        replace(
            record,
            headers=(
                *record.headers,
                (SEAL_HEADER, seal),
                (KEY_ID_HEADER, key_id),
                (PATH_HEADER, path.encode("ascii")),
            ),
            awaits_journal_seal=False,
        )
        for record, path in zip(records, paths, strict=True)
    ]


def unsealed_journal_record(
    entry: EventRouted | AnswerRouted | RecordRejected,
    key: bytes,
    *,
    topic: str = JOURNAL_TOPIC,
) -> Outbound:
    """The entry's journal record for the router's batch seal (`seal_tree`): no writer sends it
    before."""
    return Outbound(topic, key, entry_json(entry), awaits_journal_seal=True)


def journal_record(
    entry: JournalEntry,
    key: bytes,
    signer: HubSigner,
    *,
    topic: str = JOURNAL_TOPIC,
) -> Outbound:
    """The one way the hub writes a journal record: the entry's JSON, sealed."""
    value = entry_json(entry)
    return Outbound(topic, key, value, seal_headers(topic, key, value, signer))


def entry_json(entry: JournalEntry) -> bytes:
    """The entry's JSON, `model_dump_json`'s bytes.

    The event a routing entry carries is most of it, and pydantic writes a `dict[str, Any]` value
    by value; orjson writes the same bytes for it when it is plain JSON (`plain_json`: no floats),
    so the entry is written with an empty event and the event's own JSON put in its place. Only
    `kind`, `at` and `position` come before `event`, and a Kafka topic cannot hold `"event":{}`,
    so the first one is the member's; should there be two, pydantic writes it all."""
    if isinstance(entry, EventRouted | AnswerRouted) and plain_json(entry.event):
        try:
            event = orjson.dumps(entry.event)
        except orjson.JSONEncodeError:
            pass
        else:
            rest = entry.model_copy(update={"event": {}}).model_dump_json().encode()
            if rest.count(_EMPTY_EVENT) == 1:
                return rest.replace(_EMPTY_EVENT, b'"event":' + event, 1)
    return entry.model_dump_json().encode()
