"""Test helpers shared by unit and integration tests: the test registry, its units' keys, corpus
events, a registry copy under a fresh region so each test run gets its own topics, and the hub
settings that reach a broker as a given `KafkaAccess`."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.router.context import RouterContext
from hub.router.freshness import FreshnessWindow
from hub.routing.deadlines import DeadlinePolicy
from hub.routing.loader import load_contracts_from
from schemas.signing import generate_keypair, sign_event
from tests.calendars import shipped_calendar

if TYPE_CHECKING:
    from connectors.sdk import KafkaSecurity
    from hub.kafka.access import KafkaAccess

ROOT = Path(__file__).resolve().parent.parent
TEST_REGISTRY = ROOT / "tests/fixtures/units-small.yaml"
ROUTING_TABLE = ROOT / "deploy/routing.yaml"
CORPUS = ROOT / "tests/fixtures/corpus"
TEST_REGION = "411121"
TOKEN_SECRET = b"fyhub test delivery-token secret"
AGELESS_S = 100 * 365 * 86_400.0
"""`router.max_age_s` of the tests that are not about freshness: the corpus events carry fixed
times, months before the tests run (the parser still refuses a `time` 100 years old)."""
AGELESS = FreshnessWindow(max_age=timedelta(seconds=AGELESS_S), max_ahead=timedelta(days=1))
"""The freshness window of the unit tests' router contexts: as wide as the parser's."""


def unit_key(code: str) -> Ed25519PrivateKey:
    """The private key of a test-registry unit (see the comment at the top of the registry)."""
    base = code.replace(code.split(".", 1)[1][:6], TEST_REGION, 1)
    seed = hashlib.sha256(b"fyhub test key " + base.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def corpus_event(event_type: str, sample: str = "valid-basic") -> dict[str, Any]:
    event: dict[str, Any] = json.loads((CORPUS / event_type / f"{sample}.json").read_text())
    return event


def fresh_id(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "id": str(uuid.uuid4())}


def signed_by(event: dict[str, Any], unit: str) -> dict[str, Any]:
    unsigned = {name: value for name, value in event.items() if name not in ("sig", "sigkey")}
    return sign_event(unsigned, unit_key(unit), "k1")


def as_region(event: dict[str, Any], region: str) -> dict[str, Any]:
    """The event addressed between the units of `region` instead of the test region."""
    moved = dict(event)
    for attribute in ("source", "to"):
        if attribute in moved:
            moved[attribute] = moved[attribute].replace(TEST_REGION, region)
    return moved


def registry_in_region(directory: Path, region: str, source: Path = TEST_REGISTRY) -> Path:
    """A copy of the test registry (or of `source`, another registry of region 411121) whose
    unit codes (and so topics) are in `region`."""
    text = source.read_text(encoding="utf-8")
    path = directory / f"units-{region}.yaml"
    path.write_text(text.replace(TEST_REGION, region), encoding="utf-8")
    return path


_DRAWN_REGIONS: set[str] = set()


def random_region() -> str:
    """A 6-digit code outside the real 41xxxx range of the test data, never the same twice in a
    session: tests share the session's broker, and two hubs on one region's topics (a few hundred
    draws of 100,000 collide about every other run) would read each other's records."""
    while True:
        region = str(random.randint(700000, 799999))
        if region not in _DRAWN_REGIONS:
            _DRAWN_REGIONS.add(region)
            return region


def router_context(registry: Path = TEST_REGISTRY, **overrides: Any) -> RouterContext:
    contracts = load_contracts_from(registry, ROUTING_TABLE)
    hub_key, _ = generate_keypair()
    settings: dict[str, Any] = {
        "registry": contracts.registry,
        "table": contracts.routing,
        "hub_key": hub_key,
        "hub_key_id": "hub-test",
        "token_secret": TOKEN_SECRET,
        "deadlines": DeadlinePolicy(),
        "calendar": shipped_calendar(),
        "freshness": AGELESS,
    }
    return RouterContext(**(settings | overrides))


def kafka_overrides(access: KafkaAccess, **more: Any) -> dict[str, Any]:
    """`load_settings(kafka=...)`'s value for a hub that reaches the brokers as `access` (its
    bootstrap, protocol, principal and CA), with `more` kafka settings."""
    values: dict[str, Any] = {
        "bootstrap": access.bootstrap,
        "security_protocol": access.protocol,
        "username": access.username,
        "password": access.password,
        "password_file": None,
        "ca_file": access.ca_file,
    }
    return values | more


def kafka_env(access: KafkaAccess) -> dict[str, str]:
    """The same as `FYHUB_KAFKA__*` variables, for a hub process the test starts."""
    names = {"bootstrap", "security_protocol", "username", "password", "ca_file"}
    return {
        f"FYHUB_KAFKA__{name.upper()}": str(value)
        for name, value in kafka_overrides(access).items()
        if name in names and value is not None
    }


def sdk_security(access: KafkaAccess) -> KafkaSecurity:
    """The connector SDK's `KafkaSecurity` for a test connector reaching the brokers as `access`."""
    from connectors.sdk import KafkaSecurity  # noqa: PLC0415

    return KafkaSecurity(access.protocol, access.username, access.password, access.ca_file)
