"""`fyhub units check`, `fyhub routes check`, `fyhub routes show TYPE`: the contracts the hub loads
at start-up, checked and explained without starting anything.

A check prints one line per problem (`file:line: field: message`) on stderr and exits with 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hub.bootstrap import load_contracts, load_settings
from hub.registry import ContractError, load_registry
from hub.routing.explain import describe
from schemas.catalogue import CATALOGUE, field_paths

if TYPE_CHECKING:
    from hub.routing.loader import Contracts
    from hub.settings import Settings

UNKNOWN_TYPE_EXIT = 2

units_app = typer.Typer(help="The unit registry (deploy/units/*.yaml).", no_args_is_help=True)
routes_app = typer.Typer(help="The routing table (deploy/routing.yaml).", no_args_is_help=True)

RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Registry file or directory (default: settings.registry)."),
]
RoutingOption = Annotated[
    Path | None,
    typer.Option("--routing", help="Routing table file (default: settings.routing)."),
]


@units_app.command("check")
def check_units(registry: RegistryOption = None) -> None:
    """Validate the unit registry: shapes, unique codes, one joint-meeting office, groups."""
    settings = _settings(registry, None)
    try:
        units = load_registry(settings.registry)
    except ContractError as exc:
        _fail(exc)
    towns = len(units.units_of_dept("town"))
    print(
        f"{settings.registry}: {len(units.units)} units ({towns} towns), "
        f"{len(units.groups)} groups, joint-meeting office {units.office.code}: OK"
    )


@routes_app.command("check")
def check_routes(registry: RegistryOption = None, routing: RoutingOption = None) -> None:
    """Validate the routing table against the registry and the event catalogue."""
    settings = _settings(registry, routing)
    contracts = _contracts(settings)
    print(
        f"{settings.routing}: {len(contracts.routing.types)} types routed among "
        f"{len(contracts.registry.units)} units of {settings.registry}: OK"
    )


@routes_app.command("show")
def show_route(
    event_type: Annotated[str, typer.Argument(help="A catalogue type, e.g. debtor.listed.v1.")],
    registry: RegistryOption = None,
    routing: RoutingOption = None,
) -> None:
    """Who receives EVENT_TYPE, which fields each unit gets, why, and who gets ID numbers."""
    contracts = _contracts(_settings(registry, routing))
    route = contracts.routing.route(event_type)
    entry = CATALOGUE.get(event_type)
    if route is None or entry is None:
        print(f"{event_type} is not a routed catalogue type; known types:", file=sys.stderr)
        print("\n".join(f"  {name}" for name in sorted(contracts.routing.types)), file=sys.stderr)
        raise typer.Exit(UNKNOWN_TYPE_EXIT)
    purposes = ", ".join(sorted(entry.purposes))
    identifiers = sorted(p for p in field_paths(entry.payload) if p.rpartition(".")[2] == "id_no")
    lines = list(
        describe(event_type, contracts.routing.types[event_type], contracts.registry, identifiers)
    )
    lines.insert(
        1, f"  personal data: {'yes' if entry.personal_data else 'no'}; purpose: {purposes}"
    )
    print("\n".join(lines))


def _settings(registry: Path | None, routing: Path | None) -> Settings:
    overrides = {"registry": registry, "routing": routing}
    return load_settings(**{key: value for key, value in overrides.items() if value is not None})


def _contracts(settings: Settings) -> Contracts:
    try:
        return load_contracts(settings)
    except ContractError as exc:
        _fail(exc)


def _fail(error: ContractError) -> NoReturn:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{len(error.problems)} problem(s)", file=sys.stderr)
    raise typer.Exit(1)
