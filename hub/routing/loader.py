"""Reading the routing table from disk and checking it against the registry and the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from hub.registry import ContractError, Registry, load_registry
from hub.registry.yaml_source import YamlDocument, read_yaml
from hub.routing.check import routing_problems
from hub.routing.table import RoutingTable
from schemas.catalogue import CATALOGUE, field_paths

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Contracts:
    """What the hub loads at start-up to decide who gets what."""

    registry: Registry
    routing: RoutingTable


def read_routing_table(path: Path) -> tuple[RoutingTable, YamlDocument]:
    """The table and its YAML (to place later problems); ContractError with lines if malformed."""
    document = read_yaml(path)
    try:
        return RoutingTable.model_validate(_without_extensions(document.data)), document
    except ValidationError as exc:
        raise ContractError(document.validation_problems(exc)) from exc


def load_contracts_from(registry_path: Path, routing_path: Path) -> Contracts:
    """Registry and routing table, each valid and consistent with the other and the catalogue.

    Raises ContractError listing every problem found, each with its file and line.
    """
    problems = []
    registry = table = document = None
    try:
        registry = load_registry(registry_path)
    except ContractError as exc:
        problems.extend(exc.problems)
    try:
        table, document = read_routing_table(routing_path)
    except ContractError as exc:
        problems.extend(exc.problems)
    if registry is None or table is None or document is None:
        raise ContractError(problems)
    found = routing_problems(table, registry, CATALOGUE, field_paths)
    if found:
        raise ContractError([document.problem(p.message, p.loc) for p in found])
    return Contracts(registry=registry, routing=table)


def _without_extensions(data: object) -> object:
    # Top-level `x-…` keys hold YAML anchors the rules share (as in OpenAPI); they are not rules.
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if not str(key).startswith("x-")}
    return data
