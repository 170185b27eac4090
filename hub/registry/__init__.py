"""The unit registry: who the member units are, how to reach them, and the groups routing uses."""

from hub.registry.loader import load_registry
from hub.registry.models import Group, Liaison, RegistryFile, Unit
from hub.registry.problems import ContractError, Problem
from hub.registry.registry import Registry

__all__ = [
    "ContractError",
    "Group",
    "Liaison",
    "Problem",
    "Registry",
    "RegistryFile",
    "Unit",
    "load_registry",
]
