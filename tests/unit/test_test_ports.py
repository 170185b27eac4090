"""The suite's port picking: servers it stops and starts again listen below the ephemeral range."""

from __future__ import annotations

import socket

from tests.fixtures.ports import ephemeral_low, server_port_block


def test_the_ephemeral_range_is_read_from_the_kernels_setting() -> None:
    assert ephemeral_low("32768\t60999\n") == 32768
    assert ephemeral_low("1024 65535") == 1024
    assert ephemeral_low("") == 32768  # unreadable: Linux's default


def test_a_server_block_is_free_and_below_the_ephemeral_range() -> None:
    base = server_port_block(6)

    assert base + 6 <= ephemeral_low()
    for port in range(base, base + 6):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))  # raises if taken
