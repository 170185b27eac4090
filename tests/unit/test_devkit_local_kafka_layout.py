from __future__ import annotations

from pathlib import Path

import pytest

from hub.devkit.local_kafka import LocalKafkaError
from hub.devkit.local_kafka.layout import (
    BROKER_MAX_MESSAGE_BYTES,
    Topology,
    read_cluster_id,
    render_properties,
    server_properties,
    single_node,
    three_nodes,
)

HOME = Path("/srv/fyhub/kafka")
CLUSTER = three_nodes(HOME, (29091, 29092, 29093), (29191, 29192, 29193))
BROKER = single_node(HOME, 19092, 19093)


def test_the_cluster_names_every_controller_in_one_static_voters_line() -> None:
    for node in CLUSTER.nodes:
        assert server_properties(CLUSTER, node)["controller.quorum.voters"] == (
            "1@127.0.0.1:29191,2@127.0.0.1:29192,3@127.0.0.1:29193"
        )


def test_each_cluster_node_listens_on_its_own_ports_and_directory() -> None:
    node = CLUSTER.node(2)
    properties = server_properties(CLUSTER, node)
    assert properties["node.id"] == "2"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29192"
    assert properties["advertised.listeners"] == "PLAINTEXT://127.0.0.1:29092"
    assert properties["log.dirs"] == str(HOME / "cluster" / "node-2" / "data")


def test_the_cluster_keeps_three_copies_and_refuses_writes_below_two() -> None:
    properties = server_properties(CLUSTER, CLUSTER.node(1))
    assert properties["default.replication.factor"] == "3"
    assert properties["min.insync.replicas"] == "2"
    assert properties["offsets.topic.replication.factor"] == "3"
    assert properties["transaction.state.log.replication.factor"] == "3"
    assert properties["transaction.state.log.min.isr"] == "2"
    assert properties["unclean.leader.election.enable"] == "false"


def test_the_single_broker_needs_no_second_copy() -> None:
    properties = server_properties(BROKER, BROKER.nodes[0])
    assert properties["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert properties["default.replication.factor"] == "1"
    assert properties["min.insync.replicas"] == "1"
    assert properties["offsets.topic.replication.factor"] == "1"
    assert properties["transaction.state.log.min.isr"] == "1"


@pytest.mark.parametrize("topology", [BROKER, CLUSTER], ids=["broker", "cluster"])
def test_test_speed_settings_and_room_for_a_one_mebibyte_record(topology: Topology) -> None:
    properties = server_properties(topology, topology.nodes[0])
    assert properties["group.initial.rebalance.delay.ms"] == "0"
    assert properties["auto.create.topics.enable"] == "false"
    assert int(properties["offsets.topic.num.partitions"]) <= 3
    assert int(properties["message.max.bytes"]) == BROKER_MAX_MESSAGE_BYTES > 1024 * 1024
    assert int(properties["replica.fetch.max.bytes"]) >= BROKER_MAX_MESSAGE_BYTES


def test_bootstrap_lists_every_client_port() -> None:
    assert CLUSTER.bootstrap == "127.0.0.1:29091,127.0.0.1:29092,127.0.0.1:29093"
    assert BROKER.bootstrap == "127.0.0.1:19092"
    assert BROKER.ports == [19092, 19093]


def test_a_port_used_twice_is_refused_by_name() -> None:
    with pytest.raises(LocalKafkaError, match="port 29092 more than once"):
        three_nodes(HOME, (29091, 29092, 29093), (29092, 29192, 29193))
    with pytest.raises(LocalKafkaError, match="port 19092 more than once"):
        single_node(HOME, 19092, 19092)


def test_single_broker_and_cluster_live_in_separate_folders() -> None:
    assert BROKER.nodes[0].directory == HOME / "broker"
    assert {node.directory.parent for node in CLUSTER.nodes} == {HOME / "cluster"}
    assert BROKER.nodes[0].pid_path == HOME / "broker" / "broker.pid"


def test_rendered_properties_are_one_key_value_per_line() -> None:
    text = render_properties({"node.id": "1", "log.dirs": "/data"})
    assert text.splitlines()[1:] == ["node.id=1", "log.dirs=/data"]
    assert text.startswith("#")


def test_cluster_id_is_read_from_meta_properties() -> None:
    meta = (
        "#\n#Mon Nov 23\nnode.id=1\ndirectory.id=FlUWwwEt2U\nversion=1\ncluster.id=MCVFnxRmThWG\n"
    )
    assert read_cluster_id(meta) == "MCVFnxRmThWG"
    assert read_cluster_id("node.id=1\n") is None
