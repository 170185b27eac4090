"""YAML read with its node tree kept, so that any problem found later can be pinned to a line.

pydantic reports where a value failed as a location tuple (`("units", 3, "liaisons", 0, "phone")`);
`YamlDocument.line_of` walks the same path through the composed YAML nodes to the line of that
value. YAML itself accepts a repeated mapping key and keeps the last value silently; in a registry
that would hide a unit, so a repeated key is reported as a problem here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from hub.registry.problems import ContractError, Loc, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import ValidationError


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Loc) -> int | None:
        """1-based line of the deepest node along `loc` that exists in the document."""
        node = self.root
        if node is None:
            return None
        for part in loc:
            node = _step(node, part) or node
        return node.start_mark.line + 1

    def problem(self, message: str, loc: Loc = ()) -> Problem:
        return Problem(message=message, loc=loc, file=self.path, line=self.line_of(loc))

    def validation_problems(self, error: ValidationError) -> list[Problem]:
        return [self.problem(_describe(detail), _clean(detail["loc"])) for detail in error.errors()]


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file; raises ContractError (with line) on syntax errors and repeated keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError([Problem(f"cannot read: {exc.strerror}", file=path)]) from exc
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        repeated = _repeated_keys(root) if root is not None else []
        if repeated:
            raise ContractError(
                [
                    Problem(
                        f"key {key.value!r} appears twice", file=path, line=key.start_mark.line + 1
                    )
                    for key in repeated
                ]
            )
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise ContractError(
            [Problem(f"not valid YAML: {exc.problem}", file=path, line=line)]
        ) from exc
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, root=root)


def _step(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value  # type: ignore[no-any-return]
        return None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _repeated_keys(node: yaml.Node) -> list[yaml.Node]:
    found: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                found.append(key)
            seen.add(str(key.value))
            found.extend(_repeated_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(_repeated_keys(item))
    return found


def _clean(loc: tuple[str | int, ...]) -> Loc:
    # pydantic marks a failing dict key with "[key]" and union branches with their type names;
    # neither is a place in the file.
    return tuple(part for part in loc if part != "[key]" and not _is_union_tag(part))


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and any(mark in part for mark in "[]'\"")


def _describe(detail: Any) -> str:
    message = str(detail["msg"])
    if detail["type"] in {"missing", "extra_forbidden"}:
        return message
    return f"{message} (got {detail['input']!r})"
