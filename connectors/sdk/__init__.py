"""The fyhub connector SDK: how a member unit publishes to the hub and handles what it delivers.

Start with `Connector` (see `connectors/sdk/README.md` for a worked example).
"""

from connectors.sdk.backoff import Backoff, RetryPolicy
from connectors.sdk.connector import Connector
from connectors.sdk.delivered import DeliveredEvent
from connectors.sdk.documents import DocumentClient, DocumentStoreError, DocumentTamperedError
from connectors.sdk.errors import ConnectorError, EventRefused, NotStarted, ReplyNotAllowed
from connectors.sdk.inbox import ConnectorStats, Outcome
from connectors.sdk.kafka_access import KafkaSecurity
from connectors.sdk.options import ConnectorOptions
from connectors.sdk.outgoing import OutboxRecord
from connectors.sdk.store import Outbox

__all__ = [
    "Backoff",
    "Connector",
    "ConnectorError",
    "ConnectorOptions",
    "ConnectorStats",
    "DeliveredEvent",
    "DocumentClient",
    "DocumentStoreError",
    "DocumentTamperedError",
    "EventRefused",
    "KafkaSecurity",
    "NotStarted",
    "Outbox",
    "OutboxRecord",
    "Outcome",
    "ReplyNotAllowed",
    "RetryPolicy",
]
