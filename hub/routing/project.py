"""Data minimisation: keep only the payload fields a recipient is entitled to. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# A path tree: each key maps to the tree below it, or to None when the whole value is kept.
_Tree = dict[str, "_Tree | None"]


def project(payload: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """The payload reduced to `paths` (dotted; a path through a list applies to every item).

    A path naming an object keeps all of it; a field the payload lacks is simply absent, and so
    is an object none of whose named fields the payload has (a correction of fields the recipient
    is not entitled to reaches it without `changes`, not with an empty one its rules refuse).
    """
    return _keep(payload, _tree(paths))


def _tree(paths: Iterable[str]) -> _Tree:
    root: _Tree = {}
    for path in paths:
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if child is None:  # an ancestor is already kept whole
                break
            node = child
        else:
            node[leaf] = None
    return root


def _keep(payload: Mapping[str, Any], tree: _Tree) -> dict[str, Any]:
    kept = {key: _keep_value(payload[key], sub) for key, sub in tree.items() if key in payload}
    return {key: value for key, value in kept.items() if value != {} or tree[key] is None}


def _keep_value(value: Any, tree: _Tree | None) -> Any:
    if tree is None:
        return value
    if isinstance(value, Mapping):
        return _keep(value, tree)
    if isinstance(value, list):
        return [_keep_value(item, tree) for item in value]
    # A scalar where an object was expected carries none of the named sub-fields.
    return None
