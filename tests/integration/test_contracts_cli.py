"""`fyhub units check`, `fyhub routes check` and `fyhub routes show` on the shipped contracts and on
broken copies: each mistake is named with its file and line, and the command fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hub.cli.main import app

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"
ROUTING = REPO / "deploy/routing.yaml"
SMALL = REPO / "tests/fixtures/units-small.yaml"


def fyhub(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FYHUB), *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def broken_routing(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = ROUTING.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "routing.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, path.read_text(encoding="utf-8")


# --- the shipped files, through the installed `fyhub` command -----------------------------------


def test_units_check_passes_on_the_shipped_registry() -> None:
    result = fyhub("units", "check")
    assert result.returncode == 0, result.stderr
    assert "40 units (14 towns)" in result.stdout
    assert "joint-meeting office justice.411121: OK" in result.stdout


def test_routes_check_passes_on_the_shipped_table_and_both_registries() -> None:
    result = fyhub("routes", "check")
    assert result.returncode == 0, result.stderr
    # The count comes from the table itself, so adding a family does not break this test.
    routed = len(yaml.safe_load(ROUTING.read_text(encoding="utf-8"))["types"])
    assert f"{routed} types routed among 40 units" in result.stdout
    small = fyhub("routes", "check", "--registry", str(SMALL))
    assert small.returncode == 0, small.stderr


def test_routes_show_names_the_units_that_receive_the_debtors_id_number() -> None:
    result = fyhub("routes", "show", "debtor.listed.v1")
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("Receives debtor.id_no (11):\n", 1)[1]
    receiving, withheld = section.split("Does not receive debtor.id_no (8):\n")
    for unit in (
        "tax.411121 国家税务总局舞阳县税务局",
        "samr.411121",
        "pboc.411121 中国人民银行舞阳县支行",
    ):
        assert unit in receiving
    for unit in ("miit.411121", "justice.411121", "eco.411121 漯河市生态环境局舞阳分局"):
        assert unit in withheld
        assert unit not in receiving
    assert "why:" in result.stdout
    assert "发改财金〔2016〕141号" in result.stdout


def test_a_broken_table_fails_the_real_command(tmp_path: Path) -> None:
    path, _ = broken_routing(
        tmp_path,
        "      groups: [bankruptcy_linkage]\n    projection:\n      tax:",
        "      groups: [bankruptcy_linkag]\n    projection:\n      tax:",
    )
    result = fyhub("routes", "check", "--routing", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "unknown group bankruptcy_linkag" in result.stderr


# --- broken copies, each mistake with its file and line -------------------------------------------


def test_unknown_group(tmp_path: Path) -> None:
    path, text = broken_routing(
        tmp_path,
        "groups: [joint_punishment]\n    projection:\n      tax:\n        fields: *listing_by_id",
        "groups: [joint_punishmnet]\n    projection:\n      tax:\n        fields: *listing_by_id",
    )
    code, _, err = invoke("routes", "check", "--routing", str(path))
    assert code == 1
    assert (
        f"{path}:{line_of(text, 'joint_punishmnet')}: types.debtor.listed.v1.recipients.groups.0: "
        "unknown group joint_punishmnet"
    ) in err


def test_unknown_field_in_a_projection(tmp_path: Path) -> None:
    path, text = broken_routing(
        tmp_path,
        "debtor.legal_rep, conduct, listed_on, period_end, duty, performance, performed]",
        "debtor.legal_rep, conduct, listed_on, period_end, duty, performance, performed,\n"
        "                 debtor.passport_no]",
    )
    code, _, err = invoke("routes", "check", "--routing", str(path))
    assert code == 1
    assert (
        f"{path}:{line_of(text, 'debtor.passport_no')}: "
        "types.debtor.listed.v1.projection.pboc.fields.14: "
        "unknown field debtor.passport_no of DebtorListed"
    ) in err


def test_a_type_with_no_publisher(tmp_path: Path) -> None:
    path, text = broken_routing(
        tmp_path,
        "  bankruptcy.declared.v1:\n    publishers: [court]\n",
        "  bankruptcy.declared.v1:\n",
    )
    code, _, err = invoke("routes", "check", "--routing", str(path))
    assert code == 1
    rule_line = line_of(text, "  bankruptcy.declared.v1:") + 1
    assert (
        f"{path}:{rule_line}: types.bankruptcy.declared.v1.publishers: "
        "bankruptcy.declared.v1 has no publisher: nobody may send it"
    ) in err


def test_a_recipient_dept_not_in_the_registry(tmp_path: Path) -> None:
    path, text = broken_routing(
        tmp_path,
        "  admincase.judged.v1:\n    publishers: [court]\n    recipients:\n"
        "      to: {groups: [admin_litigation_defendants], max: 1}\n      depts: [justice]",
        "  admincase.judged.v1:\n    publishers: [court]\n    recipients:\n"
        "      to: {groups: [admin_litigation_defendants], max: 1}\n      depts: [justice, water]",
    )
    code, _, err = invoke("routes", "check", "--routing", str(path), "--registry", str(SMALL))
    assert code == 1
    assert (
        f"{path}:{line_of(text, 'depts: [justice, water]')}: "
        "types.admincase.judged.v1.recipients.depts.1: recipient dept water has no unit in the "
        "registry, so admincase.judged.v1 would reach nobody there"
    ) in err


def test_a_malformed_rule_is_reported_at_its_line(tmp_path: Path) -> None:
    path, text = broken_routing(
        tmp_path,
        "      deadline: {calendar_days: 10}",
        "      deadline: {calendar_days: 10, months: 1}",
    )
    code, _, err = invoke("routes", "check", "--routing", str(path))
    assert code == 1
    assert (
        f"{path}:{line_of(text, 'calendar_days: 10, months: 1')}: "
        "types.bankruptcy.terminated.v1.reply.deadline: "
    ) in err
    assert "give at most one of working_days, calendar_days, months" in err


def test_a_units_file_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace('"0395-7235325"', '"7235325"')
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = invoke("units", "check", "--registry", str(path))
    assert code == 1
    assert f"{path}:{line_of(text, '7235325')}: units.2.liaisons.0.phone: " in err
    assert "1 problem(s)" in err


def test_routes_check_reports_registry_problems_too(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace("    office: true\n", "")
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = invoke("routes", "check", "--registry", str(path))
    assert code == 1
    assert "no unit is marked `office: true`" in err


def test_routes_show_refuses_an_unknown_type() -> None:
    code, _, err = invoke("routes", "show", "debtor.listed.v9")
    assert code == 2
    assert "debtor.listed.v9 is not a routed catalogue type" in err
    assert "  debtor.listed.v1" in err


@pytest.mark.parametrize(
    ("event_type", "receiving"),
    [
        ("enforcement.query.requested.v1", "Receives subjects.id_no (10):"),
        ("admincase.filed.v1", "Receives plaintiff.id_no (39):"),
    ],
)
def test_routes_show_counts_who_receives_other_id_numbers(event_type: str, receiving: str) -> None:
    code, out, err = invoke("routes", "show", event_type)
    assert code == 0, err
    assert receiving in out
