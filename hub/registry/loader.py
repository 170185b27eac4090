"""Reading the registry from disk: the only I/O of the package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from hub.registry.checks import RegistrySource, registry_problems
from hub.registry.models import RegistryFile
from hub.registry.problems import ContractError, Problem
from hub.registry.registry import Registry
from hub.registry.yaml_source import YamlDocument, read_yaml

if TYPE_CHECKING:
    from pathlib import Path


def registry_files(path: Path) -> list[Path]:
    """A registry is one YAML file, or a directory whose `*.yaml` files are merged."""
    if path.is_dir():
        return sorted(path.glob("*.yaml"))
    return [path]


def load_registry(path: Path) -> Registry:
    """Read, validate and cross-check; a ContractError lists every problem with file and line."""
    files = registry_files(path)
    if not files:
        raise ContractError([Problem("no *.yaml unit files here", file=path)])
    documents: dict[Path, YamlDocument] = {}
    sources: list[RegistrySource] = []
    problems: list[Problem] = []
    for file in files:
        try:
            document = read_yaml(file)
        except ContractError as exc:
            problems.extend(exc.problems)
            continue
        try:
            sources.append((file, RegistryFile.model_validate(document.data)))
        except ValidationError as exc:
            problems.extend(document.validation_problems(exc))
        documents[file] = document
    if not problems:
        problems = [_with_line(p, documents) for p in registry_problems(sources)]
    if problems:
        raise ContractError(problems)
    return Registry.merge([registry for _, registry in sources])


def _with_line(problem: Problem, documents: dict[Path, YamlDocument]) -> Problem:
    document = documents.get(problem.file) if problem.file is not None else None
    return document.problem(problem.message, problem.loc) if document is not None else problem
