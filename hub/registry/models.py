"""The unit registry as written in `deploy/units/*.yaml` (docs/design.md §3): one model per
shape."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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
    keys: dict[KeyId, PublicKey] = Field(default_factory=dict)
    """Signing key id → base64 Ed25519 public key; several while a key is being rotated."""
    office: bool = False
    """The joint-meeting office (联席会议办公室): receives overdue notices and scorecards."""

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
