"""Demo people and companies: identifiers that pass the hub's own validators, from a seed."""

import random

from hypothesis import given
from hypothesis import strategies as st

from connectors.demo.people import company_name, credit_code, person_name, resident_id
from schemas.common import Party, PartyKind
from schemas.identifiers import (
    IdType,
    is_valid_resident_id,
    is_valid_uscc,
    resident_id_problem,
    uscc_problem,
)

seeds = st.integers(min_value=0, max_value=2**32)


@given(seeds)
def test_resident_ids_pass_gb_11643_and_name_their_region(seed: int) -> None:
    number = resident_id(random.Random(seed))
    assert resident_id_problem(number) is None
    assert number.startswith("411121")


@given(seeds)
def test_credit_codes_pass_gb_32100_with_their_organisation_code(seed: int) -> None:
    code = credit_code(random.Random(seed), region="411102")
    assert uscc_problem(code) is None
    assert code.startswith("91411102")


def test_a_changed_check_character_is_refused() -> None:
    rng = random.Random(3)
    number, code = resident_id(rng), credit_code(rng)
    wrong_id = number[:17] + ("0" if number[17] != "0" else "1")
    wrong_code = code[:17] + ("0" if code[17] != "0" else "1")
    assert not is_valid_resident_id(wrong_id)
    assert not is_valid_uscc(wrong_code)


def test_the_same_seed_gives_the_same_people() -> None:
    def draw(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [resident_id(rng), credit_code(rng), person_name(rng), company_name(rng)]

    assert draw(11) == draw(11)
    assert draw(11) != draw(12)


@given(seeds)
def test_names_are_chinese_and_fit_a_party(seed: int) -> None:
    rng = random.Random(seed)
    person, company = person_name(rng), company_name(rng)
    assert 2 <= len(person) <= 4
    assert all("\u4e00" <= char <= "\u9fff" for char in person + company)
    assert company.startswith("舞阳县")
    Party(
        kind=PartyKind.LEGAL,
        name=company,
        id_type=IdType.USCC,
        id_no=credit_code(rng),
        legal_rep=person,
    )
