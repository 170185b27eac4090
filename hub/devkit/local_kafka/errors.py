"""The one error the local Kafka manager raises: its message is meant for a person, as is."""

from __future__ import annotations


class LocalKafkaError(Exception):
    """The local broker could not be prepared, started or stopped; the message names the cause."""
