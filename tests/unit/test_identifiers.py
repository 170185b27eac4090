from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.identifiers import (
    USCC_ALPHABET,
    CaseFamily,
    CaseNo,
    CaseNumber,
    IdType,
    OrgCode,
    ResidentIdNo,
    SuggestionNo,
    SuggestionNumber,
    Uscc,
    is_valid_org_code,
    is_valid_resident_id,
    is_valid_uscc,
    mask_id,
    mask_identifiers,
    mask_name,
    org_code_check_char,
    org_code_of,
    resident_id_check_char,
    resident_id_problem,
    uscc_check_char,
    uscc_problem,
    validate_id,
)

# Worked examples of domain.md §6.
RESIDENT_IDS = ("11010519491231002X", "34052419800101001X", "440524188001010014")
USCCS = ("91310110666007217T", "91310115591693856A", "9135052155323005XL")
ORG_CODE = "666007217"
RESIDENT_ALPHABET = "0123456789X"
# Its weighted sum is 527 = 17 x 31: 31 - 0 = 31 wraps to check character 0.
USCC_WITH_CHECK_ZERO = "914111210000001660"


def corruptions(value: str, alphabet: str) -> list[str]:
    return [
        value[:position] + char + value[position + 1 :]
        for position in range(len(value))
        for char in alphabet
        if char != value[position]
    ]


# --- resident ID ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", RESIDENT_IDS)
def test_worked_resident_ids_are_valid(value):
    assert is_valid_resident_id(value)
    assert resident_id_check_char(value[:17]) == value[17]


@given(st.sampled_from(RESIDENT_IDS), st.data())
def test_any_single_character_corruption_of_a_resident_id_is_rejected(value, data):
    position = data.draw(st.integers(0, len(value) - 1))
    char = data.draw(st.sampled_from(RESIDENT_ALPHABET).filter(lambda c: c != value[position]))
    assert not is_valid_resident_id(value[:position] + char + value[position + 1 :])


@pytest.mark.parametrize("value", RESIDENT_IDS)
def test_every_single_character_corruption_of_a_resident_id_is_rejected(value):
    accepted = [bad for bad in corruptions(value, RESIDENT_ALPHABET) if is_valid_resident_id(bad)]
    assert accepted == []


def test_wrong_check_digit_names_the_expected_one():
    assert resident_id_problem("110105194912310021") == "check digit should be X"


def with_check_digit(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    ("birth", "reason"),
    [
        ("19990231", "birth date 19990231 does not exist"),
        ("20230229", "birth date 20230229 does not exist"),
        ("19991301", "birth date 19991301 does not exist"),
        ("19990100", "birth date 19990100 does not exist"),
        ("20250102", "birth date 20250102 is in the future"),
        ("17991231", "birth date 17991231 is before 1800"),
    ],
)
def test_impossible_birth_dates_are_rejected(birth, reason):
    value = with_check_digit(f"411121{birth}123")
    assert resident_id_problem(value, today=date(2025, 1, 1)) == reason


def test_leap_day_birth_date_is_accepted():
    assert is_valid_resident_id(with_check_digit("41112120000229123"))


def test_address_code_must_start_with_a_province():
    assert "province code" in str(resident_id_problem(with_check_digit("99112119900101123")))


def test_first_generation_number_gets_a_specific_message():
    assert "15-digit" in str(resident_id_problem("110105491231002"))


# --- USCC and organisation code ------------------------------------------------------------------


@pytest.mark.parametrize("value", USCCS)
def test_worked_usccs_are_valid(value):
    assert is_valid_uscc(value)
    assert uscc_check_char(value[:17]) == value[17]
    assert is_valid_org_code(org_code_of(value))


def test_hutool_invalid_example_is_rejected():
    assert uscc_problem("91350211M00013FA1N") == "check character should be 3"


@given(st.sampled_from(USCCS), st.data())
def test_any_single_character_corruption_of_a_uscc_is_rejected(value, data):
    position = data.draw(st.integers(0, len(value) - 1))
    char = data.draw(st.sampled_from(USCC_ALPHABET).filter(lambda c: c != value[position]))
    assert not is_valid_uscc(value[:position] + char + value[position + 1 :])


@pytest.mark.parametrize("value", [*USCCS, USCC_WITH_CHECK_ZERO])
def test_every_single_character_corruption_of_a_uscc_is_rejected(value):
    assert [bad for bad in corruptions(value, USCC_ALPHABET) if is_valid_uscc(bad)] == []


def test_check_value_31_wraps_to_0():
    assert uscc_check_char(USCC_WITH_CHECK_ZERO[:17]) == "0"
    assert is_valid_uscc(USCC_WITH_CHECK_ZERO)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_uscc_alphabet_are_named(letter):
    problem = uscc_problem("9131011066600721" + letter + "T")
    assert problem == f"characters {letter!r} are not allowed (no I, O, Z, S, V)"


def test_undefined_registration_authority_is_rejected():
    first17 = "B1310110666007217"
    assert "registration authority" in str(uscc_problem(first17 + uscc_check_char(first17)))


def test_embedded_org_code_must_have_its_own_check():
    first17 = "913101106660072180"[:17]
    assert "embedded organisation code" in str(uscc_problem(first17 + uscc_check_char(first17)))


def test_worked_org_code_example():
    assert org_code_check_char("66600721") == "7"
    assert is_valid_org_code(ORG_CODE)
    assert org_code_of(USCCS[0]) == ORG_CODE


def test_org_code_check_maps_10_to_x_and_11_to_0():
    assert org_code_check_char("55323005") == "X"
    assert org_code_check_char("00000000") == "0"


def test_every_digit_corruption_of_an_org_code_is_rejected():
    digit_corruptions = corruptions(ORG_CODE, "0123456789")
    check_corruptions = [ORG_CODE[:8] + char for char in "0123456789X" if char != ORG_CODE[8]]
    assert [bad for bad in digit_corruptions + check_corruptions if is_valid_org_code(bad)] == []


def test_uscc_check_catches_what_the_org_code_check_cannot():
    # GB 11714 values letters 10-35, so swapping 0 for B (11) keeps the sum mod 11.
    altered_org_code = "666B07217"
    assert is_valid_org_code(altered_org_code)
    assert not is_valid_uscc(USCCS[0][:8] + altered_org_code + USCCS[0][17])


def test_org_code_of_refuses_an_invalid_uscc():
    with pytest.raises(ValueError, match="check character should be T"):
        org_code_of("91310110666007217A")


# --- case numbers --------------------------------------------------------------------------------


def test_case_number_is_parsed():
    case = CaseNumber.parse("（2024）豫1121执123号")
    assert (case.year, case.court_code, case.type_code, case.number) == (2024, "豫1121", "执", 123)
    assert case.normalised == "（2024）豫1121执123号"
    assert case.is_enforcement
    assert not case.is_bankruptcy
    assert not case.is_administrative


@pytest.mark.parametrize(
    "text",
    [
        "(2024)豫1121执123号",
        "（2024)豫1121执123号",
        " (２０２４) 豫1121执123号 ",
        "〔2024〕豫1121执123号",
    ],
)
def test_case_number_brackets_are_normalised_to_full_width(text):
    assert CaseNumber.parse(text).normalised == "（2024）豫1121执123号"


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("（2024）豫11破1号", CaseFamily.BANKRUPTCY),
        ("（2024）豫1121破申2号", CaseFamily.BANKRUPTCY),
        ("（2024）豫1121行初7号", CaseFamily.ADMINISTRATIVE),
        ("（2024）豫1121行审3号", CaseFamily.ADMINISTRATIVE),
        ("（2024）豫11行审复3号", CaseFamily.ADMINISTRATIVE),
        ("（2024）豫1121执恢12号", CaseFamily.ENFORCEMENT),
        ("（2024）豫1121执异4号", CaseFamily.ENFORCEMENT),
        ("（2024）豫1121强清1号", CaseFamily.LIQUIDATION),
        ("（2024）豫民终88号", CaseFamily.CIVIL),
        ("（2024）豫1121刑初9号", CaseFamily.CRIMINAL),
        ("（2024）豫1121财保5号", CaseFamily.PRESERVATION),
    ],
)
def test_type_code_decides_the_family(text, family):
    case = CaseNumber.parse(text)
    assert case.family is family
    assert case.is_bankruptcy == (family is CaseFamily.BANKRUPTCY)
    assert case.is_administrative == (family is CaseFamily.ADMINISTRATIVE)


def test_supreme_court_with_special_trial_code():
    case = CaseNumber.parse("（2019）最高法知民终1号")
    assert (case.court_code, case.special_trial, case.type_code) == ("最高法", "知", "民终")
    assert case.normalised == "（2019）最高法知民终1号"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024豫1121执123号", "must look like （2024）豫1121执123号"),
        ("（2024）豫1121执123", "must look like"),
        ("（24）豫1121执123号", "year 24 is not plausible"),
        ("（2099）豫1121执123号", "year 2099 is not plausible"),
        ("（2024）豫112执123号", "must carry 0 (high court), 2 (intermediate) or 4"),
        ("（2024）港1121执123号", "court code must start with 最高法 or a province"),
        ("（2024）豫1121执字123号", "unknown case type code '执字'"),
        ("（2024）豫1121123号", "unknown case type code ''"),
        ("（2024）豫1121执0123号", "number 0123 must not start with 0"),
        ("（2015）朝民（商）初字第49845号", "court code must start with"),
    ],
)
def test_bad_case_numbers_are_rejected_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        CaseNumber.parse(text, today=date(2025, 6, 1))


# --- judicial suggestion numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["舞法建〔2024〕3号", "舞法建[2024]3号", "舞法建(2024)3号", "舞法建（2024）3号"]
)
def test_suggestion_number_is_normalised(text):
    number = SuggestionNumber.parse(text)
    assert (number.issuer, number.year, number.number) == ("舞", 2024, 3)
    assert number.normalised == "舞法建〔2024〕3号"


@pytest.mark.parametrize(
    "text", ["舞法〔2024〕3号", "舞法建〔2024〕号", "法建〔2024〕3号", "舞法建〔2024〕03号"]
)
def test_malformed_suggestion_numbers_are_rejected(text):
    with pytest.raises(ValueError, match="judicial suggestion number"):
        SuggestionNumber.parse(text)


# --- pydantic types and validate_id --------------------------------------------------------------


class Subject(BaseModel):
    id_no: ResidentIdNo | None = None
    uscc: Uscc | None = None
    org_code: OrgCode | None = None
    case_no: CaseNo | None = None
    suggestion_no: SuggestionNo | None = None


def test_pydantic_types_store_the_normalised_value():
    subject = Subject(
        id_no=" 11010519491231002x ",
        uscc="91310110666007217t",
        org_code="666007217",
        case_no="(2024)豫1121执123号",
        suggestion_no="舞法建[2024]3号",
    )
    assert subject.id_no == "11010519491231002X"
    assert subject.uscc == "91310110666007217T"
    assert subject.case_no == "（2024）豫1121执123号"
    assert subject.suggestion_no == "舞法建〔2024〕3号"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_no", "110105194912310021", "resident ID number (GB 11643): check digit should be X"),
        ("uscc", "91310110666007217A", "unified social credit code (GB 32100): check character"),
        ("org_code", "666007218", "organisation code (GB 11714): check character should be 7"),
        ("case_no", "（2024）豫1121执字1号", "unknown case type code"),
        ("suggestion_no", "舞建〔2024〕3号", "must look like 舞法建〔2024〕3号"),
    ],
)
def test_pydantic_errors_name_the_rule_and_the_field(field, value, message):
    with pytest.raises(ValidationError) as caught:
        Subject.model_validate({field: value})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    assert message in error["msg"]


def test_json_schema_documents_the_canonical_pattern():
    schema = Subject.model_json_schema()["properties"]["uscc"]["anyOf"][0]
    assert schema["pattern"] == "^[0-9A-HJ-NPQRTUWXY]{18}$"


@pytest.mark.parametrize(
    ("id_type", "id_no", "expected"),
    [
        (IdType.RESIDENT_ID, "11010519491231002x", "11010519491231002X"),
        (IdType.USCC, USCCS[1], USCCS[1]),
        (IdType.ORG_CODE, ORG_CODE, ORG_CODE),
        (IdType.PASSPORT, " E12345678 ", "E12345678"),
        (IdType.OTHER, "港澳通行证 C1234567", "港澳通行证 C1234567"),
    ],
)
def test_validate_id_normalises_by_type(id_type, id_no, expected):
    assert validate_id(id_type, id_no) == expected


@pytest.mark.parametrize(
    ("id_type", "id_no", "message"),
    [
        (IdType.RESIDENT_ID, USCCS[0], "resident ID number"),
        (IdType.USCC, RESIDENT_IDS[0], "unified social credit code"),
        (IdType.ORG_CODE, "666007218", "organisation code"),
        (IdType.PASSPORT, "   ", "passport number must have 1 to 64 characters"),
        (IdType.OTHER, "x" * 65, "other number must have 1 to 64 characters"),
        (IdType.PASSPORT, "E123\x004567", "passport number must not contain control characters"),
    ],
)
def test_validate_id_rejects_by_type(id_type, id_no, message):
    with pytest.raises(ValueError, match=message):
        validate_id(id_type, id_no)


# --- masking -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("411121199001011234", "411121********1234"),
        ("91310110666007217T", "913101********217T"),
        ("666007217", "*********"),
        ("E12345678", "*********"),
        ("", ""),
    ],
)
def test_mask_id(value, masked):
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("", "")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("id_no 411121199001011234 is bad", "id_no 411121********1234 is bad"),
        ("证件号码411121199001011234有误", "证件号码411121********1234有误"),
        (
            "uscc 91411121MA40ABCD1X, 15 digits 411121900101123",
            "uscc 914111********CD1X, 15 digits 411121*****1123",
        ),
        ("event 01HQ0000000000000000000001", "event 01HQ0000000000000000000001"),
        (
            "（2024）豫1121执123号 0395-7212302 13800138000",
            "（2024）豫1121执123号 0395-7212302 13800138000",
        ),
        ("a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"),
    ],
)
def test_mask_identifiers_masks_identifier_like_runs_only(text, masked):
    assert mask_identifiers(text) == masked
