"""One administrative connection to the brokers, and the raw requests aiokafka has no call for.

Every admin-side tool (ACLs, SCRAM credentials, the test fixtures) opens its client here, so a
connection is always closed and always made with the access's security; and the requests sent
through it (DescribeAcls, CreateAcls, AlterUserScramCredentials, ...) are answered as plain
dicts by `send_request`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from aiokafka.admin import AIOKafkaAdminClient

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from aiokafka.protocol.api import Request

    from hub.kafka.access import KafkaAccess


@contextlib.asynccontextmanager
async def admin_client(
    access: KafkaAccess, *, client_id: str | None = None
) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client as `access`'s principal, started, and closed on leaving."""
    options = access.client_options() | ({"client_id": client_id} if client_id else {})
    client = AIOKafkaAdminClient(**options)
    try:
        await client.start()
        yield client
    finally:
        await client.close()


async def send_request(client: AIOKafkaAdminClient, request: Request[Any]) -> dict[str, Any]:
    """`request` sent to a broker (the least loaded), its response as a dict."""
    response = await client._send_request(request)  # noqa: SLF001 - aiokafka has no public call for these requests
    answer: dict[str, Any] = response.to_object()
    return answer
