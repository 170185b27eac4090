"""Kafka's default partitioning of keyed records, each key's hash remembered.

aiokafka's `DefaultPartitioner` hashes a key with murmur2 in pure Python, about 5 µs a record.
The router writes many records under one key (a broadcast's copies and its journal entry share
the case's key: 20 records of one hash), so `CachedKeyPartitioner` remembers the last keys'
hashes. The partition is the one the Java client (and aiokafka) chooses for the key: the order
of one case's records per partition is the same whoever wrote them. A record without a key goes
to aiokafka's default (a random available partition); the hub always writes a key.
"""

from __future__ import annotations

import functools
from typing import Final

from aiokafka.partitioner import DefaultPartitioner, murmur2

_REMEMBERED_KEYS: Final = 4096
"""Enough for every case in flight in a few batches; an LRU, so memory stays bounded."""


class CachedKeyPartitioner:
    """The `partitioner=` of an aiokafka producer: `DefaultPartitioner`, faster on keys seen."""

    def __init__(self, remembered: int = _REMEMBERED_KEYS) -> None:
        self._hash = functools.lru_cache(maxsize=remembered)(murmur2)
        self._unkeyed = DefaultPartitioner()

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            chosen: int = self._unkeyed(key, all_partitions, available)
            return chosen
        index: int = (self._hash(key) & 0x7FFFFFFF) % len(all_partitions)
        return all_partitions[index]
