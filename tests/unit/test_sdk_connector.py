"""The connector's surface without a broker: settings checked at construction, handler
registration rules, backoff arithmetic, and the package's exported names."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import pytest

import connectors.sdk
from connectors.sdk import Backoff, Connector, ConnectorError, DeliveredEvent, NotStarted
from schemas.catalogue import CATALOGUE
from schemas.debtor import DebtorListed
from schemas.signing import generate_keypair
from tests.hubkit import corpus_event, unit_key

TAX = "tax.411121"


def connector(tmp_path: Path, **overrides: Any) -> Connector:
    settings: dict[str, Any] = {
        "bootstrap": "127.0.0.1:9",
        "signing_key": unit_key(TAX),
        "key_id": "k1",
        "hub_keys": {"hub-1": generate_keypair()[1]},
        "state_dir": tmp_path,
    }
    unit = overrides.pop("unit", TAX)
    return Connector(unit, **(settings | overrides))


async def ignore(event: DeliveredEvent[Any]) -> None:
    pass


def test_the_default_group_is_the_units_connector_group(tmp_path: Path) -> None:
    assert connector(tmp_path).group_id == "fy.unit.tax.411121.connector"
    assert connector(tmp_path, group_id="fy.unit.tax.411121.b-2").group_id.endswith(".b-2")


@pytest.mark.parametrize(
    "group_id", ["fy.unit.court.411121.connector", "tax-connector", "fy.unit.tax.411121.A"]
)
def test_a_group_outside_the_units_namespace_is_refused(tmp_path: Path, group_id: str) -> None:
    with pytest.raises(ConnectorError, match="group_id"):
        connector(tmp_path, group_id=group_id)


def test_a_bad_unit_code_or_no_hub_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="unknown dept"):
        connector(tmp_path, unit="bank.411121")
    with pytest.raises(ConnectorError, match="hub's public key"):
        connector(tmp_path, hub_keys={})


def test_handlers_register_by_type_name_or_payload_class(tmp_path: Path) -> None:
    tax = connector(tmp_path)
    tax.handles(DebtorListed)(ignore)
    with pytest.raises(ConnectorError, match="already has a handler"):
        tax.handles("debtor.listed.v1")(ignore)
    with pytest.raises(ConnectorError, match="not in the fyhub v1 catalogue"):
        tax.handles("debtor.listed.v7")
    with pytest.raises(ConnectorError, match="on_receipt"):
        tax.handles("hub.receipt.v1")
    tax.on_receipt(ignore)
    tax.on_rejected(ignore)
    tax.on_overdue(ignore)


async def test_publishing_needs_a_started_connector(tmp_path: Path) -> None:
    listing = CATALOGUE["debtor.listed.v1"].validate_payload(
        corpus_event("debtor.listed.v1")["data"]
    )
    court = connector(tmp_path, unit="court.411121", signing_key=unit_key("court.411121"))
    with pytest.raises(NotStarted):
        await court.publish(listing)
    with pytest.raises(NotStarted):
        await court.flush()


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first_s=0.5, factor=2, max_s=4)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    assert backoff.delay(10_000) == 4
    with pytest.raises(ValueError, match="backoff"):
        Backoff(first_s=2, max_s=1)


def _isort_style(name: str) -> tuple[int, str]:
    if re.fullmatch(r"[A-Z0-9_]+", name):
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


def test_the_package_exports_exactly_its_public_names() -> None:
    public = {
        name
        for name, value in vars(connectors.sdk).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(connectors.sdk.__all__) == public
    assert connectors.sdk.__all__ == sorted(set(connectors.sdk.__all__), key=_isort_style)


def test_every_public_name_has_a_docstring() -> None:
    for name in connectors.sdk.__all__:
        value = getattr(connectors.sdk, name)
        assert value.__doc__, name
    for name, member in vars(Connector).items():
        if not name.startswith("_") and callable(member):
            assert member.__doc__, f"Connector.{name}"
