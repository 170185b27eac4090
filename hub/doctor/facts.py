"""What `fyhub doctor` gathers about a deployment before judging it (`hub.doctor.checks`).

Plain values: the gathering (`hub.doctor.gather`) fills them from the brokers, the store and the
files the settings name; a test fills them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from hub.acl.plan import Acl
    from hub.calendar import YearSource
    from hub.kafka.topics import TopicSpec, TopicState


@dataclass(frozen=True, slots=True)
class BrokerFacts:
    bootstrap: str
    protocol: str
    principal: str | None
    broker_ids: tuple[int, ...] = ()
    """The brokers the cluster's metadata lists."""
    error: str | None = None
    """Why no connection was made (credentials refused, no answer, no TLS), or None."""


@dataclass(frozen=True, slots=True)
class StoreFacts:
    url: str
    """The store's URL without its password."""
    head: str
    current: str | None = None
    current_known: bool = True
    """Whether this fyhub's migrations know `current` (a newer one may have migrated it)."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SigningKeyFacts:
    key_id: str
    path: Path
    exists: bool
    public: str | None = None
    """The public half (base64) of the key in `path`, when it could be read."""
    error: str | None = None
    """Why the key in `path` cannot be used (file mode, not a key), or None."""
    listed_public: str | None = None
    """The public key `security.hub_keys` lists under `key_id`, if any."""


@dataclass(frozen=True, slots=True)
class KeyFacts:
    signing_key: SigningKeyFacts
    token_secret: str | None = field(default=None, repr=False)
    token_secret_error: str | None = None
    """Why the secret's file cannot be read, or both the secret and its file are set."""
    console_secret_error: str | None = None
    """Why the console could not start on its session secret (None: fine, or no console)."""


@dataclass(frozen=True, slots=True)
class CalendarFacts:
    folder: Path
    sources: Mapping[int, YearSource] = field(default_factory=dict)
    """Where the calendar takes each year asked about from."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DeploymentFacts:
    replication: int
    """The replication the settings plan each topic with."""
    brokers: BrokerFacts
    planned_acls: Sequence[Acl]
    present_acls: Sequence[Acl]
    planned_topics: Sequence[TopicSpec]
    topics: dict[str, TopicState]
    store: StoreFacts
    keys: KeyFacts
    calendar: CalendarFacts
    acl_error: str | None = None
    """Why the brokers, though answering, did not list their ACLs (a principal that is not
    their administrator), or None."""
    topic_error: str | None = None
    """Why the brokers, though answering, did not describe the topics, or None."""
