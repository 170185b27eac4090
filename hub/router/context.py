"""Everything the router's decisions depend on, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from hub.journal.seal import HubSigner
from hub.router.freshness import FreshnessWindow
from hub.routing.plan import PlanCache
from hub.security.keyring import Keyring

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hub.calendar import WorkingCalendar
    from hub.registry import Registry
    from hub.routing.deadlines import DeadlinePolicy
    from hub.routing.table import RoutingTable


@dataclass(frozen=True)
class RouterContext:
    registry: Registry
    table: RoutingTable
    hub_key: Ed25519PrivateKey
    hub_key_id: str
    token_secret: bytes
    deadlines: DeadlinePolicy
    calendar: WorkingCalendar
    """The working days deadlines are counted on (built by `hub.bootstrap.build_calendar`)."""
    max_record_bytes: int = 1_048_576
    max_write_bytes: int = 4 * 1_048_576 - 65_536
    """The most the router's producer can send in one record: its `max_request_size` less room
    for the batch and record overheads (`hub.bootstrap.router_write_limit`)."""
    require_signatures: bool = True
    freshness: FreshnessWindow = field(default_factory=FreshnessWindow)
    """How old (or how far ahead) an event's `time` may be (`router.max_age_s`, `max_ahead_s`)."""
    plans: PlanCache = field(default_factory=PlanCache, compare=False, repr=False)
    """Due times and projections worked out for earlier events, for this table and calendar."""

    @cached_property
    def unit_keys(self) -> dict[str, Keyring]:
        """Each unit's registered public keys, decoded once."""
        return unit_keyrings(self.registry)

    @property
    def signer(self) -> HubSigner:
        """The hub's signing key, for the seals of its journal records."""
        return HubSigner(self.hub_key_id, self.hub_key)


def unit_keyrings(registry: Registry) -> dict[str, Keyring]:
    """Each registered unit's keys, with the times each may sign."""
    return {code: Keyring.of(unit.signing_keys) for code, unit in registry.units.items()}
