"""A recipient's view of a delivered payload: the catalogue model minus what was withheld. Pure.

The hub projects every copy it delivers (data minimisation, `deploy/routing.yaml`): a tax office
gets a `debtor.listed.v1` without `duty` or `basis`, a culture bureau gets the debtor without the
ID number. Such a copy no longer validates against the catalogue model, whose fields are required.

`read_payload` therefore validates a delivered `data` against the catalogue model first, and when
that fails, against its *view*: a subclass of the model (and of each nested record) in which every
field is optional and absent fields are None. Every value that is present is still checked by the
catalogue's rules (check digits, case types, enums, lengths), and the result is still an instance
of the catalogue class, so `isinstance(payload, DebtorListed)` holds and attribute access is typed.
`payload.model_fields_set` names the fields the copy carried.
"""

from __future__ import annotations

import json
import types
from typing import TYPE_CHECKING, Annotated, Any, Union, cast, get_args, get_origin

from pydantic import ValidationError, create_model

from schemas.common import Payload, Record

if TYPE_CHECKING:
    from collections.abc import Mapping

    from schemas.catalogue import EventType

_VIEWS: dict[type[Record], type[Record]] = {}


def read_payload(event_type: EventType, data: Mapping[str, Any]) -> Payload:
    """The typed payload of a delivered copy; raises pydantic.ValidationError."""
    try:
        return event_type.validate_payload(data)
    except ValidationError:
        view = cast("type[Payload]", view_of(event_type.payload))
        # Strict JSON validation, as the catalogue's own `validate_payload` does.
        return view.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True)


def view_of(model: type[Record]) -> type[Record]:
    """`model` with every field optional (default None); nested records become views too."""
    view = _VIEWS.get(model)
    if view is None:
        fields: dict[str, Any] = {
            name: (_optional(info.annotation, info.metadata), None)
            for name, info in model.model_fields.items()
        }
        view = create_model(
            f"{model.__name__}View",
            __base__=model,
            __module__=__name__,
            __doc__=f"What a recipient may see of {model.__name__}.",
            **fields,
        )
        _VIEWS[model] = view
    return view


def _optional(annotation: Any, metadata: list[Any]) -> Any:
    # Constraints (lengths, validators) stay on the value, so they apply only when it is present.
    inner = _viewed(annotation)
    if metadata:
        inner = Annotated[inner, *metadata]
    return inner | None


def _viewed(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return view_of(annotation)
    origin = get_origin(annotation)
    if origin is None:
        return annotation
    arguments = get_args(annotation)
    viewed = tuple(_viewed(argument) for argument in arguments)
    if viewed == arguments:
        return annotation
    if origin in {Union, types.UnionType}:
        return Union[viewed]  # noqa: UP007 - a union built from a tuple of types
    return origin[viewed]
