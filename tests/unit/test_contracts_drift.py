"""The committed JSON Schemas and AsyncAPI document are exactly what the models generate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from schemas import generate
from schemas.catalogue import CATALOGUE


def test_committed_contracts_match_the_models():
    assert generate.drift() == [], "run: python -m schemas.generate"


def test_check_mode_passes_on_the_committed_files():
    assert generate.main(["--check"]) == 0


def test_rendering_is_deterministic():
    assert generate.render() == generate.render()


def test_one_schema_per_type_and_the_asyncapi_document():
    files = generate.render()
    expected = {f"jsonschema/{name}.json" for name in CATALOGUE} | {"asyncapi.json"}
    assert set(files) == expected


def _copy_of_contracts(tmp_path: Path) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(generate.SCHEMAS_DIR / "jsonschema", root / "jsonschema")
    shutil.copy(generate.SCHEMAS_DIR / "asyncapi.json", root / "asyncapi.json")
    return root


def test_drift_lists_changed_missing_and_stale_files(tmp_path: Path):
    root = _copy_of_contracts(tmp_path)
    (root / "jsonschema" / "debtor.listed.v1.json").write_text("{}\n", encoding="utf-8")
    (root / "asyncapi.json").unlink()
    (root / "jsonschema" / "debtor.listed.v0.json").write_text("{}\n", encoding="utf-8")
    assert sorted(generate.drift(root)) == [
        "asyncapi.json: missing",
        "jsonschema/debtor.listed.v0.json: not generated any more",
        "jsonschema/debtor.listed.v1.json: differs",
    ]
    generate.write(root)
    assert generate.drift(root) == []
    assert not (root / "jsonschema" / "debtor.listed.v0.json").exists()


def test_asyncapi_describes_unit_channels_hub_topics_and_every_message():
    document = json.loads((generate.SCHEMAS_DIR / "asyncapi.json").read_text(encoding="utf-8"))
    assert document["asyncapi"].startswith("3.")
    channels = {channel["address"]: channel for channel in document["channels"].values()}
    assert set(channels) == {
        "fy.unit.{unit}.out",
        "fy.unit.{unit}.in",
        "fy.hub.journal",
        "fy.hub.dlq",
    }
    assert "unit" in channels["fy.unit.{unit}.out"]["parameters"]
    assert set(channels["fy.unit.{unit}.in"]["messages"]) == set(CATALOGUE)
    outbox = set(channels["fy.unit.{unit}.out"]["messages"])
    assert outbox == set(CATALOGUE) - {
        "hub.rejected.v1",
        "hub.overdue.v1",
        "enforcement.control.expiring.v1",
    }
    for name, message in document["components"]["messages"].items():
        reference = message["payload"]["schema"]["$ref"]
        assert (generate.SCHEMAS_DIR / reference).is_file(), reference
        assert reference == f"jsonschema/{name}.json"
