"""`fyhub doctor` with a registry it cannot load: it says so, points at the checks that name
each problem, and exits 1 without asking the brokers anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.testing import CliRunner

from hub.cli.main import app

if TYPE_CHECKING:
    from pathlib import Path


def test_a_registry_that_cannot_be_read_fails_the_doctor_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "units.yaml"

    result = CliRunner().invoke(app, ["doctor"], env={"FYHUB_REGISTRY": str(missing)})

    assert result.exit_code == 1, result.output
    assert "FAIL registry" in result.output
    assert f"{missing}: cannot read" in result.output
    assert "`fyhub units check`" in result.output
    assert "brokers" not in result.output
