"""Helpers for rules that span fields or need a case type, in both languages the contract speaks:
pydantic validators (whose messages name the rule) and JSON Schema fragments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pydantic import AfterValidator, Field

from schemas.identifiers import CaseNumber

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


# --- JSON Schema twins of cross-field rules ------------------------------------------------------


def when(
    field: str,
    values: Iterable[str],
    *,
    require: Iterable[str] = (),
    forbid: Iterable[str] = (),
) -> dict[str, Any]:
    """JSON Schema: when `field` is one of `values`, `require` fields must be present and
    `forbid` fields absent (or null)."""
    then: dict[str, Any] = {}
    if required := list(require):
        then["required"] = required
    if forbidden := list(forbid):
        then["properties"] = {name: {"type": "null"} for name in forbidden}
    condition = {"properties": {field: {"enum": [str(v) for v in values]}}, "required": [field]}
    return {"if": condition, "then": then}


def json_rules(*rules: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A `json_schema_extra` hook adding `rules` to the model's `allOf`."""

    def extend(schema: dict[str, Any]) -> None:
        schema.setdefault("allOf", []).extend(rules)

    return extend


# --- case numbers of a given type ----------------------------------------------------------------

_PROVINCE_CODES: Final = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新军兵"
_COURT_CODE_RE: Final = f"(?:最高法|[{_PROVINCE_CODES}](?:[0-9]{{2}}){{0,2}})"


def case_no_checker(*type_codes: str, rule: str) -> AfterValidator:
    """A validator that a (normalised) case number has one of `type_codes` (类型代字)."""

    def check(value: str) -> str:
        type_code = CaseNumber.parse(value).type_code
        if type_code not in type_codes:
            wanted = " or ".join(type_codes)
            raise ValueError(f"{rule}: the case type code must be {wanted}, not {type_code}")
        return value

    return AfterValidator(check)


def case_no_schema(*type_codes: str) -> Any:
    """JSON Schema of a case number of the given types; ASCII brackets are accepted too."""
    codes = "|".join(sorted(type_codes, key=len, reverse=True))
    pattern = f"^[（(][0-9]{{4}}[）)]{_COURT_CODE_RE}知?(?:{codes})[1-9][0-9]*号$"
    # A Field, not WithJsonSchema: it must override the generic pattern CaseNo's own Field sets.
    return Field(
        description=f"case number (案号) of type {' / '.join(type_codes)}",
        json_schema_extra={"pattern": pattern},
    )
