"""Building blocks shared by every payload: the payload base, scalar types, purposes and parties.

Scalars carry two descriptions of themselves: the pydantic validator, whose message names the
rule, and a JSON Schema fragment for connectors written in other languages. Where JSON Schema can
say the same thing (shape, patterns, enums) it does; date arithmetic and check digits stay with the
validators (see tests/fixtures/corpus/README.md).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from schemas.identifiers import IdType, context_today, validate_id
from schemas.units import DEPTS, TOWN_DEPT, UnitCode


class Purpose(StrEnum):
    """Legal basis of an exchange (the envelope's `purpose`), required on personal data."""

    ENFORCEMENT = "enforcement"
    """Enforcement of effective judgments: 民事诉讼法 part 3, network inquiry and control rules."""
    BANKRUPTCY = "bankruptcy"
    """Bankruptcy procedure: 企业破产法."""
    ADMIN_LITIGATION = "admin_litigation"
    """Administrative litigation and non-litigation enforcement: 行政诉讼法, 行政强制法."""
    CREDIT_SANCTION = "credit_sanction"
    """Dishonest-debtor list and joint punishment: 法释〔2017〕7号, 发改财金〔2016〕141号."""
    LINKAGE_SUPERVISION = "linkage_supervision"
    """The joint-meeting mechanism's own supervision: tasks, liaison officers."""


class Record(BaseModel):
    """Base of every object of the published language: closed, immutable, self-describing."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Payload(Record):
    """Base of every typed `data` object; `event_type` names the catalogue type it belongs to."""

    event_type: ClassVar[str]


# --- scalars -------------------------------------------------------------------------------------

Fen = Annotated[int, Field(ge=0, strict=True, description="amount in fen (0.01 yuan), integer")]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _text(max_length: int) -> Any:
    return Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": r"\S"})


Name = Annotated[str, AfterValidator(_not_blank), _text(100)]
"""A person's or an organisation's name."""
Text = Annotated[str, AfterValidator(_not_blank), _text(500)]
"""A short free text: a title, a reason, a document number."""
LongText = Annotated[str, AfterValidator(_not_blank), _text(5000)]
"""A long free text: problems, progress reports, descriptions."""

_PHONE_RE: Final = r"^\+?[0-9][0-9 -]{4,19}$"


def _phone(value: str) -> str:
    if not re.fullmatch(_PHONE_RE, value):
        raise ValueError("not a phone number: digits, spaces and '-', optionally a leading '+'")
    return value


Phone = Annotated[
    str, AfterValidator(_phone), WithJsonSchema({"type": "string", "pattern": _PHONE_RE})
]

_DEPT_ALTERNATIVES: Final = "|".join(sorted(dept for dept in DEPTS if dept != TOWN_DEPT))
UNIT_CODE_RE: Final = f"(?:(?:{_DEPT_ALTERNATIVES})\\.[0-9]{{6}}|{TOWN_DEPT}\\.[0-9]{{9}})"
"""A unit code as a regular expression (no anchors), for JSON Schema patterns."""

Unit = Annotated[UnitCode, WithJsonSchema({"type": "string", "pattern": f"^{UNIT_CODE_RE}$"})]
"""A unit code `<dept>.<region>` (schemas.units), with its JSON Schema pattern."""


# --- people and organisations --------------------------------------------------------------------


class PartyKind(StrEnum):
    NATURAL = "natural"
    """A natural person (自然人)."""
    LEGAL = "legal"
    """A legal person or other organisation (法人或其他组织)."""


ID_TYPES_OF: Final = {
    PartyKind.NATURAL: (IdType.RESIDENT_ID, IdType.PASSPORT, IdType.OTHER),
    PartyKind.LEGAL: (IdType.USCC, IdType.ORG_CODE, IdType.OTHER),
}

_ID_PATTERNS: Final = {
    IdType.RESIDENT_ID: r"^[0-9]{17}[0-9X]$",
    IdType.USCC: r"^[0-9A-HJ-NPQRTUWXY]{18}$",
    IdType.ORG_CODE: r"^[0-9A-Z]{8}[0-9X]$",
}
_ID_NO_SCHEMA: Final = WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 64})


def _id_rules(schema: dict[str, Any]) -> None:
    """JSON Schema twin of `validate_id`: the id_no pattern follows id_type."""
    schema["allOf"] = [
        {
            "if": {"properties": {"id_type": {"const": str(id_type)}}, "required": ["id_type"]},
            "then": {"properties": {"id_no": {"pattern": pattern}}},
        }
        for id_type, pattern in _ID_PATTERNS.items()
    ]


def _checked_id_no(value: str, info: ValidationInfo) -> str:
    id_type = info.data.get("id_type")
    # Without a valid id_type its own error is reported; checking id_no against nothing would
    # only add noise.
    return value if id_type is None else validate_id(id_type, value, today=context_today(info))


class Subject(Record):
    """Someone an enforcement request is about: name and identifier, check digit verified."""

    model_config = ConfigDict(json_schema_extra=_id_rules)
    name: Name
    id_type: IdType
    id_no: Annotated[str, _ID_NO_SCHEMA]

    _check_id_no = field_validator("id_no")(_checked_id_no)


def _party_rules(schema: dict[str, Any]) -> None:
    _id_rules(schema)
    for kind, id_types in ID_TYPES_OF.items():
        legal_rep = {"type": "string"} if kind is PartyKind.LEGAL else {"type": "null"}
        then: dict[str, Any] = {
            "properties": {"id_type": {"enum": [str(t) for t in id_types]}, "legal_rep": legal_rep}
        }
        if kind is PartyKind.LEGAL:
            then["required"] = ["legal_rep"]
        schema["allOf"].append({"if": {"properties": {"kind": {"const": str(kind)}}}, "then": then})


class Party(Record):
    """A party (debtor, plaintiff, administrative counterpart): a person or an organisation."""

    model_config = ConfigDict(json_schema_extra=_party_rules)
    kind: PartyKind
    name: Name
    id_type: IdType
    id_no: Annotated[str, _ID_NO_SCHEMA]
    legal_rep: Name | None = Field(default=None, validate_default=True)
    """Legal representative or person in charge; required for organisations, absent for people."""

    @field_validator("id_type")
    @classmethod
    def _id_type_fits_kind(cls, value: IdType, info: ValidationInfo) -> IdType:
        kind = info.data.get("kind")
        if kind is not None and value not in ID_TYPES_OF[kind]:
            allowed = ", ".join(ID_TYPES_OF[kind])
            raise ValueError(f"a {kind} party is identified by one of {allowed}, not {value}")
        return value

    _check_id_no = field_validator("id_no")(_checked_id_no)

    @field_validator("legal_rep")
    @classmethod
    def _legal_rep_fits_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is PartyKind.LEGAL and value is None:
            raise ValueError("an organisation must name its legal representative (法定代表人)")
        if kind is PartyKind.NATURAL and value is not None:
            raise ValueError("a natural person has no legal representative; leave it out")
        return value


class UnitRef(Record):
    """A member unit named in a payload (a defendant agency, a recipient, a task owner)."""

    unit: Unit
    name: Name
    """The unit's Chinese name, e.g. 舞阳县市场监督管理局."""


class Official(Record):
    """A named office holder acting in an official capacity."""

    name: Name
    post: Text


class Contact(Record):
    """A liaison officer or responsible person, reachable by phone."""

    name: Name
    post: Text
    phone: Phone
