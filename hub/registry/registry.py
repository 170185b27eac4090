"""The merged, checked registry the hub works with: look up units, groups, depts and keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from hub.registry.checks import registry_problems
from hub.registry.problems import ContractError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from hub.registry.models import RegistryFile, Unit


@dataclass(frozen=True)
class Registry:
    units: Mapping[str, Unit]
    groups: Mapping[str, frozenset[str]]

    @classmethod
    def from_files(cls, files: Sequence[RegistryFile]) -> Registry:
        """Merge already-parsed files; raises ContractError when the cross-checks fail."""
        problems = registry_problems([(Path(f"<registry {i}>"), f) for i, f in enumerate(files)])
        if problems:
            raise ContractError(problems)
        return cls.merge(files)

    @classmethod
    def merge(cls, files: Sequence[RegistryFile]) -> Registry:
        """Merge files whose cross-checks have passed."""
        units = {unit.code: unit for registry in files for unit in registry.units}
        groups = {
            name: frozenset(group.members)
            for registry in files
            for name, group in registry.groups.items()
        }
        return cls(units=MappingProxyType(units), groups=MappingProxyType(groups))

    def unit(self, code: str) -> Unit | None:
        return self.units.get(code)

    def members(self, group: str) -> frozenset[str]:
        return self.groups.get(group, frozenset())

    def units_of_dept(self, dept: str) -> tuple[str, ...]:
        return tuple(sorted(code for code, unit in self.units.items() if unit.dept == dept))

    @property
    def depts(self) -> frozenset[str]:
        return frozenset(unit.dept for unit in self.units.values())

    @property
    def office(self) -> Unit:
        """The joint-meeting office; the cross-checks guarantee there is exactly one."""
        return next(unit for unit in self.units.values() if unit.office)

    def groups_of(self, code: str) -> tuple[str, ...]:
        return tuple(sorted(name for name, members in self.groups.items() if code in members))

    def public_key(self, code: str, key_id: str) -> str | None:
        unit = self.units.get(code)
        keys = unit.signing_keys if unit is not None else ()
        return next((key.public for key in keys if key.key_id == key_id), None)
