"""Old keys of a configuration file: still read for now, each with a one-line hint naming the new key.

Every model whose keys were renamed lists them in its ``old_keys`` (old name -> new name), and values
that were renamed in ``old_values`` (key -> old value -> new value); see
:class:`~.strict.StrictModel`. :func:`rename_old_keys` applies them to a file as read, before
validation, walking the models' fields, so that every level of the file is covered by the one table of
the model there. A file that gives both the old and the new name of one key is refused.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


@dataclass
class Renamed:
    """A file's contents with every old key and value renamed.

    Attributes
    ----------
    data
        The contents, old keys and values replaced by their new names.
    hints
        One line per old key or value: where it is (as the file writes it) and its new name.
    conflicts
        One line per place that gives both the old and the new name of a key.
    """

    data: Any
    hints: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def rename_old_keys(data: Any, model: type[BaseModel]) -> Renamed:
    """Rename the old keys and values in ``data`` (a file read with YAML), by the tables of ``model`` and its parts.

    Parts that are not shaped as the models expect are left as they are, for validation to report.
    """
    renamed = Renamed(None)
    renamed.data = _rename_model(data, model, (), renamed)
    return renamed


def model_classes(annotation: Any) -> list[type[BaseModel]]:
    """Find the models inside a field's type: ``Source``, ``Source | None``, ``dict[str, Layer]``, ``list[Partner]``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return model_classes(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, dict):
        return [m for arg in get_args(annotation) for m in model_classes(arg)]
    return [annotation] if isinstance(annotation, type) and issubclass(annotation, BaseModel) else []


def _where(place: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in place)


def _rename_model(data: Any, model: type[BaseModel], place: tuple[str | int, ...], renamed: Renamed) -> Any:
    if not isinstance(data, dict):
        return data
    old_keys: dict[str, str] = dict(getattr(model, "old_keys", {}))
    written: dict[str, str | int] = {}  # new key -> the key as the file writes it
    result: dict[Any, Any] = {}
    for key, value in data.items():
        new = old_keys.get(key) if isinstance(key, str) else None
        if new is None:
            result[key] = value
            written.setdefault(key, key)
        elif new in data:
            where = f"{_where(place)}: " if place else ""
            renamed.conflicts.append(
                f"{where}both {key} and {new} are given; {key} is the old name of {new}: keep only {new}"
            )
        else:
            renamed.hints.append(f"{_where((*place, key))} is now called {new} (the old name still works for now)")
            result[new] = value
            written[new] = key
    for key, values in getattr(model, "old_values", {}).items():
        value = result.get(key)
        if isinstance(value, str) and value in values:
            renamed.hints.append(
                f"{_where((*place, written[key]))}: {value} is now called {values[value]} "
                "(the old value still works for now)"
            )
            result[key] = values[value]
    for name, info in model.model_fields.items():
        if name in result:
            result[name] = _rename_field(result[name], info.annotation, (*place, written[name]), renamed)
    return result


def _rename_field(data: Any, annotation: Any, place: tuple[str | int, ...], renamed: Renamed) -> Any:
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is Annotated:
        return _rename_field(data, arguments[0], place, renamed)
    if origin in (Union, types.UnionType):
        shaped = [a for a in arguments if model_classes(a)]
        return _rename_field(data, shaped[0], place, renamed) if len(shaped) == 1 else data
    if origin is dict and isinstance(data, dict):
        return {k: _rename_field(v, arguments[1], (*place, k), renamed) for k, v in data.items()}
    if origin is list and isinstance(data, list):
        return [_rename_field(v, arguments[0], (*place, i), renamed) for i, v in enumerate(data)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _rename_model(data, annotation, place, renamed)
    return data
