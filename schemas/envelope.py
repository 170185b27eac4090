"""The CloudEvents 1.0 envelope every fyhub record travels in (docs/design.md §4), structured JSON
mode.

Extension attributes: CloudEvents lets producers add their own. The envelope keeps any extension
whose name is 1–20 lowercase letters or digits (the CloudEvents naming rule, with its length
recommendation made a limit) and whose value is a string, an integer or a boolean (the JSON forms
of the CloudEvents type system). Other names — `data_base64` among them, since fyhub payloads are
always JSON objects — are rejected as `schema_invalid`, so a typo such as `correlationId` fails
loudly instead of travelling unnoticed.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.common import UNIT_CODE_RE, Purpose
from schemas.dates import Timestamp
from schemas.errors import FieldValueError
from schemas.units import unit_code_problem, unit_from_source

SPECVERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/cloudevents+json"
"""Kafka `content-type` header of structured-mode records."""
EVENT_ID_RE: Final = (
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25})$"
)
"""A UUID (any version, hyphenated) or a ULID (26 Crockford base-32 characters)."""
EVENT_TYPE_RE: Final = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$"
EXTENSION_NAME_RE: Final = r"^[a-z0-9]{1,20}$"
HUB_SOURCE: Final = "fy:hub"
"""The `source` of events the hub itself originates (hub.rejected.v1, hub.overdue.v1); it names
no unit, so no outbox can pass a record off as the hub's."""
SOURCE_RE: Final = f"^(?:fy:unit:{UNIT_CODE_RE}|{HUB_SOURCE})$"
RECIPIENTS_RE: Final = f"^{UNIT_CODE_RE}( {UNIT_CODE_RE})*$"
HUBPROOF_RE: Final = r"^v1( [LR]:[A-Za-z0-9+/]{43}=){0,64}$"
"""A copy's path in the hub's signed tree of copies (`schemas.hub_proof`, docs/design.md §4)."""
HUB_EXTENSIONS: Final = ("hubrouted", "hubreceiptby", "hubreplyby", "hubdelivery", "hubproof")
"""Attributes only the hub sets, on the copies it delivers."""


def _extension_schema(schema: dict[str, Any]) -> None:
    schema["propertyNames"] = {"pattern": EXTENSION_NAME_RE}
    schema["additionalProperties"] = {"type": ["string", "integer", "boolean"]}


class Envelope(BaseModel):
    """A CloudEvents 1.0 event as fyhub publishes it; `data` stays a plain JSON object here and
    is typed by the catalogue (`schemas.parsing.parse_record` does both)."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        use_attribute_docstrings=True,
        json_schema_extra=_extension_schema,
    )

    specversion: Literal["1.0"]
    id: str = Field(json_schema_extra={"pattern": EVENT_ID_RE})
    """Unique per source: a UUID or a ULID."""
    source: str = Field(json_schema_extra={"pattern": SOURCE_RE})
    """`fy:unit:<unit>` (the router checks it against the outbox topic), or `fy:hub`."""
    type: str = Field(json_schema_extra={"pattern": EVENT_TYPE_RE})
    """`<family>.<name>.v<N>`, a catalogue type."""
    subject: str = Field(min_length=1, max_length=200)
    """The case number when there is one, else the subject's identifier; also the Kafka key."""
    time: Timestamp
    datacontenttype: Literal["application/json"] | None = None
    dataschema: str | None = Field(default=None, min_length=1)
    data: dict[str, Any]
    correlationid: str | None = Field(default=None, json_schema_extra={"pattern": EVENT_ID_RE})
    """On replies and receipts: the `id` of the event answered."""
    to: str | None = Field(default=None, json_schema_extra={"pattern": RECIPIENTS_RE})
    """Space-separated unit codes of a targeted request."""
    purpose: Purpose | None = None
    """Legal basis of the exchange; required when the payload carries personal data."""
    sig: str | None = Field(default=None, min_length=1)
    """Ed25519 signature (base64) over the JCS form without `sig` and `sigkey`; the router
    verifies it. On what the hub delivers: over the root of a tree of copies (`hubproof`)."""
    sigkey: str | None = Field(default=None, min_length=1)
    hubrouted: Timestamp | None = None
    hubreceiptby: Timestamp | None = None
    hubreplyby: Timestamp | None = None
    hubdelivery: str | None = Field(default=None, min_length=1)
    """The hub's delivery token; a receipt or reply echoes the one it got."""
    hubproof: str | None = Field(default=None, pattern=HUBPROOF_RE)
    """On what the hub delivers: the copy's path from its leaf to the root of the batch's tree
    that `sig` signs (`v1`, then `L:`/`R:` and a sibling's SHA-256 in base64 per level)."""

    @field_validator("id", "correlationid")
    @classmethod
    def _event_id_format(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(EVENT_ID_RE, value):
            raise ValueError(f"{value!r} must be a UUID or a ULID")
        return value

    @field_validator("type")
    @classmethod
    def _type_format(cls, value: str) -> str:
        if not re.fullmatch(EVENT_TYPE_RE, value):
            raise ValueError(f"{value!r} must look like <family>.<name>.v<N>")
        return value

    @field_validator("source")
    @classmethod
    def _source_names_unit(cls, value: str) -> str:
        if value != HUB_SOURCE and unit_from_source(value) is None:
            raise ValueError(
                f"source {value[:100]!r} must be fy:unit:<unit code>, e.g. fy:unit:court.411121"
            )
        return value

    @field_validator("to")
    @classmethod
    def _recipients_are_units(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value or value != value.strip() or "  " in value:
            raise ValueError("to is unit codes separated by single spaces")
        codes = value.split(" ")
        for code in codes:
            if problem := unit_code_problem(code):
                raise ValueError(problem)
        if len(set(codes)) != len(codes):
            raise ValueError("to must not name a unit twice")
        return value

    @model_validator(mode="after")
    def _extensions_are_well_formed(self) -> Envelope:
        for name, value in (self.__pydantic_extra__ or {}).items():
            if name == "data_base64":
                raise FieldValueError(name, "fyhub payloads are JSON objects: use data")
            if not re.fullmatch(EXTENSION_NAME_RE, name):
                raise FieldValueError(
                    name, "extension attribute names are 1-20 lowercase letters or digits"
                )
            if value is None or not isinstance(value, str | int | bool):
                raise FieldValueError(name, "extension values are strings, integers or booleans")
        return self

    @property
    def source_unit(self) -> str | None:
        """The unit code in `source`; None for the hub's own events."""
        return unit_from_source(self.source)

    @property
    def is_from_hub(self) -> bool:
        return self.source == HUB_SOURCE

    @property
    def recipients(self) -> tuple[str, ...]:
        """The unit codes in `to`, in order; empty when the event is not targeted."""
        return tuple(self.to.split(" ")) if self.to else ()

    @property
    def extensions(self) -> dict[str, str | int | bool]:
        """Extension attributes other than the ones fyhub defines."""
        return dict(self.__pydantic_extra__ or {})

    @property
    def is_delivered_copy(self) -> bool:
        """True on a copy the hub delivered (it carries `hubdelivery`)."""
        return self.hubdelivery is not None
