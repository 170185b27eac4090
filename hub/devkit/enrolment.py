"""Enrolling connectors on one machine: a signing key per unit, and a registry that lists it.

A unit's connector signs what it publishes and the hub checks that signature against the public keys
the registry lists for the unit (docs/design.md §4, §9). In production each unit makes its own key
and sends the public half to the joint-meeting office. `fyhub up` runs demo connectors for some
units on the local machine, so it makes their keys itself (kept in the state folder, mode 0600,
reused on the next start) and writes a copy of the registry with their public keys filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from schemas.signing import (
    dump_private_key_raw,
    dump_public_key,
    generate_keypair,
    load_private_key_raw,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_ID = "k1"


@dataclass(frozen=True, slots=True)
class Enrolled:
    registry: Path
    """The registry copy listing each enrolled unit's public key."""
    keys: dict[str, Ed25519PrivateKey]
    """Each enrolled unit's private key (its key id is `KEY_ID`)."""


def enrol_depts(registry: Path, depts: Iterable[str], state: Path) -> Enrolled:
    """Keys for the units of `depts` in the region of the `registry` file (made once, then reused
    from `state`) and a copy of that file listing their public keys."""
    document: dict[str, Any] = yaml.safe_load(registry.read_text(encoding="utf-8"))
    return _enrolled(registry, document, [f"{dept}.{document['region']}" for dept in depts], state)


def enrol_all(registry: Path, state: Path) -> Enrolled:
    """`enrol_depts` for every unit the `registry` file lists (towns included)."""
    document: dict[str, Any] = yaml.safe_load(registry.read_text(encoding="utf-8"))
    return _enrolled(registry, document, [entry["code"] for entry in document["units"]], state)


def _enrolled(registry: Path, document: dict[str, Any], units: list[str], state: Path) -> Enrolled:
    state.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds the units' private keys
    keys = {unit: _unit_key(state / f"{unit}.key") for unit in units}
    listed = {entry["code"]: entry for entry in document["units"]}
    for unit, key in keys.items():
        if unit not in listed:
            msg = f"{unit} is not in the registry {registry}"
            raise ValueError(msg)
        listed[unit]["keys"] = {KEY_ID: dump_public_key(key.public_key())}
    enrolled = state / registry.name
    header = f"# {registry.name} with the public keys of the connectors enrolled on this machine\n"
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    enrolled.write_text(header + body, encoding="utf-8")
    return Enrolled(enrolled, keys)


def _unit_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return load_private_key_raw(path.read_text(encoding="utf-8").strip())
    private_key, _ = generate_keypair()
    path.touch(mode=0o600)
    path.write_text(dump_private_key_raw(private_key) + "\n", encoding="utf-8")
    return private_key
