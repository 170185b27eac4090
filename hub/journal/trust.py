"""Whether a journal record is the hub's, and its event the unit's. Pure.

The auditor and `fyhub replay` apply a journal record only if

1. it carries the hub's seal (`hub.journal.seal`): one `fy-hub-seal` and one `fy-hub-key-id`
   header, the key id naming one of the hub's public keys (`security.hub_keys`, and the public
   half of its current signing key), valid at the record's time, and the signature verifying
   over the record's topic, key and value (`trusted_record`), or, when the record was sealed
   with its batch (one `fy-hub-seal-path` header), over the root that path leads to from them;
   or, on a journal written before
   the hub sealed it, it carries no seal at all and is older than the cut-over
   (`security.unsealed_journal_before`);
2. the event it carries, when it carries one (`event.routed`, `answer.routed`), is signed by the
   unit it names as its source, with a key of that unit's in the registry valid when the router
   decided (`event_refusal`). The router checked that signature already; checking it again
   means a hub key alone cannot make the store hold an event no unit published.

A record that fails is refused: stored as a refused entry with its reason, never applied.
`Refusal` names the reasons; they are the values of the `refusal` label of
`fyhub_journal_refused_total`.
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.journal.entries import AnswerRouted, EventRouted
from hub.journal.seal import (
    KEY_ID_HEADER,
    PATH_HEADER,
    SEAL_HEADER,
    sealed_bytes,
    tree_signed_bytes,
)
from hub.security.keyring import KeyOutOfTimeError, Keyring
from schemas import ed25519
from schemas.hub_proof import fold, leaf_hash, read_proof
from schemas.signing import SignatureError, check_signature

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from hub.journal.reading import JournalRecord


_ROOTS_REMEMBERED: Final = 64
"""Batch roots whose seal was checked, remembered: a few consumer batches' worth of router
batches (a router batch's records arrive together, in journal order)."""


class Refusal(StrEnum):
    UNSEALED = "unsealed"
    """No seal, no key id, or either of them twice."""
    UNKNOWN_KEY = "unknown_key"
    """The key id names none of the hub's keys."""
    KEY_OUT_OF_TIME = "key_out_of_time"
    """The hub's key was retired before the record's time, or valid only after it."""
    BAD_SEAL = "bad_seal"
    """The seal is not base64, or does not verify over the record."""
    BAD_EVENT_SIGNATURE = "bad_event_signature"
    """The event in the entry is not signed by the unit it names as its source."""


@dataclass(frozen=True, slots=True)
class Refused:
    refusal: Refusal
    detail: str
    """Names keys and headers, never the record's content (which may be personal data)."""


def trusted_record(
    topic: str,
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]],
    *,
    at: datetime,
    hub_keys: Keyring,
    unsealed_before: datetime | None = None,
) -> Refused | None:
    """None when the record carries a valid seal of the hub's, or carries none and is older
    than `unsealed_before` (a journal written before the hub sealed it); else why it is
    refused."""
    headers = list(headers)
    seals = [v for name, v in headers if name == SEAL_HEADER]
    key_ids = [v for name, v in headers if name == KEY_ID_HEADER]
    paths = [v for name, v in headers if name == PATH_HEADER]
    if not seals and not key_ids and unsealed_before is not None and at < unsealed_before:
        return None
    found = _seal_headers(seals, key_ids)
    if isinstance(found, Refused):
        return found
    seal, key_id = found
    public = _hub_key(hub_keys, key_id, at)
    if isinstance(public, Refused):
        return public
    signed = _signed_bytes(sealed_bytes(topic, key, value or b""), paths)
    if isinstance(signed, Refused):
        return signed
    try:
        signature = base64.b64decode(seal, validate=True)
    except (binascii.Error, ValueError):
        signature = b""  # verifies nothing
    verified = (
        _root_verifies(public.public_bytes_raw(), signature, signed)
        if paths
        else ed25519.verify(public, signature, signed)
    )
    if not verified:
        return Refused(Refusal.BAD_SEAL, f"the seal does not verify with hub key {key_id!r}")
    return None


@functools.lru_cache(maxsize=_ROOTS_REMEMBERED)
def _root_verifies(public_raw: bytes, signature: bytes, signed: bytes) -> bool:
    # Every record of a batch sealed together carries the same signature over the same root:
    # verified once per batch, not once per record. The answer is a pure function of its three
    # arguments, so remembering it changes no verdict (a record whose path leads elsewhere
    # asks about other bytes).
    return ed25519.verify(Ed25519PublicKey.from_public_bytes(public_raw), signature, signed)


def _hub_key(hub_keys: Keyring, key_id: str, at: datetime) -> Ed25519PublicKey | Refused:
    try:
        public = hub_keys.verifier(key_id, at)
    except KeyOutOfTimeError as error:
        return Refused(Refusal.KEY_OUT_OF_TIME, f"hub {error}")
    if public is None:
        return Refused(Refusal.UNKNOWN_KEY, f"{key_id!r} is not one of the hub's keys")
    return public


def _signed_bytes(sealed: bytes, paths: list[bytes]) -> bytes | Refused:
    """What the seal must be a signature over: the record's sealed bytes when it was sealed
    alone; the root its path leads to from them when it was sealed with its batch."""
    if not paths:
        return sealed
    if len(paths) > 1:
        return Refused(Refusal.UNSEALED, f"not sealed by the hub: {len(paths)} {PATH_HEADER}")
    try:
        path = read_proof(paths[0].decode("ascii"))
    except (UnicodeDecodeError, SignatureError) as error:
        return Refused(Refusal.BAD_SEAL, f"{PATH_HEADER}: {error}")
    return tree_signed_bytes(fold(leaf_hash(sealed), path))


def _seal_headers(seals: list[bytes], key_ids: list[bytes]) -> tuple[bytes, str] | Refused:
    """The one seal and the one key id (as text), or why there are not."""
    if len(seals) != 1 or len(key_ids) != 1:
        found = f"{len(seals)} {SEAL_HEADER} and {len(key_ids)} {KEY_ID_HEADER} headers"
        return Refused(Refusal.UNSEALED, f"not sealed by the hub: {found}, not one of each")
    try:
        return seals[0], key_ids[0].decode("ascii")
    except UnicodeDecodeError:
        return Refused(Refusal.UNKNOWN_KEY, f"{KEY_ID_HEADER} is not ASCII text")


def event_refusal(
    record: JournalRecord,
    unit_keys: Mapping[str, Keyring],
    *,
    require_signatures: bool = True,
) -> Refused | None:
    """None when the entry carries no event, or its event is signed by its source unit with a
    key valid when the router decided (`entry.at`); else why it is refused. Unsigned events pass
    only when the hub does not require signatures (as the router let them in)."""
    entry, facts = record.entry, record.event
    if not isinstance(entry, EventRouted | AnswerRouted) or facts is None:
        return None
    if not require_signatures and facts.signature is None:
        return None
    unit = facts.unit
    keyring = unit_keys.get(unit) if unit is not None else None
    if keyring is None:
        return Refused(Refusal.BAD_EVENT_SIGNATURE, "the event's source is no registered unit")
    key_id = facts.signing_key or ""
    try:
        known = keyring.verifier(key_id, entry.at)
    except KeyOutOfTimeError as error:
        return Refused(Refusal.BAD_EVENT_SIGNATURE, f"{unit}'s {error}")
    # The second and last check of the unit's signature on this event (the router's, in
    # `hub.router.decide`, is the first; nothing else on the routing path verifies it). It is
    # kept although the seal vouches that the router accepted the event: the seal is the hub
    # key's word, and this check is what keeps a stolen hub key from putting an event no unit
    # signed into the store (docs/security.md). It costs one libsodium verify per routed event.
    try:
        check_signature(facts.envelope, {key_id: known} if known is not None else {})
    except SignatureError as error:
        return Refused(Refusal.BAD_EVENT_SIGNATURE, f"{unit}: {error}")
    return None


@dataclass(frozen=True, slots=True)
class JournalTrust:
    """The keys the journal is checked with, built by `hub.bootstrap.build_journal_trust`."""

    hub_keys: Keyring
    unit_keys: Mapping[str, Keyring] = field(default_factory=dict)
    require_signatures: bool = True
    unsealed_before: datetime | None = None
    """Records older than this (their broker time) predate the seal and pass without one."""

    def seal_refusal(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Iterable[tuple[str, bytes]],
        at: datetime,
    ) -> Refused | None:
        return trusted_record(
            topic,
            key,
            value,
            headers,
            at=at,
            hub_keys=self.hub_keys,
            unsealed_before=self.unsealed_before,
        )

    def event_refusal(self, record: JournalRecord) -> Refused | None:
        return event_refusal(record, self.unit_keys, require_signatures=self.require_signatures)
