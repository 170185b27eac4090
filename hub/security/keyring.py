"""Public keys with the time each may sign, looked up by key id. Pure.

A unit's keys (the registry) and the hub's own (`security.hub_keys`) rotate with an overlap: the
new key is listed with a `since` before the old one's `until`, so that for a while both verify.
A signature is checked with the key its key id names, and only if the time it was made (the
router's decision for a unit's event, the journal record's time for the hub's seal) falls inside
that key's validity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.signing import load_public_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from hub.registry.models import RegisteredKey


@dataclass(frozen=True, slots=True)
class ValidKey:
    key_id: str
    public: Ed25519PublicKey
    since: datetime | None = None
    until: datetime | None = None

    def valid_at(self, at: datetime) -> bool:
        return (self.since is None or self.since <= at) and (self.until is None or at < self.until)


class KeyOutOfTimeError(LookupError):
    """The key id is known, but the key may not sign at that time (retired, or not yet valid)."""


@dataclass(frozen=True, slots=True)
class Keyring:
    keys: Mapping[str, ValidKey]

    @classmethod
    def of(cls, registered: Iterable[RegisteredKey]) -> Keyring:
        """Decoded from the registry's (or the settings') key entries."""
        return cls(
            {
                key.key_id: ValidKey(key.key_id, load_public_key(key.public), key.since, key.until)
                for key in registered
            }
        )

    def verifier(self, key_id: str, at: datetime) -> Ed25519PublicKey | None:
        """The key `key_id` names if it may sign at `at`; None when no key has that id; raises
        `KeyOutOfTimeError`, saying when it was valid, when it may not sign then."""
        key = self.keys.get(key_id)
        if key is None:
            return None
        if not key.valid_at(at):
            since = key.since.isoformat() if key.since else "the start"
            until = key.until.isoformat() if key.until else "its retirement"
            msg = f"key {key_id!r} is valid from {since} until {until}, not at {at.isoformat()}"
            raise KeyOutOfTimeError(msg)
        return key.public

    def valid_at(self, at: datetime) -> dict[str, Ed25519PublicKey]:
        """Every key that may sign at `at`, by id."""
        return {key_id: key.public for key_id, key in self.keys.items() if key.valid_at(at)}
