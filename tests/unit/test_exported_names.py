"""`schemas.__all__` lists exactly the package's public names, in the order ruff enforces."""

from __future__ import annotations

import re
import types

import schemas


def _isort_style(name: str) -> tuple[int, str]:
    # RUF022: SCREAMING_CASE constants, then CamelCase classes, then everything else.
    if re.fullmatch(r"[A-Z0-9_]+", name):
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


def test_all_lists_every_public_name():
    public = {
        name
        for name, value in vars(schemas).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(schemas.__all__) == public


def test_all_is_sorted_without_duplicates():
    assert schemas.__all__ == sorted(set(schemas.__all__), key=_isort_style)


def test_every_exported_name_resolves():
    for name in schemas.__all__:
        assert getattr(schemas, name) is not None
