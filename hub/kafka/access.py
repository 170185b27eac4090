"""How a client reaches the brokers and who it is to them: one value for every Kafka client.

Every client the hub builds (router, writer, auditor, tracker, replay, the dead-letter tools,
topic administration, the bench) takes its options from a `KafkaAccess`, so that a secured
cluster is configured once, in `hub.bootstrap`, and never ignored by one client that builds its
own connection. `client_options()` gives aiokafka's keyword arguments, `faststream_security()`
FastStream's equivalent.

`PLAINTEXT` is for unit tests and a developer's explicit opt-out only: the broker then knows no
identities, so it can enforce no ACL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from pathlib import Path
    from ssl import SSLContext

    from faststream.security import BaseSecurity

log = logging.getLogger(__name__)

SecurityProtocol = Literal["SASL_SSL", "PLAINTEXT"]
SaslMechanism = Literal["SCRAM-SHA-512"]
SASL_MECHANISM: Final[SaslMechanism] = "SCRAM-SHA-512"


class KafkaAccessError(ValueError):
    """A `KafkaAccess` that cannot make a connection (e.g. SASL_SSL without a username)."""


@dataclass(frozen=True, slots=True)
class KafkaAccess:
    """The brokers' addresses, the protocol, and the principal (SCRAM username and password)."""

    bootstrap: str
    protocol: SecurityProtocol = "SASL_SSL"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    """The CA that signed the brokers' certificates; None trusts the system's store."""
    mechanism: SaslMechanism = SASL_MECHANISM

    def __post_init__(self) -> None:
        if self.protocol == "SASL_SSL" and (not self.username or self.password is None):
            msg = f"Kafka access to {self.bootstrap} over SASL_SSL needs a username and password"
            raise KafkaAccessError(msg)

    @property
    def secured(self) -> bool:
        return self.protocol != "PLAINTEXT"

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same brokers, reached as another principal."""
        return replace(self, username=username, password=password)

    @property
    def servers(self) -> list[str]:
        """The bootstrap addresses one by one: FastStream's `KafkaBroker` takes a string as one
        address, so a cluster's `a:9092,b:9092,c:9092` must reach it as a list."""
        return [address.strip() for address in self.bootstrap.split(",") if address.strip()]

    def ssl_context(self) -> SSLContext | None:
        """The TLS context (reads the CA file); None over PLAINTEXT."""
        if not self.secured:
            return None
        from aiokafka.helpers import create_ssl_context  # noqa: PLC0415

        context: SSLContext = create_ssl_context(cafile=self.ca_file)
        return context

    def client_options(self) -> dict[str, Any]:
        """`bootstrap_servers` and the security keywords of AIOKafkaProducer, AIOKafkaConsumer
        and AIOKafkaAdminClient."""
        options: dict[str, Any] = {"bootstrap_servers": self.servers}
        if self.secured:
            options |= {
                "security_protocol": self.protocol,
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
                "ssl_context": self.ssl_context(),
            }
        return options

    def faststream_security(self) -> BaseSecurity | None:
        """FastStream's `security=` for a `KafkaBroker`; None over PLAINTEXT."""
        if not self.secured:
            return None
        from faststream.security import SASLScram512  # noqa: PLC0415

        assert self.username is not None
        assert self.password is not None
        return SASLScram512(
            username=self.username, password=self.password, ssl_context=self.ssl_context()
        )
