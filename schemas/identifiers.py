"""Identifiers of the published language, validated down to their check characters.

- resident ID number, GB 11643-1999: ISO 7064 MOD 11-2 check character;
- unified social credit code (USCC), GB 32100-2015: MOD 31 check, weights 3^(i-1) mod 31, 31 → 0,
  with the GB 11714 organisation code in positions 9–17;
- case number (案号), 法〔2015〕137号 as amended by 法〔2018〕335号:
  ``（年度）法院代字类型代字编号号``;
- judicial-suggestion number ``××法建〔年〕×号``.

Each rule has a ``*_problem`` function naming the exact defect, which the pydantic types below put
in their validation message, so a rejection (``schema_invalid``) tells the sender what to fix.
The ``*_problem`` and ``is_valid_*`` functions judge the canonical spelling as given; the pydantic
types and `validate_id` first normalise (full-width characters, whitespace, a lower-case x).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Final, NamedTuple

from pydantic import AfterValidator, Field, ValidationInfo

from schemas.dates import CHINA_TIME, china_date

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic.fields import FieldInfo


def china_today() -> date:
    """Today's date in China, from the wall clock: for the edges (connectors, demos) only; the
    hub's decisions take their `now` as an argument and validate with `validation_context`."""
    return china_date(datetime.now(CHINA_TIME))


TODAY: Final = "today"
"""The key of the validation context's date: pydantic models holding birth dates and case years
check them against it (`Model.model_validate(..., context=validation_context(today))`)."""


def validation_context(today: date) -> dict[str, date]:
    """The pydantic validation context that bounds birth dates and case years by `today`."""
    return {TODAY: today}


def context_today(info: ValidationInfo) -> date | None:
    """The date a validation was given in its context, or None when it was given none; without
    one, only the rules that need no calendar are checked (a birth date still has to exist, a
    case year to be four digits from 1949 on), never the wall clock's."""
    context = info.context
    today = context.get(TODAY) if isinstance(context, dict) else None
    return today if isinstance(today, date) else None


def _canonical_text(value: str) -> str:
    """Full-width digits and letters to ASCII, no whitespace (people paste IDs from documents)."""
    return "".join(unicodedata.normalize("NFKC", value).split())


# --- resident ID number (GB 11643) ---------------------------------------------------------------

_RESIDENT_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK: Final = "10X98765432"
# GB/T 2260 province-level codes, plus 81/82/83 used by residence permits for Hong Kong, Macao and
# Taiwan residents, which share the resident ID format.
_PROVINCE_CODES: Final = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83"}
)
_EARLIEST_BIRTH_YEAR: Final = 1800


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, _RESIDENT_WEIGHTS, strict=True)
    )
    return _RESIDENT_CHECK[total % 11]


def resident_id_problem(value: str, *, today: date | None = None) -> str | None:
    """Why `value` is not a resident ID number (GB 11643), or None when it is one."""
    if len(value) == 15 and value.isascii() and value.isdigit():
        return "15-digit first-generation numbers are not accepted; use the 18-character number"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return "must be 17 digits followed by a digit or X (18 characters)"
    if value[:2] not in _PROVINCE_CODES:
        return f"address code {value[:6]} does not start with a GB/T 2260 province code"
    if problem := _birth_date_problem(value[6:14], today):
        return problem
    expected = resident_id_check_char(value[:17])
    return None if value[17] == expected else f"check digit should be {expected}"


def _birth_date_problem(birth: str, today: date | None) -> str | None:
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return f"birth date {birth} does not exist"
    if today is not None and born > today:
        return f"birth date {birth} is in the future"
    if born.year < _EARLIEST_BIRTH_YEAR:
        return f"birth date {birth} is before {_EARLIEST_BIRTH_YEAR}"
    return None


def is_valid_resident_id(value: str, *, today: date | None = None) -> bool:
    return resident_id_problem(value, today=today) is None


# --- organisation code (GB 11714) and unified social credit code (GB 32100) ----------------------

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
USCC_REGISTRATION_AUTHORITIES: Final = MappingProxyType(
    {
        "1": "机构编制",
        "2": "外交",
        "3": "司法行政",
        "4": "文化",
        "5": "民政",
        "6": "旅游",
        "7": "宗教",
        "8": "工会",
        "9": "工商",
        "A": "中央军委改革和编制办公室",
        "N": "农业",
        "Y": "其他",
    }
)


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character for the first 8 characters of an organisation code."""
    if not re.fullmatch(r"[0-9A-Z]{8}", first8):
        raise ValueError(f"expected 8 digits or capital letters, got {first8!r}")
    total = sum(int(char, 36) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def org_code_problem(value: str) -> str | None:
    """Why `value` is not an organisation code (GB 11714), or None when it is one."""
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", value):
        return "must be 8 digits or capital letters followed by a digit or X (9 characters)"
    expected = org_code_check_char(value[:8])
    if value[8] != expected:
        return f"check character should be {expected}"
    return None


def is_valid_org_code(value: str) -> bool:
    return org_code_problem(value) is None


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    if len(first17) != 17 or any(char not in USCC_ALPHABET for char in first17):
        raise ValueError(f"expected 17 characters from {USCC_ALPHABET}, got {first17!r}")
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    # 31 - 0 would be 31, which has no character: the standard maps it to 0.
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a unified social credit code (GB 32100), or None when it is one."""
    if problem := _uscc_layout_problem(value):
        return problem
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return f"check character should be {expected}"
    if problem := org_code_problem(value[8:17]):
        return f"embedded organisation code (positions 9-17): {problem}"
    return None


def _uscc_layout_problem(value: str) -> str | None:
    if len(value) != 18:
        return f"must be 18 characters, got {len(value)}"
    if strays := sorted({char for char in value if char not in USCC_ALPHABET}):
        return f"characters {''.join(strays)!r} are not allowed (no I, O, Z, S, V)"
    if value[0] not in USCC_REGISTRATION_AUTHORITIES:
        return f"registration authority code {value[0]!r} (position 1) is not defined"
    if not re.fullmatch(r"[1-9]", value[1]):
        return f"organisation type code {value[1]!r} (position 2) must be a digit 1-9"
    if not value[2:8].isdigit():
        return f"administrative division code {value[2:8]!r} (positions 3-8) must be 6 digits"
    return None


def is_valid_uscc(value: str) -> bool:
    return uscc_problem(value) is None


def org_code_of(uscc: str) -> str:
    """The organisation code (positions 9–17) inside a valid USCC."""
    if problem := uscc_problem(uscc):
        raise ValueError(f"unified social credit code (GB 32100): {problem}")
    return uscc[8:17]


# --- case number (案号) --------------------------------------------------------------------------


class CaseFamily(StrEnum):
    CRIMINAL = "criminal"
    CIVIL = "civil"
    ADMINISTRATIVE = "administrative"
    PRESERVATION = "preservation"
    ENFORCEMENT = "enforcement"
    LIQUIDATION = "liquidation"
    BANKRUPTCY = "bankruptcy"


class CaseType(NamedTuple):
    family: CaseFamily
    name: str


def _case_types(family: CaseFamily, table: str) -> dict[str, CaseType]:
    pairs = (line.split(maxsplit=1) for line in table.strip().splitlines())
    return {code: CaseType(family, name) for code, name in pairs}


# 类型代字 of the case kinds the hub's families exchange, from the annex of 法〔2015〕137号.
# Lookup is by the whole type code, so 行审 and 行审复 cannot shadow each other.
CASE_TYPES: Final = MappingProxyType(
    _case_types(
        CaseFamily.ENFORCEMENT,
        """
        执 首次执行
        执恢 恢复执行
        执保 财产保全执行
        执异 执行异议
        执复 执行复议
        执监 执行监督
        执协 执行协调
        执他 其他执行
        """,
    )
    | _case_types(
        CaseFamily.BANKRUPTCY,
        """
        破申 破产申请审查
        破 破产（清算、重整、和解）
        破终 破产上诉
        破监 破产监督
        """,
    )
    | _case_types(
        CaseFamily.LIQUIDATION,
        """
        清申 强制清算申请审查
        强清 强制清算
        清终 强制清算上诉
        清监 强制清算监督
        """,
    )
    | _case_types(
        CaseFamily.ADMINISTRATIVE,
        """
        行初 行政一审
        行终 行政二审
        行申 行政申请再审审查
        行再 行政再审
        行监 行政审判监督
        行审 非诉行政行为申请执行审查
        行审复 非诉行政行为申请执行审查复议
        行赔初 行政赔偿一审
        行赔终 行政赔偿二审
        行他 其他行政
        """,
    )
    | _case_types(
        CaseFamily.CIVIL,
        """
        民初 民事一审
        民终 民事二审
        民申 民事申请再审审查
        民再 民事再审
        民监 民事审判监督
        民特 特别程序
        民督 督促程序
        民催 公示催告
        民撤 第三人撤销之诉
        民他 其他民事
        """,
    )
    | _case_types(
        CaseFamily.CRIMINAL,
        """
        刑初 刑事一审
        刑终 刑事二审
        刑申 刑事申诉审查
        刑再 刑事再审
        刑监 刑事审判监督
        刑核 死刑复核
        刑更 减刑、假释
        """,
    )
    | _case_types(
        CaseFamily.PRESERVATION,
        """
        财保 非诉财产保全审查
        行保 非诉行为保全审查
        证保 非诉证据保全审查
        """,
    )
)
SPECIAL_TRIAL_CODES: Final = frozenset({"知"})
"""专门审判代字 (法〔2018〕335号), written between the court code and the type code."""


_COURT_PROVINCES: Final = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新军兵"
_SUPREME_COURT: Final = "最高法"
_EARLIEST_CASE_YEAR: Final = 1949
_OPENING_BRACKETS: Final = "(（〔["
_CLOSING_BRACKETS: Final = ")）〕]"


def _with_year_brackets(text: str, opening: str, closing: str) -> str:
    """Replace the first bracket pair around the year with the canonical pair."""
    return re.sub(
        rf"^(.*?)[{re.escape(_OPENING_BRACKETS)}]([0-9]+)[{re.escape(_CLOSING_BRACKETS)}]",
        rf"\g<1>{opening}\g<2>{closing}",
        text,
        count=1,
    )


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """A parsed case number; `normalised` is its canonical spelling."""

    year: int
    court_code: str
    type_code: str
    number: int
    special_trial: str = ""

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> CaseNumber:
        # Cached by text and year: one event's case number is parsed by its envelope, its
        # payload and the routing of every copy, and a case's events come together.
        return _parse_case_number(text, None if today is None else today.year)

    @classmethod
    def _parse(cls, text: str, this_year: int | None) -> CaseNumber:
        canonical = _with_year_brackets(_canonical_text(text), "（", "）")
        match = re.fullmatch(r"（(?P<year>[0-9]+)）(?P<body>.*?)(?P<number>[0-9]+)号", canonical)
        if match is None:
            raise ValueError(f"case number {text!r} must look like （2024）豫1121执123号")
        year, number = match["year"], match["number"]
        if len(year) != 4 or not _plausible_year(int(year), this_year):
            raise ValueError(f"case number {text!r}: year {year} is not plausible")
        if number.startswith("0"):
            raise ValueError(f"case number {text!r}: number {number} must not start with 0")
        court_code, rest = _split_court_code(text, match["body"])
        special_trial = rest[0] if rest[:1] in SPECIAL_TRIAL_CODES else ""
        type_code = rest[len(special_trial) :]
        if type_code not in CASE_TYPES:
            raise ValueError(f"case number {text!r}: unknown case type code {type_code!r}")
        return cls(int(year), court_code, type_code, int(number), special_trial)

    @property
    def normalised(self) -> str:
        body = f"{self.court_code}{self.special_trial}{self.type_code}"
        return f"（{self.year}）{body}{self.number}号"

    @property
    def family(self) -> CaseFamily:
        return CASE_TYPES[self.type_code].family

    @property
    def is_enforcement(self) -> bool:
        return self.family is CaseFamily.ENFORCEMENT

    @property
    def is_bankruptcy(self) -> bool:
        return self.family is CaseFamily.BANKRUPTCY

    @property
    def is_administrative(self) -> bool:
        return self.family is CaseFamily.ADMINISTRATIVE

    def __str__(self) -> str:
        return self.normalised


@functools.lru_cache(maxsize=4096)
def _parse_case_number(text: str, this_year: int | None) -> CaseNumber:
    return CaseNumber._parse(text, this_year)  # noqa: SLF001 - the class's own cached entry


def _split_court_code(text: str, body: str) -> tuple[str, str]:
    """Split ``豫1121执`` into the court code ``豫1121`` and the rest ``执``."""
    if body.startswith(_SUPREME_COURT):
        return _SUPREME_COURT, body.removeprefix(_SUPREME_COURT)
    match = re.match(r"(?P<province>.)(?P<digits>[0-9]*)", body)
    if match is None or match["province"] not in _COURT_PROVINCES:
        raise ValueError(f"case number {text!r}: court code must start with 最高法 or a province")
    if len(match["digits"]) not in {0, 2, 4}:
        raise ValueError(
            f"case number {text!r}: court code {match[0]!r} must carry 0 (high court), "
            "2 (intermediate) or 4 (basic court) digits"
        )
    return match[0], body[match.end() :]


def case_number_problem(text: str, *, today: date | None = None) -> str | None:
    try:
        CaseNumber.parse(text, today=today)
    except ValueError as error:
        return str(error)
    return None


def _plausible_year(year: int, this_year: int | None) -> bool:
    return year >= _EARLIEST_CASE_YEAR and (this_year is None or year <= this_year)


# --- judicial-suggestion number (司法建议书文号) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggestionNumber:
    """``舞法建〔2024〕3号``: issuing court's abbreviation, 法建, year in 〔〕, number."""

    issuer: str
    year: int
    number: int

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> SuggestionNumber:
        canonical = _with_year_brackets(_canonical_text(text), "〔", "〕")
        match = re.fullmatch(
            r"(?P<issuer>[\u4e00-\u9fff]{1,6})法建〔(?P<year>[0-9]{4})〕(?P<number>[1-9][0-9]*)号",
            canonical,
        )
        if match is None:
            raise ValueError(
                f"judicial suggestion number {text!r} must look like 舞法建〔2024〕3号"
            )
        year = int(match["year"])
        if not _plausible_year(year, None if today is None else today.year):
            raise ValueError(f"judicial suggestion number {text!r}: year {year} is not plausible")
        return cls(match["issuer"], year, int(match["number"]))

    @property
    def normalised(self) -> str:
        return f"{self.issuer}法建〔{self.year}〕{self.number}号"

    def __str__(self) -> str:
        return self.normalised


# --- pydantic types ------------------------------------------------------------------------------


def _timeless(problem_of: Callable[[str], str | None]) -> Callable[[str, date | None], str | None]:
    def problem(value: str, today: date | None) -> str | None:
        del today  # the rule needs no calendar
        return problem_of(value)

    return problem


def _resident_id_problem_on(value: str, today: date | None) -> str | None:
    return resident_id_problem(value, today=today)


def _checked(
    rule: str, problem_of: Callable[[str, date | None], str | None]
) -> Callable[[str, date | None], str]:
    def validate(value: str, today: date | None = None) -> str:
        canonical = _canonical_text(value).upper()
        if problem := problem_of(canonical, today):
            raise ValueError(f"{rule}: {problem}")
        return canonical

    return validate


def _in_context(check: Callable[[str, date | None], str]) -> Callable[[str, ValidationInfo], str]:
    def validate(value: str, info: ValidationInfo) -> str:
        return check(value, context_today(info))

    return validate


def _normalised_case_number(value: str, info: ValidationInfo) -> str:
    return CaseNumber.parse(value, today=context_today(info)).normalised


def _normalised_suggestion_number(value: str, info: ValidationInfo) -> str:
    return SuggestionNumber.parse(value, today=context_today(info)).normalised


def _schema(description: str, pattern: str) -> FieldInfo:
    # The pattern documents the canonical spelling for connectors in other languages; the
    # validators above accept looser input and give the precise reason on rejection.
    field: FieldInfo = Field(description=description, json_schema_extra={"pattern": pattern})
    return field


ResidentIdNo = Annotated[
    str,
    AfterValidator(_in_context(_checked("resident ID number (GB 11643)", _resident_id_problem_on))),
    _schema("resident ID number, GB 11643", r"^[0-9]{17}[0-9X]$"),
]
Uscc = Annotated[
    str,
    AfterValidator(
        _in_context(_checked("unified social credit code (GB 32100)", _timeless(uscc_problem)))
    ),
    _schema("unified social credit code, GB 32100", r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
]
OrgCode = Annotated[
    str,
    AfterValidator(
        _in_context(_checked("organisation code (GB 11714)", _timeless(org_code_problem)))
    ),
    _schema("organisation code, GB 11714", r"^[0-9A-Z]{8}[0-9X]$"),
]
CaseNo = Annotated[
    str,
    AfterValidator(_normalised_case_number),
    _schema("case number (案号), normalised to full-width brackets", r"^（[0-9]{4}）.+[0-9]+号$"),
]
SuggestionNo = Annotated[
    str,
    AfterValidator(_normalised_suggestion_number),
    _schema("judicial suggestion number, normalised to 〔〕", r"^.+法建〔[0-9]{4}〕[0-9]+号$"),
]


class IdType(StrEnum):
    """Kinds of identifier a subject (person or organisation) may carry."""

    RESIDENT_ID = "resident_id"
    USCC = "uscc"
    ORG_CODE = "org_code"
    PASSPORT = "passport"
    OTHER = "other"


_CHECKED_ID_TYPES: Final = MappingProxyType(
    {
        IdType.RESIDENT_ID: _checked("resident ID number (GB 11643)", _resident_id_problem_on),
        IdType.USCC: _checked("unified social credit code (GB 32100)", _timeless(uscc_problem)),
        IdType.ORG_CODE: _checked("organisation code (GB 11714)", _timeless(org_code_problem)),
    }
)
_FREE_ID_MAX_LENGTH: Final = 64


def validate_id(id_type: IdType, id_no: str, *, today: date | None = None) -> str:
    """The normalised `id_no`, checked by the rule of its `id_type` (a resident ID's birth date
    against `today` when given); raises ValueError."""
    if checker := _CHECKED_ID_TYPES.get(id_type):
        return checker(id_no, today)
    canonical = unicodedata.normalize("NFKC", id_no).strip()
    if not canonical or len(canonical) > _FREE_ID_MAX_LENGTH:
        raise ValueError(f"{id_type} number must have 1 to {_FREE_ID_MAX_LENGTH} characters")
    if not canonical.isprintable():
        raise ValueError(f"{id_type} number must not contain control characters")
    return canonical


# --- masking for logs ----------------------------------------------------------------------------

_MASK_KEEP_HEAD: Final = 6
_MASK_KEEP_TAIL: Final = 4
_MASK_MIN_LENGTH: Final = 15
"""Below this length keeping 6 + 4 characters would reveal most of the value."""


def mask_id(value: str) -> str:
    """``411121199001011234`` → ``411121********1234``; values shorter than 15 fully masked."""
    if len(value) < _MASK_MIN_LENGTH:
        return "*" * len(value)
    hidden = len(value) - _MASK_KEEP_HEAD - _MASK_KEEP_TAIL
    return f"{value[:_MASK_KEEP_HEAD]}{'*' * hidden}{value[-_MASK_KEEP_TAIL:]}"


# Resident IDs, USCCs and the partial ones a message may quote: 15 to 18 letters and digits, at
# least 8 of them digits, not inside a longer run. Event ids (UUIDs, 26-character ULIDs), case
# numbers and phone numbers do not match.
_IDENTIFIER_RE: Final = re.compile(
    r"(?<![0-9A-Za-z])(?=(?:[A-Za-z]*[0-9]){8})[0-9A-Za-z]{15,18}(?![0-9A-Za-z])"
)


def mask_identifiers(text: str) -> str:
    """`text` with every identifier-like run masked by `mask_id`: for free text (an error
    detail, a log line, a search) that may quote an ID number."""
    return _IDENTIFIER_RE.sub(lambda match: mask_id(match.group()), text)


def mask_name(name: str) -> str:
    """Keep the surname's first character: 张三 → 张*, 欧阳娜娜 → 欧***; one character → *."""
    name = name.strip()
    if len(name) < 2:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
