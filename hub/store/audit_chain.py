"""The audit log's hash chain: canonical rows, SHA-256 links, and verification. No I/O.

Each row's hash covers the previous row's hash and the row's own fields (time, kind, event id,
unit, detail), serialised as RFC 8785 canonical JSON so any language can recompute it. `seq` is
not hashed: order is carried by the links, and `seq` only numbers the rows, which is what lets a
verifier tell an edited row from a deleted or a moved one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from schemas.canonical import canonical_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Something the hub did or saw, before it is chained."""

    at: datetime
    kind: str
    event_id: str | None
    unit: str | None
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChainLink:
    """A position in the chain: a row's number and its hash."""

    seq: int
    row_hash: str


GENESIS = ChainLink(seq=0, row_hash=GENESIS_HASH)


@dataclass(frozen=True, slots=True)
class ChainedRow:
    """A stored audit row. `unreadable` says why a stored row could not be read back as an entry."""

    seq: int
    entry: AuditEntry
    prev_hash: str
    row_hash: str
    unreadable: str | None = None

    @property
    def link(self) -> ChainLink:
        return ChainLink(seq=self.seq, row_hash=self.row_hash)


class BreakReason(StrEnum):
    EDITED = "edited"
    """The row's stored hash does not match its contents: the row was changed."""
    DELETED = "deleted"
    """`seq` jumps: rows before this one are missing."""
    REORDERED = "reordered"
    """The row links to a row that is elsewhere in the log: rows were swapped or moved."""
    UNLINKED = "unlinked"
    """The row links to no row in the log: its predecessor was rewritten and re-hashed."""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first row at which the chain does not hold, and why."""

    seq: int
    reason: BreakReason
    detail: str


def canonical_time(at: datetime) -> str:
    if at.utcoffset() is None:
        raise ValueError("audit times must carry a UTC offset")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """The hashed fields of an entry, as plain JSON values."""
    return {
        "at": canonical_time(entry.at),
        "kind": entry.kind,
        "event_id": entry.event_id,
        "unit": entry.unit,
        "detail": dict(entry.detail),
    }


def chain_hash(prev_hash: str, row_fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the previous hash and this row's fields."""
    # `canonical_json` writes the reference's bytes, with orjson where that is the same (audit
    # rows are text, integers and null, so nearly always): the hash a replay or any verifier
    # recomputes is unchanged, at a fraction of the cost per row.
    canonical = canonical_json({"prev_hash": prev_hash, "row": dict(row_fields)})
    return hashlib.sha256(canonical).hexdigest()


def chain_next(after: ChainLink, entry: AuditEntry) -> ChainedRow:
    """The row that appends `entry` after the row at `after` (GENESIS for the first row)."""
    return ChainedRow(
        seq=after.seq + 1,
        entry=entry,
        prev_hash=after.row_hash,
        row_hash=chain_hash(after.row_hash, entry_fields(entry)),
    )


def verify_chain(rows: Iterable[ChainedRow], *, after: ChainLink = GENESIS) -> ChainBreak | None:
    """The first broken row of `rows` (in stored order, continuing from `after`), or None.

    Only a gap or a broken link looks past the row it is found at, to tell a moved row from a
    deleted or rewritten one.
    Rows cut from the end of the log leave no trace here: compare the head with a copy kept
    elsewhere for that.
    """
    remaining = iter(rows)
    expected = after
    for row in remaining:
        broken = _check_row(row, expected)
        if broken is not None:
            return _look_further(broken, row, expected, remaining)
        expected = row.link
    return None


def _check_row(row: ChainedRow, expected: ChainLink) -> ChainBreak | None:
    if row.seq <= expected.seq:
        return ChainBreak(
            row.seq, BreakReason.REORDERED, f"seq {row.seq} comes after seq {expected.seq}"
        )
    if row.seq > expected.seq + 1:
        missing = _seq_range(expected.seq + 1, row.seq - 1)
        return ChainBreak(row.seq, BreakReason.DELETED, f"{missing} missing before seq {row.seq}")
    if row.unreadable is not None:
        return ChainBreak(row.seq, BreakReason.EDITED, row.unreadable)
    if chain_hash(row.prev_hash, entry_fields(row.entry)) != row.row_hash:
        return ChainBreak(row.seq, BreakReason.EDITED, "the stored hash does not match the row")
    if row.prev_hash != expected.row_hash:
        return ChainBreak(
            row.seq,
            BreakReason.UNLINKED,
            f"prev_hash matches no row in the log (seq {expected.seq} was rewritten and "
            "re-hashed, or this row was forged)",
        )
    return None


def _look_further(
    broken: ChainBreak, row: ChainedRow, expected: ChainLink, later: Iterator[ChainedRow]
) -> ChainBreak:
    """A gap or a broken link may be a row that sits elsewhere: find it to say so."""
    if broken.reason not in {BreakReason.DELETED, BreakReason.UNLINKED}:
        return broken
    for other in later:
        if broken.reason is BreakReason.DELETED and expected.seq < other.seq < row.seq:
            return ChainBreak(
                row.seq, BreakReason.REORDERED, f"seq {row.seq} is stored before seq {other.seq}"
            )
        if broken.reason is BreakReason.UNLINKED and other.row_hash == row.prev_hash:
            return ChainBreak(
                row.seq,
                BreakReason.REORDERED,
                f"seq {row.seq} holds the row that follows the one stored at seq {other.seq}",
            )
    return broken


def _seq_range(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seq {first}–{last}"
