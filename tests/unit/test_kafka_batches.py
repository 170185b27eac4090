"""What a batch tells of a consumer's progress (`BatchRead`): the offsets it read per partition,
the partitions' ends as the consumer knows them, and the lag that leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiokafka import TopicPartition

from hub.kafka.batches import BatchRead, PartitionRead, batch_read

J = "fy.hub.journal"


@dataclass
class FakeConsumer:
    """What `batch_read` asks of an aiokafka consumer: partition ends and assignment."""

    ends: dict[TopicPartition, int]
    assigned: set[TopicPartition] = field(default_factory=set)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.ends.get(partition)

    def assignment(self) -> set[TopicPartition]:
        return self.assigned or set(self.ends)


@dataclass
class Raw:
    """The fields of an aiokafka `ConsumerRecord` that `batch_read` reads."""

    topic: str
    partition: int
    offset: int


def test_a_batch_read_holds_each_partition_s_first_and_last_offset_and_its_end() -> None:
    consumer = FakeConsumer({TopicPartition(J, 0): 100, TopicPartition(J, 1): 50})
    records = [Raw(J, 0, 11), Raw(J, 1, 49), Raw(J, 0, 10), Raw(J, 0, 12)]
    read = batch_read(records, consumer, applied=True)
    assert read == BatchRead(
        (PartitionRead(J, 0, 10, 12, 100), PartitionRead(J, 1, 49, 49, 50)),
        applied=True,
        assigned=frozenset({(J, 0), (J, 1)}),
    )


def test_an_applied_batch_leaves_the_consumer_after_its_last_record() -> None:
    read = BatchRead(
        (PartitionRead(J, 0, 10, 11, 100), PartitionRead(J, 1, 49, 49, 50)),
        applied=True,
        assigned=frozenset(),
    )
    assert read.lags() == {(J, 0): 88, (J, 1): 0}


def test_a_batch_to_be_read_again_leaves_the_consumer_before_its_first_record() -> None:
    read = BatchRead((PartitionRead(J, 0, 10, 11, 100),), applied=False, assigned=frozenset())
    assert read.lags() == {(J, 0): 90}


def test_a_partition_whose_end_the_consumer_does_not_know_yet_has_no_lag() -> None:
    consumer = FakeConsumer({}, assigned={TopicPartition(J, 0)})
    read = batch_read([Raw(J, 0, 1)], consumer, applied=True)
    assert read.partitions == (PartitionRead(J, 0, 1, 1, None),)
    assert read.lags() == {}
    assert read.assigned == {(J, 0)}
