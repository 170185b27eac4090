"""Write the published contracts: one JSON Schema (Draft 2020-12) per event type under
`schemas/jsonschema/`, and the AsyncAPI 3.0 document `schemas/asyncapi.json`.

    python -m schemas.generate           # (re)write the files
    python -m schemas.generate --check   # exit 1 and list the files that differ (CI)
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any, Final

from schemas.catalogue import CATALOGUE, EventType
from schemas.common import UNIT_CODE_RE
from schemas.envelope import CONTENT_TYPE, HUB_SOURCE, Envelope
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC

SCHEMAS_DIR: Final = Path(__file__).parent
JSON_SCHEMA_DIR: Final = "jsonschema"
ASYNCAPI_FILE: Final = "asyncapi.json"
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FORMAT: Final = "application/schema+json;version=draft-2020-12"
HUB_PUBLISHED: Final = frozenset(name for name, entry in CATALOGUE.items() if entry.hub_published)
"""Types only the hub publishes (into inboxes); units never write them to their outbox."""


def event_schema(event_type: EventType) -> dict[str, Any]:
    """The envelope with `type` fixed and `data` typed, plus the catalogue's envelope rules."""
    schema = copy.deepcopy(Envelope.model_json_schema())
    del schema["title"], schema["description"]
    payload = event_type.payload.model_json_schema()
    definitions = {**schema.pop("$defs", {}), **payload.pop("$defs", {})}
    definitions[payload["title"]] = payload
    properties = schema["properties"]
    properties["type"] = {"const": event_type.name}
    properties["data"] = {"$ref": f"#/$defs/{payload['title']}"}
    required = schema["required"]
    if event_type.hub_published:
        properties["source"] = {"const": HUB_SOURCE}
    else:
        properties["source"]["pattern"] = f"^fy:unit:{UNIT_CODE_RE}$"
    if event_type.personal_data:
        properties["purpose"] = {
            "enum": sorted(event_type.purposes),
            "description": "Legal basis; required because the payload carries personal data.",
        }
        required.append("purpose")
    if event_type.needs_correlation:
        properties["correlationid"] = properties["correlationid"]["anyOf"][0]
        required.append("correlationid")
    case_no = event_type.payload.model_fields.get("case_no")
    if case_no is not None and case_no.is_required():
        properties["subject"]["description"] = "The case number, equal to data.case_no."
    return {
        "$schema": DRAFT,
        "title": event_type.name,
        "description": (event_type.payload.__doc__ or "").strip(),
        **schema,
        "$defs": dict(sorted(definitions.items())),
    }


def _message(event_type: EventType) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": event_type.name,
        "title": event_type.payload.__name__,
        "summary": (event_type.payload.__doc__ or "").strip().split("\n")[0],
        "contentType": CONTENT_TYPE,
        "payload": {
            "schemaFormat": SCHEMA_FORMAT,
            "schema": {"$ref": f"{JSON_SCHEMA_DIR}/{event_type.name}.json"},
        },
    }
    if event_type.needs_correlation:
        message["correlationId"] = {
            "description": "The id of the event answered.",
            "location": "$message.payload#/correlationid",
        }
    return message


_UNIT_PARAMETER: Final = {
    "unit": {
        "description": "Unit code <dept>.<region>, e.g. court.411121 (docs/design.md §3).",
        "examples": ["court.411121", "tax.411121", "town.411121100"],
    }
}


def _channel(address: str, description: str, names: list[str]) -> dict[str, Any]:
    channel: dict[str, Any] = {"address": address, "description": description}
    if "{unit}" in address:
        channel["parameters"] = _UNIT_PARAMETER
    if names:
        channel["messages"] = {name: {"$ref": f"#/components/messages/{name}"} for name in names}
    return channel


def _operation(action: str, channel: str, names: list[str], summary: str) -> dict[str, Any]:
    return {
        "action": action,
        "summary": summary,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in names],
    }


def asyncapi_document() -> dict[str, Any]:
    every = sorted(CATALOGUE)
    from_units = [name for name in every if name not in HUB_PUBLISHED]
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "fyhub",
            "version": "1.0.0",
            "description": (
                "府院联动数据共享枢纽: CloudEvents 1.0 in structured JSON mode over Kafka. Each "
                "unit writes only to its outbox and reads only its inbox; the hub validates, "
                "authorises, routes and projects every event (docs/design.md)."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": {
            "unitOutbox": _channel(
                "fy.unit.{unit}.out", "What a unit publishes; signed by the unit.", from_units
            ),
            "unitInbox": _channel(
                "fy.unit.{unit}.in",
                "What the hub delivers to a unit: projected copies carrying the hub's "
                "hubrouted, hubreceiptby, hubreplyby, hubdelivery and hubproof attributes, "
                "signed by the hub once per batch over a hash tree of its copies.",
                every,
            ),
            "hubJournal": _channel(
                JOURNAL_TOPIC, "Every routing decision of the hub, read by the auditor.", []
            ),
            "hubDlq": _channel(
                DLQ_TOPIC,
                "Raw bytes of refused records, with headers naming the original topic, "
                "partition, offset, error code and detail.",
                [],
            ),
        },
        "operations": {
            "publish": _operation(
                "send", "unitOutbox", from_units, "A unit publishes to its own outbox."
            ),
            "receive": _operation(
                "receive", "unitInbox", every, "A unit consumes its own inbox and sends receipts."
            ),
        },
        "components": {"messages": {name: _message(CATALOGUE[name]) for name in every}},
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render() -> dict[str, str]:
    """Every generated file, by path relative to the schemas package, with its content."""
    files = {
        f"{JSON_SCHEMA_DIR}/{name}.json": _dump(event_schema(entry))
        for name, entry in sorted(CATALOGUE.items())
    }
    files[ASYNCAPI_FILE] = _dump(asyncapi_document())
    return files


def drift(root: Path = SCHEMAS_DIR) -> list[str]:
    """Paths (relative to `root`) whose committed content differs from what `render` makes."""
    expected = render()
    problems = [
        f"{path}: {'missing' if not (root / path).exists() else 'differs'}"
        for path, content in expected.items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != content
    ]
    generated_dir = root / JSON_SCHEMA_DIR
    if generated_dir.is_dir():
        stale = sorted(
            f"{JSON_SCHEMA_DIR}/{path.name}"
            for path in generated_dir.glob("*.json")
            if f"{JSON_SCHEMA_DIR}/{path.name}" not in expected
        )
        problems.extend(f"{path}: not generated any more" for path in stale)
    return problems


def write(root: Path = SCHEMAS_DIR) -> None:
    (root / JSON_SCHEMA_DIR).mkdir(exist_ok=True)
    for path, content in render().items():
        (root / path).write_text(content, encoding="utf-8")
    for stale in drift(root):
        (root / stale.split(":", 1)[0]).unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    arguments = parser.parse_args(argv)
    if arguments.check:
        problems = drift()
        for problem in problems:
            sys.stderr.write(f"drift: {problem}\n")
        if problems:
            sys.stderr.write("run: python -m schemas.generate\n")
        return 1 if problems else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
