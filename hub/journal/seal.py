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
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import orjson

from hub.journal.entries import AnswerRouted, EventRouted
from hub.kafka.records import Outbound
from schemas.canonical import plain_json
from schemas.units import JOURNAL_TOPIC

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hub.journal.entries import DeadlinesRecomputed, DeliveryMark, RecordRejected

SEAL_HEADER: Final = "fy-hub-seal"
KEY_ID_HEADER: Final = "fy-hub-key-id"
_DOMAIN: Final = b"fyhub journal seal v1\n"
"""Keeps a seal from being a valid signature over anything else the hub signs (its events are
JCS JSON, which cannot start with these bytes)."""
_EMPTY_EVENT: Final = b'"event":{}'


@dataclass(frozen=True, slots=True)
class HubSigner:
    """The hub's current signing key and its id."""

    key_id: str
    private_key: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def sealed_bytes(topic: str, key: bytes | None, value: bytes) -> bytes:
    """What the seal signs: the topic, the key and the value, each framed by its length."""
    parts = (topic.encode(), key or b"", value)
    return _DOMAIN + b"".join(struct.pack(">Q", len(part)) + part for part in parts)


def seal_headers(
    topic: str, key: bytes | None, value: bytes, signer: HubSigner
) -> tuple[tuple[str, bytes], ...]:
    signature = signer.sign(sealed_bytes(topic, key, value))
    return ((SEAL_HEADER, base64.b64encode(signature)), (KEY_ID_HEADER, signer.key_id.encode()))


def journal_record(
    entry: EventRouted | AnswerRouted | RecordRejected | DeadlinesRecomputed | DeliveryMark,
    key: bytes,
    signer: HubSigner,
    *,
    topic: str = JOURNAL_TOPIC,
) -> Outbound:
    """The one way the hub writes a journal record: the entry's JSON, sealed."""
    value = entry_json(entry)
    return Outbound(topic, key, value, seal_headers(topic, key, value, signer))


def entry_json(
    entry: EventRouted | AnswerRouted | RecordRejected | DeadlinesRecomputed | DeliveryMark,
) -> bytes:
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
