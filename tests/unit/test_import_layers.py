"""The import contracts of pyproject.toml (`make lint` runs them) break when they should.

The contracts are copied from the project's own pyproject.toml into a small project of the same
three top-level packages, once clean and once with one forbidden import or one cycle each, and
checked with the real `lint-imports`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> dict[str, object]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return project["tool"]["importlinter"]


def modules_named() -> set[str]:
    """The project's modules the contracts name (not the libraries, such as sqlalchemy)."""
    roots = tuple(contracts()["root_packages"])  # type: ignore[arg-type]
    named = set()
    for contract in contracts()["contracts"]:  # type: ignore[attr-defined]
        for key in ("source_modules", "forbidden_modules", "ancestors"):
            named.update(contract.get(key, []))
    return {name for name in named if name.split(".")[0] in roots}


def toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace('"', '\\"') + '"'


def write_config(root: Path) -> None:
    config = contracts()
    lines = ["[tool.importlinter]", f"root_packages = {toml_value(config['root_packages'])}"]
    if config.get("include_external_packages"):
        lines.append("include_external_packages = true")
    for contract in config["contracts"]:  # type: ignore[attr-defined]
        lines.append("[[tool.importlinter.contracts]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in contract.items())
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")


def make_project(root: Path, extra_imports: dict[str, str]) -> Path:
    """Every module the contracts name (as an empty package), plus `extra_imports`: a module's
    dotted name → the source it holds."""
    for name in modules_named() | {"connectors.sdk", "hub.cli"}:
        package = root.joinpath(*name.split("."))
        package.mkdir(parents=True, exist_ok=True)
        for level in range(len(name.split("."))):
            root.joinpath(*name.split(".")[: level + 1], "__init__.py").touch()
    for name, source in extra_imports.items():
        *parents, leaf = name.split(".")
        root.joinpath(*parents).mkdir(parents=True, exist_ok=True)
        root.joinpath(*parents, f"{leaf}.py").write_text(source)
    write_config(root)
    return root


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_project_itself_keeps_every_contract() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_a_clean_project_keeps_every_contract(tmp_path: Path) -> None:
    clean = {
        "connectors.sdk.client": "import schemas\n",
        # The services may read the store; observability is handed what they found.
        "hub.auditor.apply": "import sqlalchemy\nimport hub.store\nimport hub.observability\n",
    }
    root = make_project(tmp_path, clean)
    result = lint(root)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("imports", "broken"),
    [
        (
            {"connectors.sdk.client": "import hub.store\n"},
            "connectors build on schemas and the SDK only, never on the hub BROKEN",
        ),
        (
            {"schemas.envelope": "import connectors.sdk\n"},
            "schemas is the published language: it imports nothing of the project BROKEN",
        ),
        (
            {"hub.router.service": "import hub.devkit\n"},
            "the product never imports what only a developer's machine runs (hub.devkit) BROKEN",
        ),
        (
            {"hub.observability.metrics": "from hub.store import tables\n"},
            "observability is handed facts: it never imports hub.store or sqlalchemy BROKEN",
        ),
        (
            {"hub.observability.health": "from sqlalchemy import text\n"},
            "observability is handed facts: it never imports hub.store or sqlalchemy BROKEN",
        ),
        (
            # Indirectly: through another package's module that reads the store.
            {
                "hub.observability.answers": "import hub.deliveries.rows\n",
                "hub.deliveries.rows": "import sqlalchemy.orm\n",
            },
            "observability is handed facts: it never imports hub.store or sqlalchemy BROKEN",
        ),
        (
            {
                "hub.router.service": "import hub.auditor\n",
                "hub.auditor.apply": "import hub.router\n",
            },
            "no package cycles among the folders of hub, schemas and connectors BROKEN",
        ),
    ],
)
def test_a_forbidden_import_or_a_cycle_breaks_make_lint(
    tmp_path: Path, imports: dict[str, str], broken: str
) -> None:
    result = lint(make_project(tmp_path, imports))
    assert result.returncode != 0
    assert broken in result.stdout
