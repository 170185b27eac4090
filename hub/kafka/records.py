"""The router's view of Kafka records: what it read, and what it will write. No I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from schemas.canonical import plain_json


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """One outbox record as read: position, key and the raw value bytes, untouched."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class Outbound:
    """One record to write: an inbox copy, a journal entry, a dead letter or a notice."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = field(default=())
    shrunk: Outbound | None = None
    """A smaller stand-in the writer sends instead when the broker refuses this record as too
    large (dead letters and notices have one; an event's copy has none and must fit)."""
    awaits_hub_proof: bool = False
    """`value` is a copy for a unit, as its RFC 8785 (JCS) bytes, not signed yet: the hub signs
    every copy of a batch at once (`hub.router.proof.seal_batch`, `schemas.hub_proof`), and no
    writer sends a record still awaiting it."""
    awaits_journal_seal: bool = False
    """A journal record without its seal headers yet: the router seals a batch's journal records
    with one signature (`hub.journal.seal.seal_tree`)."""


def refuse_unsealed(out: Outbound) -> None:
    """A copy not yet signed by the hub (`hub.router.proof.seal_batch`) must never reach a unit,
    nor a journal record without its seal the journal: every recipient, and the auditor, would
    refuse it, and it would be a defect of the hub's, not theirs."""
    if out.awaits_hub_proof or out.awaits_journal_seal:
        msg = f"a record for {out.topic} was not signed by the hub before it was written"
        raise RuntimeError(msg)


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, Chinese text kept readable.

    By orjson where it writes what `json.dumps` writes (`plain_json`: no floats, whose NaN and
    infinities orjson writes as null, nor types only orjson knows); by `json.dumps` otherwise,
    and for what orjson refuses (integers beyond 64 bits, lone surrogates, names not strings)."""
    if plain_json(value):
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def case_key(subject: str | None, fallback: str) -> bytes:
    """The Kafka key: the case number (or subject), so every event of one case stays in order."""
    return (subject or fallback).encode()
