"""The writer's partitioner puts every keyed record where Kafka's default partitioner does."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from hub.kafka.partitioner import CachedKeyPartitioner


@given(
    keys=st.lists(st.binary(max_size=64), min_size=1, max_size=50),
    partitions=st.integers(min_value=1, max_value=64),
)
def test_a_keyed_record_goes_where_the_default_partitioner_sends_it(
    keys: list[bytes], partitions: int
) -> None:
    cached, default = CachedKeyPartitioner(remembered=8), DefaultPartitioner()
    every = list(range(partitions))
    for key in [*keys, *keys]:  # each key twice: the second time from the cache
        assert cached(key, every, every) == default(key, every, every)


def test_a_case_number_keeps_its_partition_when_a_topic_has_other_partition_ids() -> None:
    key = "(2026)豫1121执123号".encode()
    partitions = [3, 5, 8]
    assert CachedKeyPartitioner()(key, partitions, []) == DefaultPartitioner()(key, partitions, [])


def test_an_unkeyed_record_goes_to_an_available_partition() -> None:
    assert CachedKeyPartitioner()(None, [0, 1, 2], [2]) == 2
