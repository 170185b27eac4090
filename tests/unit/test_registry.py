"""The unit registry: the shipped county file, the test file, and every problem a file can have."""

from __future__ import annotations

import base64
import hashlib
import textwrap
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.registry import ContractError, Registry, RegistryFile, load_registry

ROOT = Path(__file__).resolve().parents[2]
WUYANG = ROOT / "deploy/units/wuyang-411121.yaml"
SMALL = ROOT / "tests/fixtures/units-small.yaml"

BASE = textwrap.dedent(
    """\
    region: "411121"
    name: 舞阳县常态化府院联动工作机制
    units:
      - code: court.411121
        name: 舞阳县人民法院
        dept: court
        liaisons:
          - {name: 王建军, post: 执行局副局长, phone: "0395-7211301", since: 2022-11-01}
      - code: justice.411121
        name: 舞阳县司法局
        dept: justice
        office: true
        liaisons:
          - {name: 李红梅, post: 联席会议办公室副主任, phone: "0395-7212302", since: 2022-11-01}
      - code: tax.411121
        name: 国家税务总局舞阳县税务局
        dept: tax
        liaisons:
          - {name: 许文, post: 法制股股长, phone: "0395-7235325", since: 2022-11-15}
    groups:
      joint_punishment:
        description: 失信被执行人联合惩戒实施单位
        members: [tax.411121, justice.411121]
    """
)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `fragment`."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    return hits[occurrence - 1]


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        load_registry(path)
    return [str(problem) for problem in caught.value.problems]


def test_the_base_text_is_a_valid_registry(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(BASE, encoding="utf-8")
    registry = load_registry(path)
    assert sorted(registry.units) == ["court.411121", "justice.411121", "tax.411121"]
    assert registry.members("joint_punishment") == {"tax.411121", "justice.411121"}


# --- the shipped registry of 舞阳县 ---------------------------------------------------------------


@pytest.fixture(scope="module")
def wuyang() -> Registry:
    return load_registry(WUYANG)


def test_wuyang_has_every_member_of_the_notice(wuyang: Registry) -> None:
    # 舞政文〔2022〕56号 一(二): 24 member departments, plus the court and public security
    departments = {unit.dept for unit in wuyang.units.values()} - {"town"}
    assert len(departments) == 26
    assert wuyang.unit("eco.411121").name == "漯河市生态环境局舞阳分局"  # type: ignore[union-attr]
    assert wuyang.unit("pboc.411121").name == "中国人民银行舞阳县支行"  # type: ignore[union-attr]
    assert wuyang.unit("court.411121").name == "舞阳县人民法院"  # type: ignore[union-attr]


def test_wuyang_office_is_the_justice_bureau(wuyang: Registry) -> None:
    assert wuyang.office.code == "justice.411121"


def test_wuyang_towns_use_nine_digit_codes_of_the_county(wuyang: Registry) -> None:
    towns = wuyang.units_of_dept("town")
    assert len(towns) == 14
    assert all(len(wuyang.units[code].region) == 9 for code in towns)
    assert all(wuyang.units[code].region.startswith("411121") for code in towns)


def test_wuyang_groups(wuyang: Registry) -> None:
    assert {"tax.411121", "samr.411121", "pboc.411121"} <= wuyang.members("joint_punishment")
    assert "court.411121" not in wuyang.members("joint_punishment")
    assert "tax.411121" in wuyang.members("bankruptcy_linkage")
    assert wuyang.members("all_members") == frozenset(wuyang.units)
    assert "court.411121" not in wuyang.members("admin_litigation_defendants")
    assert wuyang.groups_of("court.411121") == ("all_members",)


def test_every_wuyang_unit_has_a_liaison_officer(wuyang: Registry) -> None:
    assert all(unit.liaisons for unit in wuyang.units.values())


# --- the test registry ------------------------------------------------------------------------


def test_small_registry_keys_are_the_derived_test_keys() -> None:
    registry = load_registry(SMALL)
    assert sorted(unit.dept for unit in registry.units.values()) == sorted(
        [
            "court",
            "justice",
            "tax",
            "samr",
            "nr",
            "police",
            "pboc",
            "town",
            "hrss",
            "medins",
            "petition",
        ]
    )
    for code, unit in registry.units.items():
        seed = hashlib.sha256(b"fyhub test key " + code.encode()).digest()
        signature = Ed25519PrivateKey.from_private_bytes(seed).sign(b"probe")
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        public.verify(signature, b"probe")
        raw = public.public_bytes_raw()
        assert registry.public_key(code, "k1") == base64.b64encode(raw).decode()
        assert unit.region == code.partition(".")[2]


# --- problems, each with file and line -----------------------------------------------------------


def test_bad_phone_is_reported_at_its_line(tmp_path: Path) -> None:
    text = BASE.replace('"0395-7235325"', '"7235325"')
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'units.yaml'}:{line_of(text, '7235325')}: ")
    assert "units.2.liaisons.0.phone" in problem
    assert "0395-6123456" in problem


def test_missing_field_is_reported_at_the_unit(tmp_path: Path) -> None:
    text = BASE.replace("    name: 国家税务总局舞阳县税务局\n", "")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'code: tax.411121')}: units.2.name: Field required" in problem


def test_unknown_dept_is_reported(tmp_path: Path) -> None:
    text = BASE.replace("dept: tax", "dept: taxes")
    problems = problems_of(tmp_path, text)
    assert any(f":{line_of(text, 'dept: taxes')}: units.2.dept" in p for p in problems)
    assert any("unknown dept 'taxes'" in p for p in problems)


def test_dept_must_match_the_code(tmp_path: Path) -> None:
    text = BASE.replace("dept: tax", "dept: samr")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'dept: samr')}: units.2.dept:" in problem
    assert "does not match unit code tax.411121" in problem


def test_unit_codes_are_unique(tmp_path: Path) -> None:
    text = (
        BASE.replace("code: tax.411121", "code: court.411121")
        .replace("dept: tax", "dept: court")
        .replace("[tax.411121, justice.411121]", "[justice.411121]")
    )
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'code: court.411121', 2)}: " in problem
    assert "court.411121 is defined twice" in problem


def test_a_second_office_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("    dept: tax\n", "    dept: tax\n    office: true\n")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'office: true', 2)}: " in problem
    assert "second joint-meeting office" in problem


def test_no_office_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("    office: true\n", "")
    [problem] = problems_of(tmp_path, text)
    assert "no unit is marked `office: true`" in problem


def test_the_office_must_be_the_justice_bureau(tmp_path: Path) -> None:
    text = BASE.replace("    office: true\n", "").replace(
        "    dept: tax\n", "    dept: tax\n    office: true\n"
    )
    [problem] = problems_of(tmp_path, text)
    assert "must be the justice bureau, not tax.411121" in problem


def test_groups_name_only_registered_units(tmp_path: Path) -> None:
    text = BASE.replace("members: [tax.411121, justice.411121]", "members:\n      - samr.411121")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, '- samr.411121')}: groups.joint_punishment.members.0:" in problem
    assert "names samr.411121, which is not a unit" in problem


def test_a_town_outside_the_county_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("code: tax.411121", "code: town.411122100").replace(
        "dept: tax", "dept: town"
    )
    text = text.replace("[tax.411121, justice.411121]", "[justice.411121]")
    [problem] = problems_of(tmp_path, text)
    assert "outside region 411121" in problem


def test_a_key_must_be_a_32_byte_ed25519_public_key(tmp_path: Path) -> None:
    short = base64.b64encode(b"x" * 16).decode()
    text = BASE.replace("    dept: tax\n", f"    dept: tax\n    keys:\n      k1: {short}\n")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, short)}: units.2.keys.k1:" in problem
    assert "has 16" in problem


def test_a_repeated_yaml_key_is_refused_not_silently_dropped(tmp_path: Path) -> None:
    text = BASE.replace("    dept: tax\n", "    dept: tax\n    dept: tax\n")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'dept: tax', 2)}: key 'dept' appears twice" in problem


def test_yaml_syntax_errors_carry_the_line(tmp_path: Path) -> None:
    text = BASE.replace("dept: tax", "dept: [tax")
    [problem] = problems_of(tmp_path, text)
    assert str(tmp_path / "units.yaml") in problem
    assert "not valid YAML" in problem


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace('"0395-7235325"', '"7235325"').replace('"0395-7211301"', '"1"')
    assert len(problems_of(tmp_path, text)) == 2


def test_a_directory_merges_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    town = textwrap.dedent(
        """\
        region: "411121"
        name: 舞阳县乡镇
        units:
          - code: town.411121100
            name: 舞阳县舞泉镇人民政府
            dept: town
            liaisons:
              - {name: 冯雪, post: 党政办主任, phone: "0395-7240400", since: 2022-11-20}
        groups:
          towns:
            description: 乡镇
            members: [town.411121100, court.411121]
        """
    )
    (tmp_path / "b.yaml").write_text(town, encoding="utf-8")
    registry = load_registry(tmp_path)
    assert len(registry.units) == 4
    assert registry.members("towns") == {"town.411121100", "court.411121"}


def test_registry_from_models_runs_the_same_checks() -> None:
    data = yaml.safe_load(BASE.replace("    office: true\n", ""))
    with pytest.raises(ContractError, match="no unit is marked"):
        Registry.from_files([RegistryFile.model_validate(data)])


def test_keys_are_listed_with_their_validity_or_by_id_as_before(tmp_path: Path) -> None:
    first = base64.b64encode(b"a" * 32).decode()
    second = base64.b64encode(b"b" * 32).decode()
    listed = (
        "    keys:\n"
        f"      - {{key_id: k1, public: {first}, until: 2027-01-01T00:00:00+08:00}}\n"
        f"      - {{key_id: k2, public: {second}, since: 2026-12-01T00:00:00+08:00}}\n"
    )
    text = BASE.replace("    dept: tax\n", "    dept: tax\n" + listed)
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    tax = load_registry(path).unit("tax.411121")
    assert tax is not None
    assert [(k.key_id, k.since is None, k.until is None) for k in tax.signing_keys] == [
        ("k1", True, False),
        ("k2", False, True),
    ]
    assert load_registry(path).public_key("tax.411121", "k2") == second


def test_a_key_id_listed_twice_is_refused(tmp_path: Path) -> None:
    key = base64.b64encode(b"a" * 32).decode()
    listed = (
        f"    keys:\n      - {{key_id: k1, public: {key}}}\n      - {{key_id: k1, public: {key}}}\n"
    )
    [problem] = problems_of(tmp_path, BASE.replace("    dept: tax\n", "    dept: tax\n" + listed))
    assert "key id listed twice: k1" in problem


def test_a_key_that_ends_before_it_begins_is_refused(tmp_path: Path) -> None:
    key = base64.b64encode(b"a" * 32).decode()
    listed = (
        f"    keys:\n      - {{key_id: k1, public: {key}, since: 2027-01-01T00:00:00Z,"
        " until: 2026-01-01T00:00:00Z}\n"
    )
    [problem] = problems_of(tmp_path, BASE.replace("    dept: tax\n", "    dept: tax\n" + listed))
    assert "until must be later than since" in problem
