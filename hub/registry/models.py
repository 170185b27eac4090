"""The unit registry as written in `deploy/units/*.yaml` (docs/design.md §3): one model per
shape."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from schemas.units import DEPTS, UnitCode

ED25519_PUBLIC_KEY_BYTES = 32

_PHONE_RE = re.compile(r"0\d{2,3}-\d{7,8}|1\d{10}")


def _known_dept(dept: str) -> str:
    if dept not in DEPTS:
        raise ValueError(f"unknown dept {dept!r}; known: {', '.join(sorted(DEPTS))}")
    return dept


def _phone(number: str) -> str:
    if _PHONE_RE.fullmatch(number) is None:
        raise ValueError("phone must be a landline like 0395-6123456 or an 11-digit mobile number")
    return number


def _ed25519_public_key(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("public key must be standard base64") from exc
    if len(raw) != ED25519_PUBLIC_KEY_BYTES:
        raise ValueError(f"an Ed25519 public key has 32 bytes, this one has {len(raw)}")
    return value


Dept = Annotated[str, AfterValidator(_known_dept)]
Phone = Annotated[str, AfterValidator(_phone)]
PublicKey = Annotated[str, AfterValidator(_ed25519_public_key)]
KeyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
GroupName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
ChineseName = Annotated[str, StringConstraints(min_length=2, max_length=64, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegisteredKey(_Strict):
    """One public key of a unit (or of the hub) and when it may sign: from `since` (unset: from
    the start) until `until` (unset: until it is retired). Several are valid at once while a key
    is rotated; the verifier picks one by the signature's key id and checks the signing time."""

    key_id: KeyId
    public: PublicKey
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError("until must be later than since")
        return self

    def valid_at(self, at: datetime) -> bool:
        return (self.since is None or self.since <= at) and (self.until is None or at < self.until)


def _key_form(value: Any) -> str:
    # The brackets make the registry's error locations skip the tag (`yaml_source._is_union_tag`).
    return "[by id]" if isinstance(value, dict) else "[listed]"


def _distinct_ids(keys: list[RegisteredKey]) -> list[RegisteredKey]:
    ids = [key.key_id for key in keys]
    if repeated := sorted({key_id for key_id in ids if ids.count(key_id) > 1}):
        raise ValueError(f"key id listed twice: {', '.join(repeated)}")
    return keys


KeyList = Annotated[list[RegisteredKey], AfterValidator(_distinct_ids)]
UnitKeys = Annotated[
    Annotated[dict[KeyId, PublicKey], Tag("[by id]")] | Annotated[KeyList, Tag("[listed]")],
    Discriminator(_key_form),
]
"""A unit's keys: a list of `RegisteredKey`, or the older form `{key_id: public}` (valid always)."""


class Liaison(_Strict):
    """联络员: the person a unit names to the joint-meeting office."""

    name: ChineseName
    post: ChineseName
    phone: Phone
    since: date


class Unit(_Strict):
    code: UnitCode
    name: ChineseName
    dept: Dept
    liaisons: list[Liaison] = Field(min_length=1)
    keys: UnitKeys = Field(default_factory=dict)
    """The unit's signing keys (`RegisteredKey`s); several while a key is being rotated."""
    office: bool = False
    """The joint-meeting office (联席会议办公室): receives overdue notices and scorecards."""

    @property
    def signing_keys(self) -> tuple[RegisteredKey, ...]:
        """The keys in either form, as `RegisteredKey`s."""
        if isinstance(self.keys, dict):
            return tuple(RegisteredKey(key_id=k, public=v) for k, v in self.keys.items())
        return tuple(self.keys)

    @property
    def region(self) -> str:
        """The region part of the code: 6-digit county code, or a town's 9-digit township code."""
        return self.code.partition(".")[2]


class Group(_Strict):
    description: ChineseName
    basis: str = ""
    """Why these units are in the group: the document that makes them act on what they receive."""
    members: list[UnitCode] = Field(min_length=1)


class RegistryFile(_Strict):
    """One `deploy/units/*.yaml` file: one mechanism (county or district) and its member units."""

    region: RegionCode
    name: ChineseName
    basis: str = ""
    units: list[Unit] = Field(min_length=1)
    groups: dict[GroupName, Group] = Field(default_factory=dict)
