"""Connector settings beyond the required ones, and the consumer group naming rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from connectors.sdk.backoff import Backoff, RetryPolicy
from connectors.sdk.errors import ConnectorError
from connectors.sdk.kafka_access import PLAINTEXT, KafkaSecurity

if TYPE_CHECKING:
    from collections.abc import Mapping

_GROUP_NAME_RE: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DEFAULT_GROUP_NAME: Final = "connector"


@dataclass(frozen=True)
class ConnectorOptions:
    """Knobs with working defaults."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """How often a failing handler is tried for one copy (see `connectors.sdk.dispatch`)."""
    reconnect: Backoff = field(default_factory=Backoff)
    """Waits between attempts to reach Kafka, for the relay and for the consumer."""
    security: KafkaSecurity = PLAINTEXT
    """The unit's principal on the hub's brokers (SASL_SSL, SCRAM-SHA-512) and their CA, for both
    the producer and the consumer; PLAINTEXT only for a broker without security."""
    kafka: Mapping[str, Any] = field(default_factory=dict)
    """Extra aiokafka client settings for both the producer and the consumer; they override
    those of `security`."""
    poll_s: float = 1.0
    """How often the relay looks for rows added outside `publish` (`Outbox.add`)."""
    stop_grace_s: float = 5.0
    """How long `stop` lets the relay finish the round in flight before cancelling it."""

    def client_options(self) -> dict[str, Any]:
        """The aiokafka keywords of the connector's producer and consumer: `security`'s, then
        `kafka`'s."""
        return {**self.security.client_options(), **self.kafka}


def consumer_group(unit: str, group_id: str | None) -> str:
    """`group_id`, checked to be `fy.unit.<unit>.<name>`; by default `fy.unit.<unit>.connector`."""
    prefix = f"fy.unit.{unit}."
    group_id = group_id or f"{prefix}{DEFAULT_GROUP_NAME}"
    name = group_id.removeprefix(prefix)
    if name == group_id or not _GROUP_NAME_RE.fullmatch(name):
        raise ConnectorError(f"group_id must be {prefix}<name> (lower-case letters, digits, _ -)")
    return group_id
