"""The router's in-order commits: offsets are committed in reading order, never before their
batch's writes (and every earlier batch's) are acknowledged; a failed write rewinds its batch and
everything read after it; batches fetched before a rewind are refused as stale."""

from __future__ import annotations

import pytest

from hub.router.commits import InFlight, InOrderCommits, Positions, Stale, positions

A, B = "fy.court.411121.outbox", "fy.tax.411121.outbox"


def read(*records: tuple[str, int, int]) -> Positions:
    return positions(records)


def opened(commits: InOrderCommits, *records: tuple[str, int, int]) -> InFlight:
    """A batch fetched now (after every rewind so far)."""
    batch = commits.open(read(*records), commits.epoch)
    assert isinstance(batch, InFlight)
    return batch


def test_a_batch_s_positions_are_its_first_offset_and_one_past_its_last_per_partition() -> None:
    got = read((A, 0, 12), (A, 1, 4), (A, 0, 10), (A, 0, 11))

    assert got.first == {(A, 0): 10, (A, 1): 4}
    assert got.after == {(A, 0): 13, (A, 1): 5}


def test_a_batch_written_alone_is_committed_past_its_last_record() -> None:
    commits = InOrderCommits(depth=2)
    batch = opened(commits, (A, 0, 0), (A, 0, 1), (A, 1, 7))

    assert commits.written(batch) == {(A, 0): 2, (A, 1): 8}
    assert commits.idle


def test_a_later_batch_acknowledged_first_waits_for_the_earlier_one() -> None:
    commits = InOrderCommits(depth=2)
    first = opened(commits, (A, 0, 0), (A, 0, 1))
    second = opened(commits, (A, 0, 2), (B, 0, 5))

    assert commits.written(second) == {}
    assert commits.written(first) == {(A, 0): 3, (B, 0): 6}


def test_the_depth_bounds_the_batches_whose_writes_are_unsettled() -> None:
    commits = InOrderCommits(depth=2)
    first = opened(commits, (A, 0, 0))
    assert commits.has_room
    second = opened(commits, (A, 0, 1))
    assert not commits.has_room

    commits.written(second)  # acknowledged, but not committable before `first`
    assert commits.has_room
    commits.written(first)
    assert commits.idle


def test_a_failed_batch_and_every_later_one_are_rewound_and_never_committed() -> None:
    commits = InOrderCommits(depth=3)
    first = opened(commits, (A, 0, 0), (A, 0, 1))
    second = opened(commits, (A, 0, 2), (A, 1, 9))
    third = opened(commits, (A, 0, 3), (B, 0, 5))

    assert commits.failed(second) == {(A, 0): 2, (A, 1): 9, (B, 0): 5}
    assert commits.written(third) == {}  # abandoned: read again from the rewound positions
    assert commits.written(first) == {(A, 0): 2}
    assert commits.idle


def test_a_failure_of_an_abandoned_batch_rewinds_nothing_more() -> None:
    commits = InOrderCommits(depth=2)
    first = opened(commits, (A, 0, 0))
    second = opened(commits, (A, 0, 1))

    assert commits.failed(first) == {(A, 0): 0}
    assert commits.failed(second) == {}
    assert commits.idle


def test_an_earlier_batch_written_after_a_later_one_failed_is_still_committed() -> None:
    commits = InOrderCommits(depth=2)
    first = opened(commits, (A, 0, 0), (B, 0, 3))
    second = opened(commits, (A, 0, 1))

    commits.failed(second)

    assert commits.written(first) == {(A, 0): 1, (B, 0): 4}


def test_after_a_rewind_a_batch_fetched_before_it_is_stale_and_one_fetched_after_is_not() -> None:
    commits = InOrderCommits(depth=2)
    failing = opened(commits, (A, 0, 10), (A, 0, 11))
    before = commits.epoch  # the next batch was fetched while the write was failing
    commits.failed(failing)

    assert commits.open(read((A, 0, 12), (A, 0, 13)), before) == Stale({})
    fresh = opened(commits, (A, 0, 10), (A, 0, 11), (A, 0, 12))
    assert commits.written(fresh) == {(A, 0): 13}


def test_a_stale_batch_rewinds_its_partitions_that_were_not_rewound_before() -> None:
    """Its records on them are dropped with it: they must be read again too."""
    commits = InOrderCommits(depth=2)
    before = commits.epoch
    commits.failed(opened(commits, (A, 0, 10)))

    stale = commits.open(read((A, 0, 11), (B, 2, 40)), before)

    assert stale == Stale({(B, 2): 40})
    assert isinstance(commits.open(read((B, 2, 41)), before), Stale)  # B/2 was rewound too
    assert isinstance(opened(commits, (A, 0, 10), (B, 2, 40)), InFlight)


def test_a_batch_fetched_between_two_rewinds_is_stale_only_for_the_later_one() -> None:
    """Two failures at different times: a batch fetched between them is fresh on the first
    rewind's partition; dropping it rewinds that partition again, to where the batch began."""
    commits = InOrderCommits(depth=2)
    commits.failed(opened(commits, (A, 0, 10)))
    between = commits.epoch
    commits.failed(opened(commits, (B, 0, 5)))  # B/0 rewound to 5

    assert commits.open(read((A, 0, 10), (B, 0, 6)), between) == Stale({(A, 0): 10})


def test_a_rewind_to_an_earlier_failed_batch_abandons_the_fresh_batches_after_it() -> None:
    commits = InOrderCommits(depth=3)
    first = opened(commits, (A, 0, 0))
    second = opened(commits, (A, 0, 1))
    commits.failed(second)
    again = opened(commits, (A, 0, 1))  # read again after the rewind
    before = commits.epoch

    assert commits.failed(first) == {(A, 0): 0}
    assert commits.written(again) == {}
    assert isinstance(commits.open(read((A, 0, 1)), before), Stale)
    assert isinstance(opened(commits, (A, 0, 0), (A, 0, 1)), InFlight)


def test_a_batch_fetched_after_a_rewind_is_taken_whatever_offset_it_starts_at() -> None:
    """The rewound record may be gone (retention), or a transaction marker leaves a gap: a
    batch fetched after the rewind starts later than the rewound offset, and is not stale. Were
    offsets expected exactly, every later batch of the partition would be dropped for ever."""
    commits = InOrderCommits(depth=2)
    commits.failed(opened(commits, (A, 0, 10)))

    later = opened(commits, (A, 0, 500))
    assert commits.written(later) == {(A, 0): 501}


def test_offsets_with_gaps_are_not_taken_for_a_stale_batch() -> None:
    commits = InOrderCommits(depth=2)
    commits.written(opened(commits, (A, 0, 0), (A, 0, 1)))

    assert isinstance(opened(commits, (A, 0, 5)), InFlight)


def test_a_partition_taken_away_by_a_rebalance_forgets_its_rewinds() -> None:
    commits = InOrderCommits(depth=2)
    before = commits.epoch
    commits.failed(opened(commits, (A, 0, 10)))

    commits.forget([(A, 0)])

    # the consumer dropped what it had fetched of it: a batch handed over now is its new owner's
    assert isinstance(commits.open(read((A, 0, 30)), before), InFlight)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_whatever_the_order_of_acknowledgements_commits_only_move_forward(depth: int) -> None:
    commits = InOrderCommits(depth=depth)
    batches = [opened(commits, (A, 0, n)) for n in range(depth)]
    committed: list[int] = []
    for batch in reversed(batches):
        committed.extend(commits.written(batch).values())
    assert committed == [depth]
