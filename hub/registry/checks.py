"""Cross-checks a registry needs beyond the shape of each entry. Pure: files in, problems out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hub.registry.models import RegistryFile
from hub.registry.problems import Problem
from schemas.units import TOWN_DEPT, unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

OFFICE_DEPT = "justice"
"""The joint-meeting office sits at the justice bureau (舞政文〔2022〕56号 一(三)1)."""

RegistrySource = tuple[Path, RegistryFile]


def registry_problems(sources: Sequence[RegistrySource]) -> list[Problem]:
    return [
        *_unit_problems(sources),
        *_office_problems(sources),
        *_group_problems(sources),
    ]


def _unit_problems(sources: Sequence[RegistrySource]) -> Iterator[Problem]:
    first_seen: dict[str, str] = {}
    for path, registry in sources:
        for index, unit in enumerate(registry.units):
            here = f"{path}: units[{index}]"
            if unit.code in first_seen:
                yield Problem(
                    f"unit code {unit.code} is defined twice (first at {first_seen[unit.code]})",
                    ("units", index, "code"),
                    path,
                )
            first_seen.setdefault(unit.code, here)
            if unit_dept(unit.code) != unit.dept:
                yield Problem(
                    f"dept {unit.dept!r} does not match unit code {unit.code} "
                    f"(its dept is {unit_dept(unit.code)!r})",
                    ("units", index, "dept"),
                    path,
                )
            if not _in_region(unit.dept, unit.region, registry.region):
                yield Problem(
                    f"unit {unit.code} is outside region {registry.region} of this file",
                    ("units", index, "code"),
                    path,
                )


def _in_region(dept: str, unit_region: str, file_region: str) -> bool:
    if dept == TOWN_DEPT:
        return unit_region.startswith(file_region)
    return unit_region == file_region


def _office_problems(sources: Sequence[RegistrySource]) -> Iterator[Problem]:
    offices = [
        (path, index, unit)
        for path, registry in sources
        for index, unit in enumerate(registry.units)
        if unit.office
    ]
    if not offices:
        path = sources[0][0] if sources else None
        yield Problem(
            f"no unit is marked `office: true`; exactly one ({OFFICE_DEPT}) must be the "
            "joint-meeting office",
            ("units",),
            path,
        )
    for path, index, unit in offices[1:]:
        yield Problem(
            f"{unit.code} is a second joint-meeting office (first: {offices[0][2].code}); "
            "exactly one unit may be `office: true`",
            ("units", index, "office"),
            path,
        )
    for path, index, unit in offices[:1]:
        if unit.dept != OFFICE_DEPT:
            yield Problem(
                f"the joint-meeting office must be the {OFFICE_DEPT} bureau, not {unit.code}",
                ("units", index, "office"),
                path,
            )


def _group_problems(sources: Sequence[RegistrySource]) -> Iterator[Problem]:
    codes = {unit.code for _, registry in sources for unit in registry.units}
    defined_in: dict[str, Path] = {}
    for path, registry in sources:
        for name, group in registry.groups.items():
            if name in defined_in:
                yield Problem(
                    f"group {name} is also defined in {defined_in[name]}", ("groups", name), path
                )
            defined_in.setdefault(name, path)
            seen: set[str] = set()
            for index, member in enumerate(group.members):
                loc = ("groups", name, "members", index)
                if member not in codes:
                    yield Problem(f"group {name} names {member}, which is not a unit", loc, path)
                if member in seen:
                    yield Problem(f"group {name} lists {member} twice", loc, path)
                seen.add(member)
