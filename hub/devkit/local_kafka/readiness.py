"""Is the broker really serving? Ask the cluster metadata, not merely the TCP port.

In combined KRaft mode the client port opens before the broker has registered with the
controller, so a node counts as ready only once a metadata request lists it among the brokers.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from hub.kafka.access import KafkaAccess


def broker_ids(description: dict[str, Any]) -> set[int]:
    """The node ids in an `AIOKafkaAdminClient.describe_cluster()` answer."""
    return {int(broker["node_id"]) for broker in description.get("brokers", [])}


async def listed_brokers(access: KafkaAccess | str, timeout_s: float = 5.0) -> set[int]:
    """The node ids the cluster metadata lists as live brokers, asked as `access`'s principal
    (a bare bootstrap string asks over PLAINTEXT); empty when nothing answers or the login is
    refused."""
    if isinstance(access, str):
        access = KafkaAccess(access, protocol="PLAINTEXT")
    # Only addresses that accept a connection are handed to aiokafka, which would otherwise log
    # an error for every refused connection while a broker is still starting.
    addresses = access.bootstrap.split(",")
    reachable = [a for a in addresses if await _accepts_connections(a, timeout_s)]
    if not reachable:
        return set()
    options = access.client_options() | {"bootstrap_servers": reachable}
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=int(timeout_s * 1000))
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            description = await admin.describe_cluster()
    except (KafkaError, OSError, TimeoutError):
        return set()
    finally:
        await admin.close()
    return broker_ids(description)


async def _accepts_connections(address: str, timeout_s: float) -> bool:
    host, _, port = address.strip().rpartition(":")
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host, int(port))
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
