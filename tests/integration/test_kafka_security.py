"""Who the suite's secured broker lets in, and what it lets them do.

The administrator logs in over SASL_SSL with the password the broker's home keeps; a wrong
password, a PLAINTEXT client, a client that does not trust the home's CA and a client without a
node certificate on the controller port are all turned away. A principal created or rotated on
the running broker logs in with its new password and no longer with its old one; without ACLs it
may do nothing.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError

from hub.devkit.local_kafka import listed_brokers
from hub.kafka import scram_admin
from hub.kafka.access import KafkaAccess
from hub.kafka.credentials import new_password
from tests.fixtures.kafka import NewTopicFactory, kafka_admin

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.kafka

TOPIC_AUTHORIZATION_FAILED = 29


@pytest.fixture
async def principal(kafka_access: KafkaAccess) -> AsyncIterator[KafkaAccess]:
    """A new SCRAM principal, created on the running broker; deleted afterwards."""
    user = f"fy.test.{uuid.uuid4().hex[:8]}"
    password = new_password()
    await scram_admin.set_password(kafka_access, user, password)
    try:
        yield kafka_access.as_user(user, password)
    finally:
        await scram_admin.delete_credential(kafka_access, user)


def address(access: KafkaAccess) -> str:
    return access.bootstrap.split(",")[0]


async def test_the_administrator_logs_in_over_sasl_ssl(kafka_access: KafkaAccess) -> None:
    assert kafka_access.protocol == "SASL_SSL"
    assert kafka_access.username == "admin"
    assert await scram_admin.logs_in(kafka_access, address(kafka_access))
    assert await listed_brokers(kafka_access)


async def test_a_wrong_password_is_refused(kafka_access: KafkaAccess) -> None:
    wrong = kafka_access.as_user("admin", "not-the-password")
    assert not await scram_admin.logs_in(wrong, address(kafka_access))
    producer = AIOKafkaProducer(**wrong.client_options(), request_timeout_ms=5000)
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_a_plaintext_client_gets_nothing(kafka_access: KafkaAccess) -> None:
    plaintext = KafkaAccess(kafka_access.bootstrap, protocol="PLAINTEXT")
    assert await listed_brokers(plaintext, timeout_s=3) == set()
    admin = AIOKafkaAdminClient(**plaintext.client_options(), request_timeout_ms=3000)
    with pytest.raises((KafkaConnectionError, TimeoutError)):
        async with asyncio.timeout(10):
            await admin.start()
    await admin.close()


async def test_a_client_that_does_not_trust_the_brokers_ca_is_refused(
    kafka_access: KafkaAccess,
) -> None:
    system_store = KafkaAccess(
        kafka_access.bootstrap, username="admin", password=kafka_access.password
    )
    with pytest.raises((KafkaConnectionError, ssl.SSLError, OSError)):
        await scram_admin.logs_in(system_store, address(kafka_access), timeout_s=5)


async def test_the_controller_port_wants_a_node_certificate(kafka_access: KafkaAccess) -> None:
    """Trusting the CA is not enough there: without a node's certificate, no answer."""
    context = kafka_access.ssl_context()
    assert context is not None
    host, port = _controller_address(kafka_access)
    with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
        await _api_versions_answer(host, port, context)

    assert kafka_access.ca_file is not None
    context.load_cert_chain(kafka_access.ca_file.parent / "node-1.pem")
    assert len(await _api_versions_answer(host, port, context)) == 4  # a node's is


async def _api_versions_answer(host: str, port: int, context: ssl.SSLContext) -> bytes:
    reader, writer = await asyncio.open_connection(host, port, ssl=context)
    try:
        # An ApiVersions v0 request; with TLS 1.3 a refused certificate shows on the first read.
        writer.write(b"\x00\x00\x00\x0e\x00\x12\x00\x00\x00\x00\x00\x01\x00\x04test")
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(4), 10)
    finally:
        writer.close()


async def test_a_principal_created_on_the_running_broker_logs_in(
    principal: KafkaAccess,
) -> None:
    assert await scram_admin.logs_in(principal, address(principal))
    assert await listed_brokers(principal)  # metadata needs no ACL


async def test_describe_names_the_mechanism_and_iterations(
    kafka_access: KafkaAccess, principal: KafkaAccess
) -> None:
    assert principal.username is not None
    described = await scram_admin.describe_credentials(kafka_access, [principal.username, "nobody"])
    assert described == {principal.username: 8192}
    everyone = await scram_admin.describe_credentials(kafka_access)
    assert {"admin", "kafka-node", principal.username} <= set(everyone)


async def test_after_a_rotation_the_new_password_works_and_the_old_one_not(
    kafka_access: KafkaAccess, principal: KafkaAccess
) -> None:
    assert principal.username is not None
    rotated = principal.as_user(principal.username, new_password())

    await scram_admin.set_password(kafka_access, principal.username, rotated.password or "")

    assert await scram_admin.logs_in(rotated, address(rotated))
    await scram_admin.wait_until_refused(principal, timeout_s=30)
    assert not await scram_admin.logs_in(principal, address(principal))


async def test_a_principal_without_acls_may_do_nothing(
    principal: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    existing = await new_topic()
    async with kafka_admin(principal) as admin:
        assert existing not in await admin.list_topics()
        response = await admin.create_topics([NewTopic(f"test.{uuid.uuid4().hex[:12]}", 1, 1)])
    (error,) = [topic[1] for topic in response.topic_errors]
    assert error == TOPIC_AUTHORIZATION_FAILED
    producer = AIOKafkaProducer(**principal.client_options(), request_timeout_ms=5000)
    await producer.start()
    try:
        with pytest.raises(KafkaError):
            async with asyncio.timeout(30):
                await producer.send_and_wait(existing, b"not allowed")
    finally:
        await producer.stop()


def _controller_address(access: KafkaAccess) -> tuple[str, int]:
    """The own broker's controller listener, from the `server.properties` beside its CA."""
    assert access.ca_file is not None, "the suite's own broker keeps its CA in its home"
    properties = (access.ca_file.parent.parent / "server.properties").read_text()
    (listeners,) = [line for line in properties.splitlines() if line.startswith("listeners=")]
    controller = next(part for part in listeners.split(",") if "CONTROLLER://" in part)
    host, _, port = controller.split("CONTROLLER://")[1].rpartition(":")
    return host, int(port)
