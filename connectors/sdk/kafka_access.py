"""Who a unit's connector is to the hub's brokers: its SCRAM-SHA-512 principal over SASL_SSL.

The hub's brokers let a client in only with a username and password (SCRAM-SHA-512) over TLS,
and their ACLs let each unit's principal write its own outbox, read its own inbox and join its
own consumer groups. `KafkaSecurity` is that principal and the CA that signed the brokers'
certificates; `ConnectorOptions(security=...)` gives it to the connector's producer and consumer.

The connector SDK never imports the hub, so this is the SDK's own small counterpart of the hub's
`hub.kafka.access.KafkaAccess`, without the brokers' addresses (the `Connector`'s `bootstrap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from connectors.sdk.errors import ConnectorError

if TYPE_CHECKING:
    from pathlib import Path
    from ssl import SSLContext

SecurityProtocol = Literal["SASL_SSL", "PLAINTEXT"]
SASL_MECHANISM: Final = "SCRAM-SHA-512"


@dataclass(frozen=True, slots=True)
class KafkaSecurity:
    """The protocol, the unit's principal (SCRAM username and password) and the brokers' CA.

    PLAINTEXT (no principal) is for a broker without security only: a development machine or a
    test; the hub's secured brokers refuse it."""

    protocol: SecurityProtocol = "SASL_SSL"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    """The CA that signed the brokers' certificates; None trusts the system's store."""

    def __post_init__(self) -> None:
        if self.protocol == "SASL_SSL" and (not self.username or not self.password):
            raise ConnectorError("Kafka over SASL_SSL needs the unit's username and password")

    @classmethod
    def scram(
        cls, username: str, *, password_file: Path, ca_file: Path | None = None
    ) -> KafkaSecurity:
        """SASL_SSL as `username`, with the password kept in `password_file` (one line)."""
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            msg = f"cannot read the Kafka password of {username} from {password_file}: {error}"
            raise ConnectorError(msg) from None
        if not password:
            raise ConnectorError(f"the Kafka password file {password_file} is empty")
        return cls("SASL_SSL", username, password, ca_file)

    @property
    def secured(self) -> bool:
        return self.protocol != "PLAINTEXT"

    def ssl_context(self) -> SSLContext | None:
        """The TLS context (reads the CA file); None over PLAINTEXT."""
        if not self.secured:
            return None
        from aiokafka.helpers import create_ssl_context  # noqa: PLC0415

        context: SSLContext = create_ssl_context(cafile=self.ca_file)
        return context

    def client_options(self) -> dict[str, Any]:
        """The security keywords of AIOKafkaProducer and AIOKafkaConsumer (none over PLAINTEXT)."""
        if not self.secured:
            return {}
        return {
            "security_protocol": self.protocol,
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": self.ssl_context(),
        }


PLAINTEXT: Final = KafkaSecurity("PLAINTEXT")
"""No principal, no TLS: a broker without security (development, tests)."""
