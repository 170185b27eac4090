"""Create, rotate and delete SCRAM-SHA-512 credentials on a running cluster, and prove a login.

An administrator's `KafkaAccess` sends the requests of `hub.kafka.scram` through aiokafka's
admin client. Kafka answers an AlterUserScramCredentials once the controller has written the
change to the metadata log; each broker's credential cache catches up afterwards, so a login
with a new password can fail for a moment, and an old one can still succeed. `set_password`
therefore waits until every broker in the bootstrap list accepts the new password, and
`wait_until_refused` until they all refuse an old one.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError, SaslAuthenticationFailed

from hub.kafka.admin import admin_client, send_request
from hub.kafka.scram import (
    DEFAULT_ITERATIONS,
    AlterUserScramCredentialsRequest,
    DescribeUserScramCredentialsRequest,
    ScramError,
    alter_errors,
    credential,
    described_iterations,
)

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess

_POLL_S = 0.2


async def describe_credentials(
    admin: KafkaAccess, users: list[str] | None = None
) -> dict[str, int]:
    """User → iterations of each SCRAM-SHA-512 credential (of `users`, or of everyone)."""
    answer = await _send(admin, DescribeUserScramCredentialsRequest(users))
    return described_iterations(answer)


async def upsert_credential(
    admin: KafkaAccess, user: str, password: str, *, iterations: int = DEFAULT_ITERATIONS
) -> None:
    """Create `user`'s credential, or replace it (a rotation); does not wait for the brokers."""
    request = AlterUserScramCredentialsRequest([credential(user, password, iterations=iterations)])
    _raise_refused(alter_errors(await _send(admin, request)))


async def delete_credential(admin: KafkaAccess, user: str) -> None:
    _raise_refused(alter_errors(await _send(admin, AlterUserScramCredentialsRequest([], [user]))))


async def set_password(
    admin: KafkaAccess,
    user: str,
    password: str,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    timeout_s: float = 30.0,
) -> None:
    """Create or rotate `user`'s password, and return once every broker accepts it."""
    await upsert_credential(admin, user, password, iterations=iterations)
    await wait_until_login(admin.as_user(user, password), timeout_s=timeout_s)


async def logs_in(access: KafkaAccess, address: str, timeout_s: float = 10.0) -> bool:
    """Whether the broker at `address` accepts `access`'s principal and password now."""
    host, _, port = address.strip().rpartition(":")
    options = access.client_options()
    options.pop("bootstrap_servers")
    try:
        async with asyncio.timeout(timeout_s):
            connection = await create_conn(
                host, int(port), request_timeout_ms=int(timeout_s * 1000), **options
            )
    except SaslAuthenticationFailed:
        return False
    connection.close()
    return True


async def _login_state(access: KafkaAccess, address: str) -> bool | None:
    """`logs_in`, or None when the broker could not be asked (not up, or busy): try again."""
    try:
        return await logs_in(access, address)
    except (KafkaError, OSError, TimeoutError):
        return None


async def wait_until_login(access: KafkaAccess, *, timeout_s: float = 30.0) -> None:
    """Return once every broker in `access.bootstrap` accepts the login; ScramError if not."""
    await _wait(access, expected=True, timeout_s=timeout_s)


async def wait_until_refused(access: KafkaAccess, *, timeout_s: float = 30.0) -> None:
    """Return once every broker refuses `access`'s password (e.g. the one before a rotation)."""
    await _wait(access, expected=False, timeout_s=timeout_s)


async def _wait(access: KafkaAccess, *, expected: bool, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    pending = [address.strip() for address in access.bootstrap.split(",")]
    while pending:
        pending = [a for a in pending if await _login_state(access, a) is not expected]
        if not pending:
            return
        if time.monotonic() > deadline:
            state = "accept" if expected else "refuse"
            raise ScramError(
                f"{', '.join(pending)} did not {state} the password of {access.username} "
                f"within {timeout_s:.0f} s"
            )
        await asyncio.sleep(_POLL_S)


async def _send(admin: KafkaAccess, request: Any) -> dict[str, Any]:
    async with admin_client(admin) as client:
        return await send_request(client, request)


def _raise_refused(errors: dict[str, str]) -> None:
    if errors:
        said = "; ".join(f"{user}: {error}" for user, error in sorted(errors.items()))
        raise ScramError(f"Kafka refused the SCRAM credential change ({said})")
