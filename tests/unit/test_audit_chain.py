"""The audit hash chain: canonical hashing, and naming the first broken row and why."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.store.audit_chain import (
    GENESIS,
    GENESIS_HASH,
    AuditEntry,
    BreakReason,
    ChainBreak,
    ChainedRow,
    chain_hash,
    chain_next,
    entry_fields,
    verify_chain,
)

T0 = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(seconds=n),
        kind="routed",
        event_id=f"01HQ{n:022d}",
        unit="tax.411121",
        detail={"n": n, "fields": ["case_no", "subjects"]},
    )


def chain(length: int) -> list[ChainedRow]:
    rows: list[ChainedRow] = []
    link = GENESIS
    for n in range(1, length + 1):
        row = chain_next(link, entry(n))
        rows.append(row)
        link = row.link
    return rows


def swapped(rows: list[ChainedRow], first_seq: int, second_seq: int) -> list[ChainedRow]:
    """Exchange the contents of two rows, leaving their seq numbers where they were."""
    out = list(rows)
    i, j = first_seq - 1, second_seq - 1
    out[i], out[j] = replace(rows[j], seq=rows[i].seq), replace(rows[i], seq=rows[j].seq)
    return out


def without(rows: list[ChainedRow], *seqs: int) -> list[ChainedRow]:
    return [row for row in rows if row.seq not in seqs]


def edited(rows: list[ChainedRow], seq: int, **changes: object) -> list[ChainedRow]:
    out = list(rows)
    out[seq - 1] = replace(rows[seq - 1], entry=replace(rows[seq - 1].entry, **changes))
    return out


# --- hashing ----------------------------------------------------------------------------------


def test_the_hash_is_sha256_of_rfc8785_json_of_prev_hash_and_fields() -> None:
    fields = entry_fields(entry(0))
    canonical = (
        '{"prev_hash":"' + GENESIS_HASH + '","row":{"at":"2024-03-01T01:30:00.000000Z",'
        '"detail":{"fields":["case_no","subjects"],"n":0},"event_id":"01HQ0000000000000000000000",'
        '"kind":"routed","unit":"tax.411121"}}'
    )
    assert chain_hash(GENESIS_HASH, fields) == hashlib.sha256(canonical.encode()).hexdigest()


def test_times_hash_the_same_whatever_their_offset() -> None:
    in_beijing = entry(1)
    in_utc = replace(in_beijing, at=in_beijing.at.astimezone(UTC))
    assert entry_fields(in_beijing) == entry_fields(in_utc)


def test_detail_key_order_does_not_change_the_hash() -> None:
    one = replace(entry(1), detail={"a": 1, "b": "张三"})
    other = replace(entry(1), detail={"b": "张三", "a": 1})
    assert chain_hash(GENESIS_HASH, entry_fields(one)) == chain_hash(
        GENESIS_HASH, entry_fields(other)
    )


def test_a_time_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        entry_fields(replace(entry(1), at=datetime(2024, 3, 1, 9, 30)))  # noqa: DTZ001


def test_chain_next_numbers_and_links_rows() -> None:
    first, second = chain(2)
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.row_hash)
    assert first.row_hash != second.row_hash


# --- verification: intact chains -------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(chain(10)) is None


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]) is None


def test_a_chain_verifies_from_a_known_row_onwards() -> None:
    rows = chain(10)
    assert verify_chain(rows[5:], after=rows[4].link) is None


# --- verification: tampering ------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"detail": {"n": 4, "fields": ["case_no"]}},
        {"at": T0},
        {"kind": "rejected"},
        {"unit": "samr.411121"},
        {"event_id": None},
    ],
    ids=["detail", "at", "kind", "unit", "event_id"],
)
def test_an_edited_row_is_named(changes: dict[str, object]) -> None:
    broken = verify_chain(edited(chain(8), 4, **changes))
    assert broken == ChainBreak(4, BreakReason.EDITED, "the stored hash does not match the row")


def test_an_edited_prev_hash_is_an_edit() -> None:
    rows = chain(5)
    rows[2] = replace(rows[2], prev_hash=rows[0].row_hash)
    assert verify_chain(rows) == ChainBreak(
        3, BreakReason.EDITED, "the stored hash does not match the row"
    )


def test_a_deleted_row_is_named_by_the_row_after_the_gap() -> None:
    assert verify_chain(without(chain(8), 5)) == ChainBreak(
        6, BreakReason.DELETED, "seq 5 missing before seq 6"
    )


def test_several_deleted_rows_are_named_as_a_range() -> None:
    assert verify_chain(without(chain(8), 3, 4, 5)) == ChainBreak(
        6, BreakReason.DELETED, "seq 3–5 missing before seq 6"
    )


def test_a_deleted_first_row_is_found() -> None:
    broken = verify_chain(without(chain(4), 1))
    assert broken is not None
    assert (broken.seq, broken.reason) == (2, BreakReason.DELETED)


def test_rows_cut_from_the_end_leave_no_trace_in_the_chain_alone() -> None:
    assert verify_chain(chain(8)[:6]) is None


def test_two_swapped_neighbours_are_named_at_the_first() -> None:
    broken = verify_chain(swapped(chain(8), 4, 5))
    assert broken == ChainBreak(
        4, BreakReason.REORDERED, "seq 4 holds the row that follows the one stored at seq 5"
    )


def test_two_swapped_distant_rows_are_named_at_the_first() -> None:
    broken = verify_chain(swapped(chain(10), 3, 7))
    assert broken == ChainBreak(
        3, BreakReason.REORDERED, "seq 3 holds the row that follows the one stored at seq 6"
    )


def test_rows_handed_over_out_of_seq_order_are_named() -> None:
    rows = chain(5)
    rows[2], rows[3] = rows[3], rows[2]
    assert verify_chain(rows) == ChainBreak(
        4, BreakReason.REORDERED, "seq 4 is stored before seq 3"
    )


def test_a_row_rewritten_and_rehashed_is_caught_at_the_next_row() -> None:
    rows = chain(6)
    forged = chain_next(rows[1].link, replace(rows[2].entry, detail={"n": 3, "forged": True}))
    rows[2] = forged
    broken = verify_chain(rows)
    assert broken is not None
    assert (broken.seq, broken.reason) == (4, BreakReason.UNLINKED)
    assert "seq 3 was rewritten" in broken.detail


def test_an_unreadable_row_is_an_edit_with_its_cause() -> None:
    rows = chain(4)
    rows[1] = replace(rows[1], unreadable="detail is not a JSON object")
    assert verify_chain(rows) == ChainBreak(2, BreakReason.EDITED, "detail is not a JSON object")


def test_the_first_of_several_breaks_is_the_one_named() -> None:
    rows = without(edited(chain(10), 3, kind="forged"), 7)
    broken = verify_chain(rows)
    assert broken is not None
    assert (broken.seq, broken.reason) == (3, BreakReason.EDITED)


# --- properties -------------------------------------------------------------------------------


@given(st.data())
def test_any_single_deletion_but_the_last_is_found_where_it_happened(data: st.DataObject) -> None:
    length = data.draw(st.integers(min_value=2, max_value=30))
    gone = data.draw(st.integers(min_value=1, max_value=length - 1))
    broken = verify_chain(without(chain(length), gone))
    assert broken is not None
    assert (broken.seq, broken.reason) == (gone + 1, BreakReason.DELETED)


@given(st.data())
def test_any_swap_is_found_at_the_first_swapped_row(data: st.DataObject) -> None:
    length = data.draw(st.integers(min_value=2, max_value=30))
    first = data.draw(st.integers(min_value=1, max_value=length - 1))
    second = data.draw(st.integers(min_value=first + 1, max_value=length))
    broken = verify_chain(swapped(chain(length), first, second))
    assert broken is not None
    assert (broken.seq, broken.reason) == (first, BreakReason.REORDERED)


@given(st.data())
def test_any_detail_edit_is_found_at_its_row(data: st.DataObject) -> None:
    length = data.draw(st.integers(min_value=1, max_value=30))
    seq = data.draw(st.integers(min_value=1, max_value=length))
    # Entries' details always hold a "fields" list, so any drawn detail differs from the stored one.
    safe_integers = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    detail = data.draw(st.dictionaries(st.text(max_size=5), safe_integers, max_size=3))
    broken = verify_chain(edited(chain(length), seq, detail=detail))
    assert broken is not None
    assert (broken.seq, broken.reason) == (seq, BreakReason.EDITED)
