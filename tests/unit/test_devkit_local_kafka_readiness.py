from __future__ import annotations

import logging
import socket
import time

import pytest

from hub.devkit.local_kafka.readiness import broker_ids, listed_brokers


def test_broker_ids_are_read_from_a_describe_cluster_answer() -> None:
    answer = {
        "brokers": [
            {"node_id": 2, "host": "127.0.0.1", "port": 29092, "rack": None},
            {"node_id": 1, "host": "127.0.0.1", "port": 29091, "rack": None},
        ],
        "cluster_id": "MCVFnxRmThWGvrPAJTonqg",
        "controller_id": 1,
    }
    assert broker_ids(answer) == {1, 2}
    assert broker_ids({"brokers": []}) == set()


async def test_nothing_listening_means_no_brokers_quickly_and_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the check: nothing listens there
    began = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="aiokafka"):
        assert await listed_brokers(f"127.0.0.1:{port}", timeout_s=5) == set()
    assert time.monotonic() - began < 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_port_that_accepts_but_never_speaks_kafka_gives_up_within_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        began = time.monotonic()
        assert await listed_brokers(f"127.0.0.1:{silent.getsockname()[1]}", timeout_s=1) == set()
        assert time.monotonic() - began < 3
